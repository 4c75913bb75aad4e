"""Hostile .eml files and HTML bodies: imported safely or refused with one line; HTML
sanitized to raster images only, its nesting bounded, its text conversion readable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.domain.addresses import header_text_problem
from composer.domain.eml import MAX_MULTIPARTS, eml_to_draft
from composer.domain.html import MAX_DEPTH, html_to_text, limit_depth, sanitize_html
from composer.domain.models import BodyMode
from composer.errors import InvalidInputError
from tests.hostile.conftest import Cli, Unchanged, assert_refused


def _nested(depth: int) -> bytes:
    body = b"From: a@x.test\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    for i in range(depth):
        body += b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
    body += b"Content-Type: text/plain\r\n\r\nhello\r\n"
    for i in reversed(range(depth)):
        body += b"--b%d--\r\n" % i
    return body


HOSTILE_EML = {
    "3000 nested multiparts": (_nested(3000), "multipart"),
    "idna charset": (b"From: a@x.test\r\nContent-Type: text/plain; charset=idna\r\n\r\n"
                     b"\xff\xfe body\r\n", None),
    "rot13 charset": (b"From: a@x.test\r\nContent-Type: text/plain; charset=rot13\r\n\r\n"
                      b"uryyb\r\n", None),
    "unknown charset": (b"From: a@x.test\r\nContent-Type: text/plain; charset=x-nope\r\n\r\n"
                        b"caf\xc3\xa9\r\n", None),
    "idna encoded word": (b"From: a@x.test\r\nSubject: =?idna?q?=FF=FE?=\r\n\r\nx\r\n", None),
    "bad zone": (b"From: a@x.test\r\nX-Composer-Send-At: 2030-01-01T00:00:00+00:00\r\n"
                 b"X-Composer-Send-Tz: Mars/Olympus\r\n\r\nx\r\n", "time zone"),
    "zone with a path": (b"From: a@x.test\r\nX-Composer-Send-At: 2030-01-01T00:00:00+00:00\r\n"
                         b"X-Composer-Send-Tz: ../../../../etc/passwd\r\n\r\nx\r\n", "time zone"),
    "year 9999 send-at": (b"From: a@x.test\r\nX-Composer-Send-At: 9999-12-31T23:59:59-12:00\r\n"
                          b"X-Composer-Send-Tz: Pacific/Kiritimati\r\n\r\nx\r\n", "send_at"),
    "naive send-at": (b"From: a@x.test\r\nX-Composer-Send-At: 2030-01-01T00:00\r\n\r\nx\r\n",
                      "send_at"),
    "encoded CRLF subject": (b"From: a@x.test\r\nSubject: =?utf-8?q?a=0D=0ABcc:_e@y.test?=\r\n"
                             b"\r\nx\r\n", "line break"),
    "U+2028 in From": ("From: Eve\u2028Bcc: e@y.test <a@x.test>\r\n\r\nx\r\n".encode(),
                       "line break"),
    "context not an object": (b"From: a@x.test\r\nX-Composer-Context: [1]\r\n\r\nx\r\n",
                              "context"),
    "context path": (b'From: a@x.test\r\nX-Composer-Context: {"customer_uuid": "../x"}\r\n'
                     b"\r\nx\r\n", "context"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_EML))
def test_hostile_eml_is_imported_safely_or_refused(cli: Cli, tmp_path: Path, name: str
                                                   ) -> None:
    data, refusal = HOSTILE_EML[name]
    cli.new("--subject", "already here")
    path = tmp_path / "in.eml"
    path.write_bytes(data)
    if refusal is not None:
        with Unchanged(cli.data):
            assert_refused(cli("draft", "import", str(path)), code=1, words=refusal)
        return
    draft_id = cli.ok("draft", "import", str(path)).strip()
    shown = cli.show(draft_id)
    assert "\ufffd" in str(shown["text"]) + str(shown["subject"]) or shown["text"]
    cli.ok("draft", "export", draft_id, "--eml", str(tmp_path / "out.eml"))


def test_multipart_without_boundary_keeps_its_body() -> None:
    parsed = eml_to_draft(b"From: a@x.test\r\nContent-Type: multipart/mixed\r\n\r\n"
                          b"the body text\r\nsecond line\r\n")
    assert parsed.draft.body_mode is BodyMode.TEXT
    assert parsed.draft.text == "the body text\nsecond line"
    assert parsed.files == []


def test_nesting_below_the_limit_still_imports() -> None:
    parsed = eml_to_draft(_nested(20))
    assert parsed.draft.text == "hello"
    with pytest.raises(InvalidInputError, match="multipart"):
        eml_to_draft(_nested(MAX_MULTIPARTS + 1))


@given(st.binary(max_size=2000))
@settings(max_examples=200, deadline=None)
def test_any_bytes_parse_or_are_refused(data: bytes) -> None:
    try:
        parsed = eml_to_draft(b"From: a@x.test\r\n" + data)
    except InvalidInputError:
        return
    assert header_text_problem(parsed.draft.subject) is None
    assert header_text_problem(parsed.draft.from_addr) is None


@pytest.mark.parametrize("src", [
    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "data:text/html;base64,PHNjcmlwdD4=",
    "data:image/png,<svg>",  # not base64: could carry markup
    " data:image/svg+xml;base64,PHN2Zz4=",
    "DATA:IMAGE/SVG+XML;BASE64,PHN2Zz4=",
    "https://tracker.example/pixel.png",
])
def test_only_raster_data_images_survive(src: str) -> None:
    assert "<img" not in sanitize_html(f'<p>x<img src="{src}" alt="a"></p>')


@pytest.mark.parametrize("kind", ["png", "jpeg", "gif", "webp"])
def test_raster_data_images_are_kept(kind: str) -> None:
    html = f'<img src="data:image/{kind};base64,iVBORw0KGgo=" alt="a">'
    assert f"data:image/{kind};base64,iVBORw0KGgo=" in sanitize_html(html)


def _max_depth(markup: str) -> int:
    depth = best = 0
    for closing, name in re.findall(r"<(/?)([a-z0-9]+)", markup):
        if name in ("br", "img", "hr"):
            continue
        depth += -1 if closing else 1
        best = max(best, depth)
    return best


@pytest.mark.parametrize("unit", ["<div>", "<b><i>", "<ul><li>x", "<table><tr><td>",
                                  "<blockquote>", "<span>", "<a href='https://x.example'>"])
def test_deep_nesting_is_bounded_before_sanitizing(unit: str) -> None:
    hostile = unit * 20_000 + "deep text"
    clean = sanitize_html(hostile)
    assert "deep text" in clean
    assert _max_depth(clean) <= 2 * MAX_DEPTH  # (the parser adds implied <tbody>s)
    assert "deep text" in html_to_text(hostile)


@given(st.text(alphabet="<>/divpulia =\"'!-x&;", max_size=400))
@settings(max_examples=300, deadline=None)
def test_depth_limit_and_text_conversion_accept_anything(markup: str) -> None:
    limited = limit_depth(markup, 3)
    assert len(limited) <= len(markup)
    html_to_text(markup)
    once = sanitize_html(markup)
    assert sanitize_html(once) == once


def test_text_conversion_keeps_bullets_numbers_and_link_targets() -> None:
    html = ("<p>Hi</p><ul><li>one</li><li>two<ul><li>inner</li></ul></li></ul>"
            "<ol><li>first</li><li>second</li></ol>"
            '<p><a href="https://x.example/r">the report</a> and '
            '<a href="mailto:bob@x.test">bob@x.test</a></p>')
    assert html_to_text(html) == (
        "Hi\n\n* one\n* two\n   * inner\n\n1. first\n2. second\n\n"
        "the report <https://x.example/r> and bob@x.test")


def test_unclosed_constructs_are_read_to_the_end_once() -> None:
    # Each of these made the stdlib parser rescan to the end for every repetition.
    for unit in ("<!-- x", "<a href=\"x", "<!DOCTYPE x", "<? x", "</", "<![CDATA[ x"):
        assert isinstance(html_to_text(unit * 20_000), str)


def test_a_stored_unknown_zone_reads_back_as_utc_with_the_same_instant() -> None:
    from datetime import UTC, datetime

    from composer.domain.models import Draft, Schedule
    from composer.store.codec import draft_from_json, draft_to_json

    when = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)
    stored = draft_to_json(Draft(schedule=Schedule(when, "Europe/Berlin")))
    for bad in ("Mars/Olympus", "../../etc/passwd", "", "x" * 300):
        back = draft_from_json(stored.replace('"Europe/Berlin"', f'"{bad}"'))
        assert back.schedule is not None
        assert back.schedule.tz == "UTC" and back.schedule.send_at == when
