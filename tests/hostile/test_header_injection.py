"""Header injection: encoded words, Unicode line breaks, invalid chips, CVE-2023-27043.

Oracle: whatever a user, a file or a link hands us, an exported message has exactly the
headers the app set (parsed back by the stdlib and checked), and To/Cc/Bcc hold only
addresses that were valid chips."""

from __future__ import annotations

import base64
import email
import email.policy
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from composer.domain.addresses import header_recipients, header_text_problem, parse_addresses
from composer.domain.eml import draft_to_eml
from composer.domain.mailto import parse_mailto
from composer.domain.models import Address, Draft
from composer.errors import InvalidInputError
from tests.hostile.conftest import Cli, Unchanged, assert_refused

BREAKS = ["\r\n", "\n", "\r", "\x85", "\u2028", "\u2029", "\x0b", "\x0c"]
EXPECTED = {"from", "to", "cc", "bcc", "subject", "date", "message-id", "x-composer-draft-id",
            "x-composer-body-mode", "mime-version", "content-type", "importance",
            "x-priority", "x-composer-context", "x-composer-send-at", "x-composer-send-tz"}


def _encoded(text: str, how: str) -> str:
    data = text.encode("utf-8")
    if how == "b":
        return f"=?utf-8?b?{base64.b64encode(data).decode()}?="
    q = "".join(f"={b:02X}" if b > 126 or b < 33 or chr(b) in "=?_" else chr(b) for b in data)
    return f"=?utf-8?q?{q}?="


def _header_names(data: bytes) -> list[str]:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    return [k.lower() for k in msg]


def _recipients(data: bytes) -> set[str]:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    found: set[str] = set()
    for name in ("to", "cc", "bcc"):
        for header in msg.get_all(name) or []:
            found |= {a.addr_spec for a in header.addresses}
    return found


injection = st.builds(
    lambda before, brk, how, evil: _encoded(f"{before}{brk}Bcc: {evil}@y.test", how),
    st.text(alphabet="abc xyz", max_size=8), st.sampled_from(BREAKS),
    st.sampled_from(["q", "b"]), st.from_regex(r"[a-z]{1,8}", fullmatch=True))


@given(injection)
@settings(max_examples=60, deadline=None)
def test_encoded_line_breaks_are_refused_in_subject_and_from(value: str) -> None:
    assert header_text_problem(value) is not None
    assert header_text_problem(f"Hi {value} there") is not None
    for draft in (Draft(subject=value), Draft(from_addr=f"{value} <me@x.test>")):
        try:
            data = draft_to_eml(draft, lambda sha: b"")
        except InvalidInputError:
            continue
        raise AssertionError(f"exported: {data[:200]!r}")


@given(injection, st.sampled_from(["to", "cc", "bcc"]))
@settings(max_examples=60, deadline=None)
def test_encoded_line_breaks_in_display_names_never_make_a_header(value: str, field: str
                                                                  ) -> None:
    pasted = [f'"{value}" <a@x.test>', f"{value} <a@x.test>", f"a@x.test ({value})"]
    for text in pasted:
        chips = (*parse_addresses(text), Address("ok@x.test"))
        draft = Draft(**{field: chips})  # type: ignore[arg-type]
        data = draft_to_eml(draft, lambda sha: b"")
        assert set(_header_names(data)) <= EXPECTED
        assert "bcc" not in _header_names(data) or field == "bcc"
        assert not any(a.endswith("@y.test") for a in _recipients(data))
    # A chip that claims to be valid but carries a line break in its name is left out too.
    forged = Draft(to=(Address("a@x.test", f"Evil{BREAKS[0]}Bcc: e@y.test"),))
    data = draft_to_eml(forged, lambda sha: b"")
    assert _recipients(data) == set() and "bcc" not in _header_names(data)


HOSTILE_CHIPS = [
    "alice@example.org)<bob@example.org>",          # CVE-2023-27043
    "a@x.test\r\nBcc: evil@y.test",
    "a@x.test\u2028Bcc: evil@y.test",
    "group: evil@y.test;",
    '"a@x.test" <evil@y.test>, <other@y.test>',
    "a@x.test>, evil@y.test",
    "<evil@y.test",
    "a@x.test (comment) <evil@y.test>",
    "x" * 10_000 + "@y.test",
    "=?utf-8?q?a=0D=0ABcc:_evil@y.test?= <ok@x.test>",
]


@given(st.lists(st.sampled_from(HOSTILE_CHIPS) | st.text(max_size=40), max_size=5))
@settings(max_examples=80, deadline=None)
def test_only_valid_chips_reach_address_headers(pieces: list[str]) -> None:
    chips = tuple(a for p in pieces for a in parse_addresses(p))
    draft = Draft(to=chips, cc=chips)
    data = draft_to_eml(draft, lambda sha: b"")
    written = _recipients(data)
    allowed = {a.addr for a in header_recipients(draft).to}
    assert written <= allowed
    assert all(a.valid for a in chips if a.addr in written)
    assert set(_header_names(data)) <= EXPECTED
    head = data.split(b"\r\n\r\n")[0]
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))


def test_cve_2023_27043_pasted_on_the_command_line_is_never_exported(
        cli: Cli, tmp_path: Path) -> None:
    draft_id = cli.new("--to", "alice@example.org)<bob@example.org>", "--to", "ok@x.test",
                       "--cc", "a@x.test\r\nBcc: evil@y.test")
    shown = cli.show(draft_id)
    assert {p["value"] for p in shown["invalid_recipients"]} >= {  # type: ignore[union-attr]
        "alice@example.org)<bob@example.org>", "Bcc: evil@y.test"}
    out = tmp_path / "out.eml"
    result = cli("draft", "export", draft_id, "--eml", str(out))
    assert result.code == 0 and "left out" in result.err
    data = out.read_bytes()
    assert _recipients(data) == {"ok@x.test", "a@x.test"}
    assert b"bob@example.org" not in data and b"evil@y.test" not in data.split(b"\r\n\r\n")[0]
    # sending refuses the draft: nothing is queued
    with Unchanged(cli.data):
        assert_refused(cli("draft", "send", draft_id), code=1, words="fix or remove them")


def test_subject_injection_from_the_command_line_changes_nothing(cli: Cli) -> None:
    cli.new("--subject", "fine")
    for subject in ("=?utf-8?q?hi=0D=0ABcc:_evil@y.test?=", "hi\u2028Bcc: evil@y.test",
                    "=?utf-8?b?aGkNCkJjYzogZXZpbEB5LnRlc3Q=?=", "hi\x85Bcc: e@y.test"):
        with Unchanged(cli.data):
            assert_refused(cli("draft", "new", "--subject", subject), code=1,
                           words="line break")
            assert_refused(cli("draft", "new", "--from", f"{subject} <me@x.test>"), code=1)


@given(injection, st.sampled_from(["%0D%0A", "%E2%80%A8", "%C2%85", ""]))
@settings(max_examples=40, deadline=None)
def test_mailto_subject_is_one_line_after_decoding(value: str, raw_break: str) -> None:
    from urllib.parse import quote

    link = f"mailto:a@x.test?subject={quote(value)}{raw_break}x&body=hi"
    fields = parse_mailto(link)
    assert header_text_problem(fields.subject) is None
    data = draft_to_eml(Draft(subject=fields.subject, to=tuple(parse_addresses(fields.to[0]))),
                        lambda sha: b"")
    assert "bcc" not in _header_names(data)


def test_header_lines_are_never_longer_than_998_octets(cli: Cli, tmp_path: Path) -> None:
    long_word = "x" * 10_000
    draft_id = cli.new("--subject", long_word + " " + long_word, "--to", "ok@x.test",
                       "--to", f"{long_word}@y.test", "--context", f"ref={'r' * 256}")
    out = tmp_path / "out.eml"
    cli.ok("draft", "export", draft_id, "--eml", str(out))
    head = out.read_bytes().split(b"\r\n\r\n")[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 998
    assert _recipients(out.read_bytes()) == {"ok@x.test"}
    # A name that cannot be folded (one 2,000-character word) is refused, not written long.
    named = cli.new("--to", f'"{"n" * 2000}" <ok@x.test>')
    with Unchanged(cli.data):
        assert_refused(cli("draft", "export", named, "--eml", str(tmp_path / "n.eml")),
                       code=1, words="998")
    assert not (tmp_path / "n.eml").exists()
