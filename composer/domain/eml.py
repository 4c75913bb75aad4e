"""Drafts as standard RFC 5322 messages (.eml), built and read with the stdlib ``email``.

Export: text and HTML bodies as ``multipart/alternative`` (an HTML-only draft also gets
a readable text part), attachments with RFC 2231 file names, and the draft's own data
in ``X-Composer-*`` headers (the context as one JSON header), so an export imports back
to the same draft. ``Bcc`` is written: this is the user's own draft file, not a message
in transit.

Import: real-world messages from other clients too (any charset, nested multiparts,
attachments by disposition or name, inline ``cid:`` images as attachments). Incoming
HTML is sanitized; every address is kept (invalid ones with their reason). Input that
is not an email at all is refused with a specific message.
"""

from __future__ import annotations

import email
import email.errors
import email.header
import email.policy
import email.utils
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage, Message

from composer.domain.addresses import check_header_text, parse_addresses
from composer.domain.filenames import safe_filename
from composer.domain.html import html_to_text, sanitize_html
from composer.domain.models import (
    Address,
    Attachment,
    BodyMode,
    Draft,
    Importance,
    Schedule,
    new_draft_id,
)
from composer.errors import InvalidInputError

_CONTEXT_HEADER = "X-Composer-Context"
_MAX_EML = 256 * 1024 * 1024


@dataclass(frozen=True)
class ParsedEml:
    draft: Draft
    files: list[tuple[Attachment, bytes]]
    original_id: str | None = None


def _addr_header(items: tuple[Address, ...]) -> str:
    return ", ".join(a.formatted() for a in items)


def draft_to_eml(draft: Draft, read_bytes: Callable[[str], bytes]) -> bytes:
    for name, value in (("Subject", draft.subject), ("From", draft.from_addr)):
        check_header_text(name, value)
    msg = EmailMessage(policy=email.policy.SMTPUTF8)
    if draft.from_addr:
        msg["From"] = draft.from_addr
    for header, items in (("To", draft.to), ("Cc", draft.cc), ("Bcc", draft.bcc)):
        if items:
            value = _addr_header(items)
            check_header_text(header, value)
            msg[header] = value
    msg["Subject"] = draft.subject
    msg["Date"] = email.utils.format_datetime(draft.updated_at.astimezone(UTC))
    msg["Message-ID"] = email.utils.make_msgid(domain="mail-composer.invalid")
    msg["X-Composer-Draft-Id"] = draft.id
    msg["X-Composer-Body-Mode"] = draft.body_mode.value
    if draft.importance is not Importance.NORMAL:
        msg["Importance"] = draft.importance.value
        msg["X-Priority"] = "1" if draft.importance is Importance.HIGH else "5"
    if draft.schedule is not None:
        msg["X-Composer-Send-At"] = draft.schedule.send_at.isoformat()
        msg["X-Composer-Send-Tz"] = draft.schedule.tz
    if draft.context:
        msg[_CONTEXT_HEADER] = json.dumps(dict(sorted(draft.context.items())))
    # Each text part gets exactly one trailing newline, which import removes again.
    if draft.body_mode is BodyMode.TEXT:
        msg.set_content(draft.text + "\n", subtype="plain", cte="quoted-printable")
    else:
        html = sanitize_html(draft.html)
        msg.set_content((draft.text or html_to_text(html)) + "\n", subtype="plain",
                        cte="quoted-printable")
        msg.add_alternative(html + "\n", subtype="html", cte="quoted-printable")
    for a in draft.attachments:
        maintype, _, subtype = a.content_type.partition("/")
        if not subtype:
            maintype, subtype = "application", "octet-stream"
        msg.add_attachment(read_bytes(a.sha256), maintype=maintype, subtype=subtype,
                           filename=safe_filename(a.name))
    return msg.as_bytes()


def _decode_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, errors="replace")
    except LookupError:
        text = payload.decode("utf-8", errors="replace")
    text = text.replace("\r\n", "\n")
    return text[:-1] if text.endswith("\n") else text


def _unfold(value: str) -> str:
    """RFC 5322 unfolding, then RFC 2047 encoded words decoded."""
    value = re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", "")
    # Raw UTF-8 headers (RFC 6532) arrive as surrogate escapes: decode them as UTF-8.
    value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if "=?" not in value:
        return value
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (UnicodeDecodeError, LookupError, email.errors.HeaderParseError):
        return value


def _raw_headers(msg: Message) -> dict[str, list[str]]:
    """Header values as written (the parsed forms re-render invalid addresses)."""
    out: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        out.setdefault(name.lower(), []).append(_unfold(str(value)).lstrip(" \t"))
    return out


def _addresses(values: list[str]) -> tuple[Address, ...]:
    out: list[Address] = []
    for value in values:
        out += parse_addresses(value)
    return tuple(out)


def eml_to_draft(data: bytes) -> ParsedEml:
    if not data.strip():
        raise InvalidInputError("eml", "the file is empty")
    if len(data) > _MAX_EML:
        raise InvalidInputError("eml", "the file is larger than 256 MB")
    if b"\x00" in data[:4096]:
        raise InvalidInputError("eml", "this is a binary file, not an email message (.eml)")
    msg = email.message_from_bytes(data, policy=email.policy.default)
    headers = _raw_headers(msg)

    def _header(name: str) -> str:
        values = headers.get(name.lower())
        return values[0] if values else ""

    known = ("from", "to", "subject", "date", "message-id", "mime-version", "content-type",
             "x-composer-draft-id")
    if not any(k in headers for k in known):
        raise InvalidInputError("eml", "no email headers found (From, To, Subject, ...); "
                                "this is not an email message")
    text_parts: list[str] = []
    html_parts: list[str] = []
    files: list[tuple[Attachment, bytes]] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = part.get_content_disposition()
        raw_name = part.get_filename()
        filename = _unfold(raw_name) if raw_name else None
        if disposition == "attachment" or filename or (
                disposition == "inline" and not ctype.startswith("text/")) or \
                not ctype.startswith("text/"):
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes) or not payload:
                continue
            name = safe_filename(filename or f"attachment.{ctype.split('/')[-1]}")
            files.append((Attachment(name, len(payload), ctype,
                                     hashlib.sha256(payload).hexdigest()), payload))
        elif ctype == "text/html":
            html_parts.append(_decode_text(part))
        elif ctype == "text/plain":
            text_parts.append(_decode_text(part))
    mode_header = _header("X-Composer-Body-Mode")
    html = sanitize_html("".join(html_parts)) if html_parts else ""
    text = "\n".join(text_parts)
    if mode_header == BodyMode.TEXT.value or (not html and mode_header != "html"):
        body_mode, html_body, text_body = BodyMode.TEXT, "", text
    else:
        body_mode, html_body, text_body = BodyMode.HTML, html, ""
    subject = _header("Subject")
    schedule = None
    send_at = _header("X-Composer-Send-At")
    if send_at:
        try:
            schedule = Schedule(datetime.fromisoformat(send_at),
                                _header("X-Composer-Send-Tz") or "UTC")
        except ValueError:
            schedule = None
    importance = Importance.NORMAL
    imp = _header("Importance").lower()
    if imp in ("high", "low"):
        importance = Importance(imp)
    context: dict[str, str] = {}
    if _header(_CONTEXT_HEADER):
        try:
            loaded = json.loads(_header(_CONTEXT_HEADER))
            if isinstance(loaded, dict):
                context = {str(k): str(v) for k, v in loaded.items()}
        except ValueError:
            context = {}
    original = _header("X-Composer-Draft-Id") or None
    draft = Draft(
        id=new_draft_id(),
        from_addr=_header("From"),
        to=_addresses(headers.get("to", [])),
        cc=_addresses(headers.get("cc", [])),
        bcc=_addresses(headers.get("bcc", [])),
        subject=subject,
        body_mode=body_mode,
        html=html_body,
        text=text_body.replace("\r\n", "\n"),
        attachments=tuple(a for a, _ in files),
        schedule=schedule,
        importance=importance,
        context=context,
    )
    return ParsedEml(draft, files, original)
