"""Recipient addresses as people paste them, validated without trusting ``getaddresses``.

``parse_addresses`` splits pasted text with a small tokenizer that respects quoted
names, angle brackets, comments and escapes (separators: comma, semicolon, newline, and
whitespace between bare addresses). Each piece is validated with email-validator
(deliverability off: no DNS). An invalid piece is kept as an ``Address`` with ``error``
set — never dropped — so the user sees and fixes it.

Python 3.11.7's ``email.utils.getaddresses`` mis-parses hostile input
(CVE-2023-27043: ``alice@example.org)<bob@example.org>`` becomes bob). Nothing here
uses it: a piece with stray brackets, parentheses or quotes is invalid, with a reason.

Accepted special-use names: ``.test`` and ``.example`` (RFC 2606/6761 names used for
testing and documentation). ``.local``, ``localhost``, ``.invalid`` and dotless domains
are refused, as email-validator does by default.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from composer.domain.models import Address, Draft
from composer.errors import InvalidInputError

_SEPARATORS = {",", ";", "\n", "\r"}

#: Characters some reader treats as the end of a line: CR, LF, VT, FF, the C0 file/group/
#: record separators, NEL, and Unicode's line and paragraph separators.
LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
#: An RFC 2047 encoded word anywhere in a value (readers decode them leniently, also
#: inside quotes and words, so every one is decoded here before checking).
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?\s]*)\?=")


def _decoded_words(value: str) -> Iterable[str]:
    """Every way the encoded words in ``value`` can read once decoded (by their charset,
    as UTF-8 and as Latin-1: a reader may use any of them)."""
    import email.errors
    import email.header

    for match in _ENCODED_WORD.finditer(value):
        try:
            parts = email.header.decode_header(match.group(0))
        except (email.errors.HeaderParseError, ValueError, LookupError):
            parts = [(match.group(3).encode("latin-1", "replace"), None)]
        for raw, charset in parts:
            data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
            yield data.decode("latin-1")
            yield data.decode("utf-8", "replace")
            if charset:
                try:
                    yield data.decode(charset, "replace")
                except (LookupError, UnicodeError, ValueError, TypeError):
                    yield ""


def decoded_header(value: str) -> str:
    """``value`` with each RFC 2047 encoded word decoded (UTF-8 for charsets that are
    unknown or not text charsets), as a mail reader would show it."""
    import codecs
    import email.header

    def decode(match: re.Match[str]) -> str:
        try:
            parts = email.header.decode_header(match.group(0))
        except (ValueError, LookupError, UnicodeError):
            return match.group(0)
        out = []
        for raw, charset in parts:
            if isinstance(raw, str):
                out.append(raw)
                continue
            try:
                text_codec = codecs.lookup(charset or "utf-8")._is_text_encoding
                out.append(raw.decode(charset if text_codec and charset else "utf-8",
                                      "replace"))
            except (LookupError, UnicodeError, ValueError):
                out.append(raw.decode("utf-8", "replace"))
        return "".join(out)

    return _ENCODED_WORD.sub(decode, value)


def header_text_problem(value: str) -> str | None:
    """Why ``value`` cannot be written as (part of) one header, or None if it can.

    Line breaks count in every form a reader knows (CR, LF, NEL, U+2028/U+2029, ...),
    also once RFC 2047 encoded words (``=?utf-8?q?a=0D=0ABcc:...?=``) are decoded:
    the stdlib's generator decodes and refolds them, which turns one into a real line.
    """
    for text in (value, *_decoded_words(value)):
        for ch in text:
            if ch in LINE_BREAKS:
                return "must be a single line (it contains a line break)"
            category = unicodedata.category(ch)
            if category == "Cc":
                return f"contains a control character (U+{ord(ch):04X})"
            if category == "Cs":
                return "is not valid text (it contains bytes that are not UTF-8)"
    return None


def check_header_text(field: str, value: str) -> None:
    """Refuse line breaks (also encoded or Unicode ones), NUL and other control
    characters, and undecodable bytes in a header field."""
    problem = header_text_problem(value)
    if problem is not None:
        raise InvalidInputError(field, problem)


def _split(text: str) -> list[str]:
    """Split on separators outside quotes, angle brackets and comments."""
    pieces: list[str] = []
    current: list[str] = []
    quoted = False
    angle = 0
    comment = 0
    escaped = False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
            continue
        if ch == "\\" and (quoted or comment):
            current.append(ch)
            escaped = True
            continue
        if quoted:
            current.append(ch)
            if ch == '"':
                quoted = False
            continue
        if ch == '"':
            quoted = True
        elif ch == "(":
            comment += 1
        elif ch == ")" and comment:
            comment -= 1
        elif ch == "<":
            angle += 1
        elif ch == ">" and angle:
            angle -= 1
        elif ch in _SEPARATORS and not angle and not comment:
            pieces.append("".join(current))
            current = []
            continue
        current.append(ch)
    pieces.append("".join(current))
    out: list[str] = []
    for piece in pieces:
        out.extend(_split_bare_words(piece.strip()))
    return [p for p in out if p]


def _split_bare_words(piece: str) -> list[str]:
    """``a@x.test b@y.test`` (pasted with spaces) -> two pieces; names stay whole."""
    if any(c in piece for c in '"<>()') or " " not in piece:
        return [piece]
    words = piece.split()
    if all("@" in w for w in words):
        return words
    return [piece]


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == '"' and name[-1] == '"':
        inner = name[1:-1]
        out: list[str] = []
        escaped = False
        for ch in inner:
            if escaped:
                out.append(ch)
                escaped = False
            elif ch == "\\":
                escaped = True
            else:
                out.append(ch)
        return "".join(out)
    return name


def _strip_comments(text: str) -> tuple[str, str]:
    """Remove (comments) outside quotes; returns (text, comment text)."""
    out: list[str] = []
    comments: list[str] = []
    depth = 0
    quoted = False
    for ch in text:
        if quoted:
            out.append(ch)
            if ch == '"':
                quoted = False
        elif ch == '"' and depth == 0:
            quoted = True
            out.append(ch)
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth:
            comments.append(ch)
        else:
            out.append(ch)
    return "".join(out), "".join(comments).strip()


def _validate(addr: str) -> tuple[str | None, str | None]:
    """(normalized address, None) or (None, reason)."""
    from email_validator import EmailNotValidError, validate_email  # 70 ms: load on first use

    try:
        result = validate_email(
            addr, check_deliverability=False, allow_display_name=False,
            test_environment=True, allow_quoted_local=False, allow_domain_literal=False,
        )
    except EmailNotValidError as exc:
        return None, str(exc)
    local, _, domain = result.normalized.rpartition("@")
    if domain.lower().endswith(".invalid") or domain.lower() == "invalid":
        return None, "The part after the @-sign is a special-use or reserved name that " \
            "cannot be used with email."
    return f"{local}@{domain}", None


def _mask_quoted(text: str) -> str:
    """``text`` with every character inside a quoted string (and its escapes) replaced
    by ``_``: the same length, so positions found in it hold in ``text``."""
    out: list[str] = []
    quoted = escaped = False
    for ch in text:
        if escaped:
            out.append("_")
            escaped = False
        elif quoted and ch == "\\":
            out.append("_")
            escaped = True
        elif ch == '"':
            out.append(ch)
            quoted = not quoted
        else:
            out.append("_" if quoted else ch)
    return "".join(out)


def parse_address(text: str) -> Address:
    raw = text.strip()
    work = raw
    if work.lower().startswith("mailto:"):
        work = work[7:]
    bad = next((ch for ch in work if ch in LINE_BREAKS or
                unicodedata.category(ch) in ("Cc", "Cs")), None)
    if bad is not None:
        return Address(addr=raw, error=f"contains a control character (U+{ord(bad):04X})",
                       raw=raw)
    work, comment = _strip_comments(work)
    work = work.strip()
    name = ""
    if "<" in work or ">" in work:
        masked = _mask_quoted(work)  # a quoted name may hold < and >
        if masked.count('"') % 2:
            return Address(addr=raw, error="has an unclosed quote in the name", raw=raw)
        start = masked.rfind("<")
        end = masked.rfind(">")
        if masked.count("<") != 1 or masked.count(">") != 1 or start > end or \
                work[end + 1:].strip():
            return Address(addr=raw, error="has unbalanced or misplaced angle brackets "
                           "(< >)", raw=raw)
        phrase = work[:start].strip()
        quoted = len(phrase) >= 2 and phrase[0] == '"' and phrase[-1] == '"'
        if phrase.count('"') % 2 and not quoted:
            return Address(addr=raw, error="has an unclosed quote in the name", raw=raw)
        if not quoted and any(c in phrase for c in '()<>[]:;@\\,"'):
            return Address(addr=raw, error="has characters in the name before <address> that "
                           "must be inside quotes", raw=raw)
        name = _unquote(phrase)
        addr = work[start + 1:end].strip()
    else:
        addr = work
        name = comment
    if not addr:
        return Address(addr=raw, error="has no address, only a name", raw=raw)
    if "@" not in addr:
        return Address(addr=raw, error="is not an email address (it has no @)", raw=raw)
    if any(c in addr for c in '"()<>,;[] '):
        return Address(addr=raw, error="contains characters that cannot appear in an "
                       "address (quotes, brackets, commas or spaces)", raw=raw)
    name_problem = header_text_problem(name)
    if name_problem is not None:
        return Address(addr=addr, name="", error=f"its name {name_problem}", raw=raw)
    normalized, error = _validate(addr)
    if normalized is None:
        return Address(addr=addr, name=name, error=error, raw=raw)
    return Address(addr=normalized, name=" ".join(name.split()), raw=raw)


def parse_addresses(text: str) -> list[Address]:
    """Every address in pasted text, in order; invalid ones kept with a reason."""
    return [parse_address(piece) for piece in _split(text)]


def ascii_domain(addr: str) -> str:
    """``addr`` with its domain in its ASCII form (IDNA) where it has one: what a mail
    server without SMTPUTF8 takes in an envelope. Unchanged when it is ASCII already or
    has no IDNA form."""
    local, at, domain = addr.rpartition("@")
    if not at or domain.isascii():
        return addr
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return addr


_ENCODED_RUN = re.compile(r"=\?[^?\s]{1,64}\?[bBqQ]\?[^?\s]*\?="
                          r"(?:[ \t]+=\?[^?\s]{1,64}\?[bBqQ]\?[^?\s]*\?=)*")


def parse_header_addresses(value: str) -> list[Address]:
    """The addresses of an address field as a message has it (unfolded): split first,
    then each display name's RFC 2047 encoded words decoded (the space between two of
    them is not text) and quoted, so an encoded comma, quote or bracket stays part of the
    name and the name is checked as the reader will show it."""

    def decoded(match: re.Match[str]) -> str:
        text = decoded_header(re.sub(r"\?=[ \t]+=\?", "?==?", match.group(0)))
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        inside_quotes = match.string.count('"', 0, match.start()) % 2 == 1
        return escaped if inside_quotes else f'"{escaped}"'

    return [parse_address(_ENCODED_RUN.sub(decoded, piece) if "=?" in piece else piece)
            for piece in _split(value)]


#: What may stand on either side of the @ of an address written into a header: anything
#: but whitespace, controls and the characters that make RFC 5322 read a name, comment,
#: group or second address.
_SAFE_ADDR = re.compile(r"[^\s\"(),:;<>@\[\\\]]+@[^\s\"(),:;<>@\[\\\]]+")
MAX_ADDR_OCTETS = 254


def header_problem(address: Address) -> str | None:
    """Why ``address`` must not be written into an address header (To, Cc, Bcc, From),
    or None if it can be. Checked again at every way out, whatever the stored draft
    claims: an invalid chip, or one whose address or name could inject a header or a
    second recipient, never reaches address syntax."""
    if not address.valid:
        return address.error or "is not a valid address"
    addr = address.addr
    if not _SAFE_ADDR.fullmatch(addr) or len(addr.encode("utf-8", "replace")) > MAX_ADDR_OCTETS \
            or header_text_problem(addr) is not None:
        return "is not a valid address"
    name_problem = header_text_problem(address.name)
    if name_problem is not None:
        return f"its name {name_problem}"
    return None


@dataclass(frozen=True)
class LeftOut:
    """A recipient that cannot be written into its header, and why."""

    field: str  # to | cc | bcc
    address: Address
    reason: str

    def describe(self) -> str:
        shown = (self.address.raw or self.address.addr)[:80]
        return f"{self.field}: {shown!r} {self.reason}"


@dataclass(frozen=True)
class HeaderRecipients:
    """A draft's recipients split into those that may be written into To/Cc/Bcc and
    those left out (each with its reason)."""

    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    bcc: tuple[Address, ...]
    left_out: tuple[LeftOut, ...]


def header_recipients(draft: Draft) -> HeaderRecipients:
    """The one gate between recipient chips and address headers: export, sync and send
    use it, and write only ``to``/``cc``/``bcc``; ``left_out`` is for the warning (or the
    refusal, for a send)."""
    kept: dict[str, list[Address]] = {"to": [], "cc": [], "bcc": []}
    left: list[LeftOut] = []
    for field_name, items in (("to", draft.to), ("cc", draft.cc), ("bcc", draft.bcc)):
        for a in items:
            problem = header_problem(a)
            if problem is None:
                kept[field_name].append(a)
            else:
                left.append(LeftOut(field_name, a, problem))
    return HeaderRecipients(tuple(kept["to"]), tuple(kept["cc"]), tuple(kept["bcc"]),
                            tuple(left))
