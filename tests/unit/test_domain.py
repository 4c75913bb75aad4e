"""Addresses, file names, HTML, schedules: the rules, including hostile input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.domain.addresses import check_header_text, parse_address, parse_addresses
from composer.domain.filenames import safe_filename
from composer.domain.html import html_to_text, sanitize_html, text_to_html
from composer.domain.schedule import parse_iso_send_at, presets, resolve_send_at
from composer.errors import InvalidInputError

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def test_pasted_list_with_quoted_commas_and_semicolons() -> None:
    got = parse_addresses('a@x.test, "Doe, J" <j@y.test>; c@z.test')
    assert [(a.addr, a.name, a.valid) for a in got] == [
        ("a@x.test", "", True), ("j@y.test", "Doe, J", True), ("c@z.test", "", True)]


def test_newlines_spaces_and_mailto_prefixes() -> None:
    got = parse_addresses("a@x.test b@x.test\r\nmailto:c@x.test\n\n; ,")
    assert [a.addr for a in got] == ["a@x.test", "b@x.test", "c@x.test"]


def test_cve_2023_27043_input_is_not_silently_rewritten() -> None:
    [got] = parse_addresses("alice@example.org)<bob@example.org>")
    assert not got.valid
    assert got.raw == "alice@example.org)<bob@example.org>"
    assert "quotes" in (got.error or "")


@pytest.mark.parametrize(
    ("text", "addr", "name"),
    [
        ("Bob <bob@example.org>", "bob@example.org", "Bob"),
        ('"Doe \\"JD\\" J" <j@y.test>', "j@y.test", 'Doe "JD" J'),
        ("bob@example.org (Bob Smith)", "bob@example.org", "Bob Smith"),
        ("<only@x.test>", "only@x.test", ""),
        ("José@bücher.example", "José@bücher.example", ""),
        ("user@xn--bcher-kva.example", "user@bücher.example", ""),
        ("Bob@EXAMPLE.ORG", "Bob@example.org", ""),
    ],
)
def test_valid_forms(text: str, addr: str, name: str) -> None:
    got = parse_address(text)
    assert (got.addr, got.name, got.error) == (addr, name, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a@b", "period"),
        ("x@example.local", "special-use"),
        ("x@localhost", ""),
        ("foo@example.invalid", "special-use"),
        ("Bob Smith", "no @"),
        ("a@x.test>", "angle brackets"),
        ('"unclosed <a@x.test>', "quote"),
        ("a@x.test\x00", "control character"),
    ],
)
def test_invalid_forms_are_kept_with_a_reason(text: str, reason: str) -> None:
    got = parse_address(text)
    assert not got.valid and got.raw == text.strip()
    assert reason.lower() in (got.error or "").lower()


def test_header_injection_is_refused() -> None:
    for value in ("Hi\r\nBcc: x@y.test", "a\nb", "nul\x00", "bell\x07"):
        with pytest.raises(InvalidInputError):
            check_header_text("subject", value)
    check_header_text("subject", "Grüße — “quoted” ✓")


@given(st.lists(st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.example", fullmatch=True), max_size=8))
def test_formatted_addresses_parse_back(addrs: list[str]) -> None:
    got = parse_addresses(", ".join(addrs))
    assert [a.addr for a in got] == addrs


@pytest.mark.parametrize(
    ("name", "safe"),
    [("../../etc/passwd", "passwd"), ("C:\\Users\\x\\a.txt", "a.txt"), ("CON.txt", "_CON.txt"),
     ("lpt1", "_lpt1"), ("a<b>c?.pdf", "a_b_c_.pdf"), ("name. ", "name"), ("...", "attachment"),
     ("", "attachment"), ("e\u0301.txt", "\u00e9.txt"), ("tab\there.txt", "tabhere.txt")],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_long_names_keep_their_extension() -> None:
    got = safe_filename("é" * 300 + ".pdf")
    assert got.endswith(".pdf") and len(got.encode()) <= 255


@given(st.text(max_size=300))
def test_safe_filename_is_always_safe(name: str) -> None:
    got = safe_filename(name)
    assert got and len(got.encode()) <= 255
    assert not any(c in got for c in '<>:"/\\|?*') and not got.endswith((".", " "))
    assert safe_filename(got) == got


def test_sanitize_removes_scripts_handlers_and_remote_images() -> None:
    dirty = ('<p onclick="x()">Hi <img src="http://127.0.0.1/pixel.gif"><img src="cid:logo">'
             '<img src="data:image/png;base64,AAAA"><a href="javascript:alert(1)">x</a>'
             '<a href="https://ok.example/">ok</a></p><script>bad()</script>'
             '<style>p{background:url(http://x)}</style><link rel="stylesheet" href="http://x">'
             '<span style="font-weight:700; background-image:url(http://x)">b</span>'
             '<span style="color:red">r</span>')
    clean = sanitize_html(dirty)
    for bad in ("onclick", "http://127.0.0.1", "javascript:", "script", "<style", "<link",
                "url("):
        assert bad not in clean
    for good in ('src="cid:logo"', 'src="data:image/png;base64,AAAA"',
                 'href="https://ok.example/"', 'style="color:red"'):
        assert good in clean


@given(st.text(max_size=200))
@settings(max_examples=200)
def test_sanitize_is_idempotent(text: str) -> None:
    once = sanitize_html(text)
    assert sanitize_html(once) == once


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=200))
def test_text_to_html_to_text_keeps_words(text: str) -> None:
    back = html_to_text(text_to_html(text))
    assert back.split() == text.split()


def test_html_to_text_is_readable() -> None:
    html = ("<p>Hello <b>Bob</b>,</p><ul><li>one</li><li>two</li></ul>"
            "<ol><li>first</li></ol><p>See <a href='https://x.example/r'>the report</a></p>")
    assert html_to_text(html) == ("Hello Bob,\n\n* one\n* two\n\n1. first\n\n"
                                  "See the report <https://x.example/r>")


def test_dst_gap_moves_forward_with_a_note() -> None:
    got = resolve_send_at(datetime(2026, 3, 29, 2, 30), "Europe/Berlin", NOW)
    assert got.schedule.send_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert got.note is not None and "does not exist" in got.note and "03:30" in got.note
    ny = resolve_send_at(datetime(2026, 3, 8, 2, 30), "America/New_York", NOW)
    assert ny.schedule.send_at == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_dst_fold_takes_the_first_occurrence_with_a_note() -> None:
    got = resolve_send_at(datetime(2026, 10, 25, 2, 30), "Europe/Berlin", NOW)
    assert got.schedule.send_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert got.note is not None and "twice" in got.note
    ny = resolve_send_at(datetime(2026, 11, 1, 1, 30), "America/New_York", NOW)
    assert ny.schedule.send_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_ordinary_times_have_no_note_and_past_is_refused() -> None:
    got = resolve_send_at(datetime(2026, 6, 1, 9, 0), "Europe/Berlin", NOW)
    assert got.note is None and got.schedule.send_at == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    assert got.schedule.tz == "Europe/Berlin"
    with pytest.raises(InvalidInputError, match="in the past"):
        resolve_send_at(datetime(2026, 1, 10, 12, 0), "UTC", NOW)
    with pytest.raises(InvalidInputError, match="not a known time zone"):
        resolve_send_at(datetime(2026, 6, 1, 9, 0), "Mars/Olympus", NOW)


def test_presets_are_next_hour_tomorrow_morning_and_next_monday() -> None:
    monday_noon = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # a Monday, 12:00 in Berlin
    got = dict(presets(monday_noon, "Europe/Berlin"))
    assert got["In 1 hour"].isoformat() == "2026-11-23T13:00:00+01:00"
    assert got["Tomorrow 08:00"].isoformat() == "2026-11-24T08:00:00+01:00"
    assert got["Monday 08:00"].isoformat() == "2026-11-30T08:00:00+01:00"  # not today


def test_command_line_send_at_forms() -> None:
    a = parse_iso_send_at("2026-06-01T09:00:00+02:00", None, NOW).schedule
    assert a.send_at == datetime(2026, 6, 1, 7, 0, tzinfo=UTC) and a.tz == "UTC"
    b = parse_iso_send_at("2026-06-01T09:00", "Europe/Berlin", NOW)
    assert b.schedule.send_at == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    assert b.schedule.tz == "Europe/Berlin" and b.note is None
    gap = parse_iso_send_at("2027-03-28T02:30", "Europe/Berlin", NOW)
    assert gap.schedule.send_at == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert gap.note is not None and "does not exist" in gap.note
    with pytest.raises(InvalidInputError, match="needs --tz"):
        parse_iso_send_at("2026-06-01T09:00", None, NOW)
    with pytest.raises(InvalidInputError, match="not an ISO 8601"):
        parse_iso_send_at("tomorrow", "UTC", NOW)
