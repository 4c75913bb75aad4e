"""``mailto:`` links (RFC 6068): to, cc, bcc, subject, body, percent-encoded UTF-8."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from composer.errors import InvalidInputError


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
            subject = " ".join(text.splitlines())
        elif key == "body":
            body = text.replace("\r\n", "\n")
    return MailtoFields([t.strip() for t in to], [c.strip() for c in cc],
                        [b.strip() for b in bcc], subject, body)
