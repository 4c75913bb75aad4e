"""Writing MIME messages: header fields, encoded words, parts and multiparts as bytes.

Why not ``email.message.EmailMessage`` and its generator: the drafts we write have one
known shape (a few header fields, text and HTML bodies, attached files), and building
them through the header registry and the policy's folding costs about 3 ms a message,
more than a server takes to store one (pushing a backlog of drafts to an IMAP server
was limited by it). This writer does that one shape in about a tenth of the time; the
stdlib ``email`` parser reads everything it writes (``tests/unit/test_mime_writer.py``).

What it writes (RFC 5322, 2045-2047, 2231, 6532):
- Header fields folded at spaces to lines of at most 78 characters where the words allow;
  a line over 998 octets is refused (``InvalidInputError``), never written.
- Text with a non-ASCII character (or that a reader would take for an encoded word, "=?")
  as RFC 2047 ``B`` encoded words of at most 75 characters; in address fields only the
  display names are encoded. A non-ASCII address itself (an internationalised mailbox) is
  written as UTF-8 (RFC 6532): it has no ASCII form.
- Bodies as quoted-printable UTF-8 (lines of at most 76 characters), files as base64,
  file names as RFC 2231 parameters (continued when long), CRLF line ends throughout.
- Callers pass text already checked for line breaks and control characters
  (``composer.domain.addresses.check_header_text``); the writer still refuses a value
  with any line break, so no caller can inject a header field through it, and every
  line it writes is checked against the 998-octet limit.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import urllib.parse
from collections.abc import Iterable, Sequence

from composer.domain.addresses import LINE_BREAKS
from composer.errors import InvalidInputError

CRLF = b"\r\n"
#: RFC 5322 2.1.1: lines SHOULD be at most 78 characters and MUST be at most 998 octets.
FOLD_AT = 78
MAX_LINE_OCTETS = 998
#: RFC 2047 2: an encoded word is at most 75 characters; 45 bytes are 60 base64 characters.
_WORD_BYTES = 45
_TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
_PHRASE_SPECIALS = frozenset('()<>[]:;@\\,."')


class Header:
    """One header field being written: pieces that may be separated by a fold."""

    def __init__(self, name: str) -> None:
        if not _TOKEN.fullmatch(name):
            raise InvalidInputError("eml", f"{name[:40]!r} is not a header field name")
        self.name = name
        self._pieces: list[str] = []

    def words(self, text: str) -> Header:
        """Unstructured text (RFC 5322 3.2.5): folded at its spaces, or as encoded words
        when it is not ASCII or has a word too long for a line."""
        _no_breaks(self.name, text)
        words = text.split(" ")
        longest = MAX_LINE_OCTETS - len(self.name) - 2
        if needs_encoding(text) or any(len(w) > longest for w in words):
            self._pieces += encoded_words(text)
        else:
            self._pieces += words
        return self

    def raw(self, value: str) -> Header:
        """A value that is already in its written form (a date, a message id, JSON)."""
        _no_breaks(self.name, value)
        self._pieces += value.split(" ")
        return self

    def addresses(self, items: Iterable[tuple[str, str]]) -> Header:
        """``(display name, address)`` pairs as an address list."""
        pieces: list[str] = []
        for name, addr in items:
            _no_breaks(self.name, name)
            _no_breaks(self.name, addr)
            if pieces:
                pieces[-1] += ","
            if name:
                pieces += phrase(name)
                pieces.append(f"<{addr}>")
            else:
                pieces.append(addr)
        self._pieces += pieces
        return self

    def encode(self) -> bytes:
        """The field, folded, with its CRLF."""
        lines: list[str] = []
        line = f"{self.name}:"
        for piece in self._pieces:
            # Fold before the space that precedes a piece (never leaving a line of spaces).
            if piece and len(line) + 1 + len(piece) > FOLD_AT and line.strip(" ") and \
                    not line.endswith(":"):
                lines.append(line)
                line = " " + piece
            else:
                line += " " + piece
        lines.append(line)
        data = "\r\n".join(lines).encode("utf-8", "replace")
        for octets in data.split(CRLF):
            if len(octets) > MAX_LINE_OCTETS:
                raise InvalidInputError(
                    "eml", f"{self.name} would be written as a line longer than "
                    f"{MAX_LINE_OCTETS} octets (a word, name or address is too long)")
        return data + CRLF


def _no_breaks(name: str, value: str) -> None:
    """Every field is one field: no value carries a line break of any kind a reader
    knows (CR, LF, NEL, U+2028 ...), so no value can start another field."""
    if not LINE_BREAKS.isdisjoint(value):
        raise InvalidInputError("eml", f"{name} contains a line break; nothing was written")


def needs_encoding(text: str) -> bool:
    return not text.isascii() or "=?" in text


def encoded_words(text: str) -> list[str]:
    """``text`` as RFC 2047 ``B`` encoded words, split between characters, after a space
    where there is one (the space stays in the word before): the whitespace between two
    encoded words is not text (RFC 2047 6.2), and a reader that keeps it anyway (Python's
    own parser does, in display names) then shows at worst a doubled space."""
    words: list[str] = []
    chunk = ""
    size = 0
    for ch in text:
        octets = len(ch.encode("utf-8", "replace"))
        if size + octets > _WORD_BYTES:
            cut = chunk.rfind(" ") + 1 or len(chunk)
            words.append(_b_word(chunk[:cut]))
            chunk = chunk[cut:]
            size = len(chunk.encode("utf-8", "replace"))
            if size + octets > _WORD_BYTES:
                words.append(_b_word(chunk))
                chunk, size = "", 0
        chunk += ch
        size += octets
    if chunk or not words:
        words.append(_b_word(chunk))
    return words


def _b_word(text: str) -> str:
    octets = text.encode("utf-8", "replace")
    return f"=?utf-8?b?{base64.b64encode(octets).decode('ascii')}?="


def phrase(name: str) -> list[str]:
    """A display name (RFC 5322 3.2.5 ``phrase``): atoms, a quoted string, or encoded
    words when it has a non-ASCII character."""
    if needs_encoding(name):
        return encoded_words(name)
    if any(c in _PHRASE_SPECIALS for c in name) or name != name.strip() or "  " in name:
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}"'.split(" ")
    return name.split(" ")


def content_type(value: str) -> str:
    """``type/subtype`` when it is one (RFC 2045 tokens), else application/octet-stream."""
    maintype, _, subtype = value.strip().partition("/")
    if _TOKEN.fullmatch(maintype) and _TOKEN.fullmatch(subtype):
        return f"{maintype.lower()}/{subtype.lower()}"
    return "application/octet-stream"


def _filename_params(name: str) -> list[str]:
    """``filename`` parameters: a quoted string when ASCII and short, else RFC 2231
    percent-encoded UTF-8, continued in sections that keep lines short."""
    if name.isascii() and len(name) < 60 and name.isprintable():
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return [f'filename="{quoted}"']
    encoded = urllib.parse.quote(name, safe="!#$&+-.^_`|~", encoding="utf-8")
    if len(encoded) <= 60:
        return [f"filename*=utf-8''{encoded}"]
    sections: list[str] = []
    rest = encoded
    while rest:
        cut = min(len(rest), 60)
        # never split a %XX escape
        pct = rest.rfind("%", max(0, cut - 2), cut)
        if pct != -1 and cut < len(rest):
            cut = pct
        sections.append(rest[:cut])
        rest = rest[cut:]
    return [f"filename*{n}*={'utf-8' + chr(39) * 2 if n == 0 else ''}{s}"
            for n, s in enumerate(sections)]


def text_part(text: str, subtype: str) -> bytes:
    """A ``text/<subtype>`` part in UTF-8, quoted-printable; line ends written as CRLF
    (CR and CRLF in ``text`` are line ends too)."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8", "replace")
    encoded = binascii.b2a_qp(body, quotetabs=False, istext=True, header=False)
    return (f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode("ascii") + \
        encoded.replace(b"\n", CRLF)


def file_part(data: bytes, ctype: str, filename: str) -> bytes:
    """An attached file: base64 in lines of 76 characters."""
    disposition = Header("Content-Disposition").raw(
        "; ".join(["attachment", *_filename_params(filename)])).encode()
    return (f"Content-Type: {content_type(ctype)}\r\n"
            "Content-Transfer-Encoding: base64\r\n").encode("ascii") + disposition + \
        CRLF + base64.encodebytes(data).replace(b"\n", CRLF)


def multipart(subtype: str, parts: Sequence[bytes]) -> bytes:
    """A ``multipart/<subtype>`` part (its Content-Type field and body) around ``parts``,
    each a part with its own header fields."""
    boundary = _boundary(parts)
    sep = f"--{boundary}\r\n".encode("ascii")
    out = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode()]
    for part in parts:
        # the CRLF before a delimiter belongs to the delimiter (RFC 2046 5.1.1)
        out += [sep, part, CRLF]
    out.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(out)


def _boundary(parts: Sequence[bytes]) -> str:
    while True:
        # "=_" never occurs in quoted-printable or base64 text
        boundary = f"=_mc{secrets.token_hex(12)}"
        marker = boundary.encode("ascii")
        if not any(marker in part for part in parts):
            return boundary
