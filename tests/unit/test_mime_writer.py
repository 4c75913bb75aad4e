"""The MIME writer against the stdlib parser: what it writes reads back exactly."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.domain import mime_writer
from composer.domain.addresses import parse_header_addresses
from composer.domain.mime_writer import Header
from composer.errors import InvalidInputError

# Header text as users type it: no line breaks or other controls (refused before the writer).
_line = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
                max_size=300)
_name = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
                min_size=1, max_size=60).filter(lambda s: " ".join(s.split()) == s)
# (display names are kept with their whitespace collapsed, as parse_address leaves them)


def _parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\r\n")


@given(_line.map(lambda s: s.strip()))
@settings(max_examples=300, deadline=None)
def test_unstructured_text_reads_back_exactly(text: str) -> None:
    data = Header("Subject").words(text).encode() + b"\r\n"
    assert all(len(line) <= 998 for line in _lines(data))
    assert str(_parse(data)["Subject"]) == text


@given(st.lists(st.text(alphabet="ab =?", max_size=12), max_size=30).map(" ".join))
@settings(max_examples=200, deadline=None)
def test_ascii_text_folds_at_its_spaces_and_keeps_every_space(text: str) -> None:
    data = Header("Subject").words(text).encode()
    unfolded = data.decode().replace("\r\n ", " ")[len("Subject: "):-2]
    if "=?" not in text:
        assert unfolded == text  # not encoded: the written words are the text
        # (trailing spaces cannot start a line of their own: a line of spaces is not a fold)
        assert all(len(line.rstrip(b" ")) <= 78 for line in _lines(data)
                   if b" " in line.strip())


@pytest.mark.parametrize("text", ["x" * 10_000, "a " + "y" * 2_000 + " b", "=?utf-8?q?x?="])
def test_words_too_long_for_a_line_or_looking_encoded_are_encoded(text: str) -> None:
    data = Header("Subject").words(text).encode() + b"\r\n"
    assert max(len(line) for line in _lines(data)) <= 78 + len("Subject: ")
    assert str(_parse(data)["Subject"]) == text


@given(st.lists(st.tuples(st.one_of(st.just(""), _name),
                          st.from_regex(r"[a-z0-9.]{1,20}@[a-zé]{1,10}\.example",
                                        fullmatch=True)), min_size=1, max_size=8))
@settings(max_examples=300, deadline=None)
def test_address_lists_read_back_with_their_names(pairs: list[tuple[str, str]]) -> None:
    pairs = [(n, a) for n, a in pairs if ".." not in a and not a.startswith(".")
             and ".@" not in a]
    if not pairs:
        return
    data = Header("To").addresses(pairs).encode() + b"\r\n"
    assert all(len(line) <= 998 for line in _lines(data))
    stdlib = _parse(data)["To"].addresses
    # The stdlib reads raw UTF-8 header bytes as surrogate escapes, and puts a space
    # between two encoded words of a name (RFC 2047 6.2: that space is not text): names
    # that needed more than one encoded word are compared without their spaces.

    def spaced(name: str) -> str:
        return name if len(name.encode()) <= 45 else name.replace(" ", "")

    assert [(spaced(a.display_name), a.addr_spec.encode("utf-8", "surrogateescape").decode())
            for a in stdlib] == [(spaced(n), a) for n, a in pairs]
    unfolded = data.decode().replace("\r\n ", " ")[len("To: "):-4]
    ours = parse_header_addresses(unfolded)
    assert [(a.name, a.addr) for a in ours] == pairs


@pytest.mark.parametrize("value", ["a\r\nBcc: e@x.test", "a\nb", "a\rb", "a\u2028Bcc: e@x.test",
                                   "a\x85b", "a\x0bb"])
def test_line_breaks_are_refused_in_every_kind_of_value(value: str) -> None:
    for write in (lambda h: h.words(value), lambda h: h.raw(value),
                  lambda h: h.addresses([(value, "a@x.test")]),
                  lambda h: h.addresses([("", f"{value}@x.test")])):
        with pytest.raises(InvalidInputError, match="line break"):
            write(Header("Subject"))


def test_a_header_field_name_must_be_a_name() -> None:
    with pytest.raises(InvalidInputError):
        Header("Bcc: x\r\nSubject")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2_000))
@settings(max_examples=300, deadline=None)
def test_text_parts_read_back_exactly_with_short_lines(text: str) -> None:
    part = mime_writer.text_part(text, "plain")
    assert all(len(line) <= 76 for line in _lines(part.split(b"\r\n\r\n", 1)[1]))
    assert part.isascii()
    content = _parse(part).get_content()
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert content.replace("\r\n", "\n") == expected


@given(st.binary(max_size=3_000),
       st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
               min_size=1, max_size=200).filter(lambda s: s.strip() == s),
       st.sampled_from(["application/pdf", "image/png", "text/plain",
                        "bad type", "a/b\r\nBcc: x", "x/"]))
@settings(max_examples=200, deadline=None)
def test_files_read_back_with_their_names(data: bytes, name: str, ctype: str) -> None:
    part = mime_writer.file_part(data, ctype, name)
    assert part.isascii()
    assert all(len(line) <= 998 for line in _lines(part))
    parsed = _parse(part)
    assert parsed.get_filename() == name
    assert parsed.get_payload(decode=True) == data
    assert parsed.get_content_type() == (ctype if ctype.count("/") == 1 and " " not in ctype
                                         and ctype[-1] != "/" else "application/octet-stream")


def test_multiparts_nest_and_every_part_is_read_back() -> None:
    inner = mime_writer.multipart("alternative", [mime_writer.text_part("plain\n", "plain"),
                                                  mime_writer.text_part("<p>h</p>\n", "html")])
    outer = mime_writer.multipart("mixed", [inner, mime_writer.file_part(b"\x00\x01", "x/y",
                                                                         "f.bin")])
    msg = _parse(b"MIME-Version: 1.0\r\n" + outer)
    kinds = [p.get_content_type() for p in msg.walk()]
    assert kinds == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html",
                     "x/y"]
    body = msg.get_body(("plain",))
    assert body is not None and body.get_content() == "plain\r\n"  # as written: CRLF
    assert not msg.defects and all(not p.defects for p in msg.walk())
