"""Drafts as standard RFC 5322 messages (.eml): written by ``mime_writer`` (one known
shape, about a tenth of the stdlib generator's time), read with the stdlib ``email``.

Export: text and HTML bodies as ``multipart/alternative`` (an HTML-only draft also gets
a readable text part), attachments with RFC 2231 file names, and the draft's own data
in ``X-Composer-*`` headers (the context as one JSON header), so an export imports back
to the same draft. ``Bcc`` is written: this is the user's own draft file, not a message
in transit. Header text that is not ASCII is written as RFC 2047 encoded words (only an
internationalised address itself as UTF-8), so any server and reader takes the file.

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
import functools
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from email.message import Message

from composer.domain import mime_writer
from composer.domain.addresses import (
    check_header_text,
    header_problem,
    header_recipients,
    parse_addresses,
    parse_header_addresses,
)
from composer.domain.context import check_context
from composer.domain.filenames import safe_filename
from composer.domain.html import html_to_text, sanitize_html
from composer.domain.mime_writer import Header
from composer.domain.models import (
    Address,
    Attachment,
    BodyMode,
    Draft,
    Importance,
    new_draft_id,
)
from composer.domain.schedule import stored_schedule
from composer.errors import InvalidInputError

_CONTEXT_HEADER = "X-Composer-Context"
#: the domain of the Message-IDs written here (IMAP tells our copies by it)
MESSAGE_ID_DOMAIN = "mail-composer.invalid"
MAX_EML_BYTES = 256 * 1024 * 1024
#: More ``multipart/`` sections than this (real messages have a handful) is refused
#: before parsing: the stdlib parser recurses once per nesting level.
MAX_MULTIPARTS = 100


@dataclass(frozen=True)
class ParsedEml:
    draft: Draft
    files: list[tuple[Attachment, bytes]]
    original_id: str | None = None


@functools.lru_cache(maxsize=64)
def _from_address(value: str) -> Address:
    """The From address to write: one valid address (with its name), never text a parser
    could read as several addresses or a group. (Kept per text: an account writes the
    same From on every draft, and validating it is most of a small draft's cost.)"""
    check_header_text("from", value)
    parsed = parse_addresses(value)
    if len(parsed) != 1 or header_problem(parsed[0]) is not None:
        reason = header_problem(parsed[0]) if len(parsed) == 1 else "is not one address"
        raise InvalidInputError("from", f"{value[:80]!r} {reason}")
    return parsed[0]


def draft_to_eml(draft: Draft, read_bytes: Callable[[str], bytes], *,
                 extra: Sequence[tuple[str, str]] = ()) -> bytes:
    """The draft as an .eml file (``composer.domain.mime_writer``). Recipients that
    ``header_recipients`` leaves out (invalid chips) are not written; callers warn about
    them. ``extra``: header fields written first (ASCII values, e.g. a sync marker)."""
    check_header_text("subject", draft.subject)
    fields = [Header(name).raw(value) for name, value in extra]
    if draft.from_addr.strip():
        sender = _from_address(draft.from_addr)
        fields.append(Header("From").addresses([(sender.name, sender.addr)]))
    recipients = header_recipients(draft)
    for name, items in (("To", recipients.to), ("Cc", recipients.cc),
                        ("Bcc", recipients.bcc)):
        if items:
            fields.append(Header(name).addresses((a.name, a.addr) for a in items))
    fields += [
        Header("Subject").words(draft.subject),
        Header("Date").raw(email.utils.format_datetime(draft.updated_at.astimezone(UTC))),
        Header("Message-ID").raw(email.utils.make_msgid(domain=MESSAGE_ID_DOMAIN)),
        Header("X-Composer-Draft-Id").raw(draft.id),
        Header("X-Composer-Body-Mode").raw(draft.body_mode.value),
    ]
    if draft.importance is not Importance.NORMAL:
        fields += [Header("Importance").raw(draft.importance.value),
                   Header("X-Priority").raw("1" if draft.importance is Importance.HIGH
                                            else "5")]
    if draft.schedule is not None:
        fields += [Header("X-Composer-Send-At").raw(draft.schedule.send_at.isoformat()),
                   Header("X-Composer-Send-Tz").raw(draft.schedule.tz)]
    if draft.context:
        fields.append(Header(_CONTEXT_HEADER).raw(
            json.dumps(dict(sorted(draft.context.items())))))
    fields.append(Header("MIME-Version").raw("1.0"))
    # Each text part gets exactly one trailing newline, which import removes again.
    if draft.body_mode is BodyMode.TEXT:
        body = mime_writer.text_part(draft.text + "\n", "plain")
    else:
        html = sanitize_html(draft.html)
        body = mime_writer.multipart("alternative", [
            mime_writer.text_part((draft.text or html_to_text(html)) + "\n", "plain"),
            mime_writer.text_part(html + "\n", "html")])
    if draft.attachments:
        body = mime_writer.multipart("mixed", [body, *(
            mime_writer.file_part(read_bytes(a.sha256), a.content_type,
                                  safe_filename(a.name)) for a in draft.attachments)])
    # (each field is exactly one field, its lines at most 998 octets: ``Header.encode``)
    return b"".join(f.encode() for f in fields) + body


def _codec(charset: str | None) -> str:
    """A text codec for ``charset``; UTF-8 for unknown, binary or hostile ones (``idna``,
    ``rot13``, ``zlib`` ... are codecs but not text charsets)."""
    import codecs

    if not charset:
        return "utf-8"
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError, TypeError):
        return "utf-8"
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return "utf-8"
    return info.name


_NOT_CHARSETS = {"idna", "punycode", "raw-unicode-escape", "unicode-escape", "undefined",
                 "raw_unicode_escape", "unicode_escape"}


def _decode_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        text = payload.decode(_codec(part.get_content_charset()), errors="replace")
    except (UnicodeError, LookupError, ValueError):
        text = payload.decode("utf-8", errors="replace")
    text = text.replace("\r\n", "\n")
    return text[:-1] if text.endswith("\n") else text


def _unfold(value: str, *, decode: bool = True) -> str:
    """RFC 5322 unfolding, then (``decode``) RFC 2047 encoded words decoded."""
    value = re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", "")
    # Raw UTF-8 headers (RFC 6532) arrive as surrogate escapes: decode them as UTF-8.
    value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if not decode or "=?" not in value:
        return value
    try:
        parts = email.header.decode_header(value)
    except (UnicodeError, LookupError, ValueError, email.errors.HeaderParseError):
        return value
    try:
        return str(email.header.make_header(parts))
    except (UnicodeError, LookupError, ValueError, email.errors.HeaderParseError):
        # A hostile or unknown charset: its words read as UTF-8 instead.
        return "".join(
            raw.decode(_codec(charset) if charset else "latin-1", "replace")
            if isinstance(raw, bytes) else raw for raw, charset in parts)


_ADDRESS_FIELDS = ("from", "to", "cc", "bcc")


def _raw_headers(msg: Message) -> dict[str, list[str]]:
    """Header values as written (the parsed forms re-render invalid addresses); address
    fields are left encoded (their names are decoded after the field is split, so an
    encoded name with a comma stays one address)."""
    out: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        key = name.lower()
        out.setdefault(key, []).append(
            _unfold(str(value), decode=key not in _ADDRESS_FIELDS).lstrip(" \t"))
    return out


def _addresses(values: list[str]) -> tuple[Address, ...]:
    out: list[Address] = []
    for value in values:
        out += parse_header_addresses(value)
    return tuple(out)


def eml_to_draft(data: bytes) -> ParsedEml:
    if not data.strip():
        raise InvalidInputError("eml", "the file is empty")
    if len(data) > MAX_EML_BYTES:
        raise InvalidInputError("eml", "the file is larger than 256 MB")
    if b"\x00" in data[:4096]:
        raise InvalidInputError("eml", "this is a binary file, not an email message (.eml)")
    if data.lower().count(b"multipart/") > MAX_MULTIPARTS:
        raise InvalidInputError("eml", f"the message has more than {MAX_MULTIPARTS} "
                                "multipart sections; it is not imported")
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        headers = _raw_headers(msg)
        parts = list(msg.walk())
    except RecursionError:
        raise InvalidInputError("eml", "the message's parts are nested too deeply; it is "
                                "not imported") from None

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
    for part in parts:
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if part.get_content_maintype() == "multipart":
            # A multipart without a (usable) boundary: its content is the text itself.
            text_parts.append(_decode_text(part))
            continue
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
        schedule = stored_schedule(send_at, _header("X-Composer-Send-Tz") or "UTC")
    importance = Importance.NORMAL
    imp = _header("Importance").lower()
    if imp in ("high", "low"):
        importance = Importance(imp)
    context: dict[str, str] = {}
    if _header(_CONTEXT_HEADER):
        try:
            loaded = json.loads(_header(_CONTEXT_HEADER))
        except (ValueError, RecursionError):
            loaded = None
        if not isinstance(loaded, dict):
            raise InvalidInputError("context", f"the {_CONTEXT_HEADER} header is not a JSON "
                                    "object of names and values")
        context = check_context(loaded)
    for name in ("Subject", "From"):
        check_header_text(name, _unfold(_header(name)))
    original = _header("X-Composer-Draft-Id") or None
    draft = Draft(
        id=new_draft_id(),
        from_addr=", ".join(a.formatted() for a in _addresses(headers.get("from", [])[:1])),
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
