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

import unicodedata

from composer.domain.models import Address
from composer.errors import InvalidInputError

_SEPARATORS = {",", ";", "\n", "\r"}


def check_header_text(field: str, value: str) -> None:
    """Refuse CR, LF, NUL and other control characters in a header field."""
    for ch in value:
        if ch in "\r\n":
            raise InvalidInputError(field, "must be a single line (it contains a line break)")
        if unicodedata.category(ch) == "Cc":
            raise InvalidInputError(field, f"contains a control character (U+{ord(ch):04X})")


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


def parse_address(text: str) -> Address:
    raw = text.strip()
    work = raw
    if work.lower().startswith("mailto:"):
        work = work[7:]
    bad = next((ch for ch in work if unicodedata.category(ch) == "Cc"), None)
    if bad is not None:
        return Address(addr=raw, error=f"contains a control character (U+{ord(bad):04X})",
                       raw=raw)
    work, comment = _strip_comments(work)
    work = work.strip()
    name = ""
    if "<" in work or ">" in work:
        start = work.rfind("<")
        end = work.rfind(">")
        if work.count("<") != 1 or work.count(">") != 1 or start > end or \
                work[end + 1:].strip():
            outside_quotes = work.replace('"', "")
            if outside_quotes.count("<") != 1 or outside_quotes.count(">") != 1:
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
    normalized, error = _validate(addr)
    if normalized is None:
        return Address(addr=addr, name=name, error=error, raw=raw)
    return Address(addr=normalized, name=" ".join(name.split()), raw=raw)


def parse_addresses(text: str) -> list[Address]:
    """Every address in pasted text, in order; invalid ones kept with a reason."""
    return [parse_address(piece) for piece in _split(text)]
