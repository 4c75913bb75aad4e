"""``mailto:`` links (RFC 6068): to, cc, bcc, subject, body, percent-encoded UTF-8.

A link is someone else's text: the subject becomes one line with its RFC 2047 encoded
words decoded (a mail writer would decode them, and a decoded line break would become
a header of its own), every kind of line break and control character made a space;
percent-decoding that is not UTF-8 is replaced, never kept as undecodable bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from composer.domain.addresses import LINE_BREAKS, decoded_header
from composer.errors import InvalidInputError


def _one_line(text: str) -> str:
    decoded = decoded_header(text)
    flat = "".join(" " if ch in LINE_BREAKS or not (ch.isprintable() or ch == "\t") else ch
                   for ch in decoded)
    return " ".join(flat.split())


@dataclass(frozen=True)
class MailtoFields:
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    subject: str = ""
    body: str = ""


def parse_mailto(url: str) -> MailtoFields:
    if not url.lower().startswith("mailto:"):
        raise InvalidInputError("mailto", f"{url!r} is not a mailto: link")
    rest = url[len("mailto:"):]
    path, _, query = rest.partition("?")
    to = [unquote(p) for p in path.split(",") if p.strip()] if path else []
    cc: list[str] = []
    bcc: list[str] = []
    subject = body = ""
    for pair in query.split("&") if query else []:
        key, _, value = pair.partition("=")
        key = unquote(key).lower()
        text = unquote(value.replace("+", "%2B"))
        if key == "to":
            to += [t for t in text.split(",") if t.strip()]
        elif key == "cc":
            cc += [t for t in text.split(",") if t.strip()]
        elif key == "bcc":
            bcc += [t for t in text.split(",") if t.strip()]
        elif key == "subject":
            subject = _one_line(text)
        elif key == "body":
            body = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return MailtoFields([t.strip() for t in to], [c.strip() for c in cc],
                        [b.strip() for b in bcc], subject, body)
