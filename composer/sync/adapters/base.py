"""The adapter protocol: one common draft in, one service's requests out.

Every service module in this package defines one class implementing ``Adapter``.
Adapters are synchronous, Qt-free, and get everything injected: the account settings,
the secret (from the keychain, never stored here), an ``httpx.Client`` (whose transport
tests may replace) and a clock.

Errors: an adapter raises only ``composer.sync.errors.SyncError`` (use
``http_errors.py`` helpers to map transport failures), never a bare httpx exception.

Versions and conflicts: ``RemoteRef.version`` is an opaque token that must be equal
to ``fetch(remote_id).version`` as long as nobody else changed the remote draft, and
differ once someone did. Use the service's own updated-time/version where it has one,
otherwise a sha256 over the service's canonical stored fields (see ``fingerprint``).

Markers: ``marker`` is a client-generated string unique per local draft. Where the
service stores something we can search by (metadata, a CRM id, a context id), the
adapter stores the marker there on create and ``find`` looks it up; otherwise
``find`` matches by content fingerprint in the service's draft list. ``find`` is how
the engine resolves a create whose response was lost, so no duplicate is created.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import httpx

from composer.domain.accounts import Account
from composer.domain.models import Draft
from composer.errors import format_size
from composer.sync.errors import SyncError


class AttachmentMode(enum.StrEnum):
    INLINE_BASE64 = "inline_base64"       # bytes travel in the draft request (DataMotion, Exante)
    UPLOAD_THEN_REF = "upload_then_ref"   # upload each file, then reference it (ONLYOFFICE)
    URL_REF = "url_ref"                   # only links to files elsewhere (myKaarma)
    RESOURCE_REF = "resource_ref"         # only references to service resources (Rebilly)


class BodyKind(enum.StrEnum):
    TEXT_AND_HTML = "text_and_html"   # separate text and HTML bodies
    HTML_ONLY = "html_only"           # an HTML body; text drafts are converted
    SINGLE = "single"                 # one body string


@dataclass(frozen=True)
class Capabilities:
    schedule: bool
    body: BodyKind
    attachments: AttachmentMode
    partial_update: bool
    editable_after_create: bool
    can_list: bool
    can_fetch: bool
    can_send: bool = True
    max_attachment_bytes: int | None = None   # per file
    max_total_bytes: int | None = None        # all attachments of one draft
    max_body_chars: int | None = None
    max_subject_chars: int | None = None
    #: True when file attachments can be carried at all (False for URL/resource-only)
    file_attachments: bool = True
    max_recipients_to: int | None = None      # e.g. myKaarma: one customer address
    #: False when ``find`` can never locate a create whose answer was lost (none of the
    #: five services since DataMotion's Drafts folder is listed; kept for others)
    can_find: bool = True
    #: True when ``update`` deletes the old copy before it creates the new one (Rebilly):
    #: between the two, the draft is on the service under neither id
    update_deletes_first: bool = False


@dataclass(frozen=True)
class Problem:
    """Something about a draft this service cannot carry, found before any push."""

    field: str        # to, cc, bcc, subject, body, attachments, schedule, context, from
    code: str         # stable machine code, e.g. "attachments_unsupported"
    message: str      # plain English, for the CLI and logs; the UI may translate by code


@dataclass(frozen=True)
class RemoteRef:
    remote_id: str
    version: str


@dataclass(frozen=True)
class RemoteDraft:
    """A draft as the service holds it, mapped back to common fields."""

    remote_id: str
    version: str
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    subject: str = ""
    html: str = ""
    text: str = ""
    from_addr: str = ""
    send_at: datetime | None = None
    marker: str | None = None
    status: str = "draft"
    attachment_names: tuple[str, ...] = ()
    updated_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)


class AttachmentSource(Protocol):
    """Gives adapters the bytes of a draft's attachments (read from the draft cache)."""

    def read_bytes(self, sha256: str) -> bytes: ...

    def iter_chunks(self, sha256: str, chunk_size: int = 1 << 20) -> Iterator[bytes]: ...


class Adapter(Protocol):
    kind: str
    capabilities: Capabilities

    def check(self, draft: Draft) -> Sequence[Problem]:
        """Everything in ``draft`` this service cannot carry (limits, capabilities); no I/O."""
        ...

    def test(self) -> str:
        """Log in / make one cheap authenticated call; return a short description."""
        ...

    def create(self, draft: Draft, files: AttachmentSource, marker: str) -> RemoteRef: ...

    def update(
        self, ref: RemoteRef, draft: Draft, previous: Draft | None, files: AttachmentSource,
        marker: str,
    ) -> RemoteRef:
        """Replace the remote content with ``draft``. ``previous`` is what was last pushed
        (for partial updates). Services that cannot edit return a *new* ref."""
        ...

    def fetch(self, remote_id: str) -> RemoteDraft: ...

    def list_drafts(self, known: Collection[str] = ()) -> Sequence[RemoteDraft]:
        """The service's drafts; those whose id is in ``known`` may be left out (services
        that need a request per draft to read it skip those requests)."""
        ...

    def find(self, marker: str, draft: Draft) -> RemoteRef | None:
        """The remote copy created for ``marker`` (or matching ``draft``), if any."""
        ...

    def delete(self, remote_id: str) -> None: ...

    def send(self, remote_id: str) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class CreatesTogether(Protocol):
    """An adapter that can create several new drafts in one request (IMAP ``MULTIAPPEND``,
    RFC 3502), which the engine uses for a backlog of drafts never pushed before."""

    def create_many(self, items: Sequence[tuple[Draft, str]],
                    files: AttachmentSource) -> Sequence[RemoteRef | SyncError]:
        """Create each ``(draft, marker)``; for each, in order, its ref or why it was not
        created (as ``create`` would raise it: a transient error with ``request_sent``
        leaves its outcome unknown, to be looked up with ``find``). Never raises for an
        item's own failure."""
        ...


#: Non-secret account settings (the secret comes from the keychain separately).
AccountConfig = Account

Clock = Callable[[], datetime]

AdapterFactory = Callable[[AccountConfig, str, "httpx.Client", Clock], Adapter]


def fingerprint(*parts: object) -> str:
    """A stable sha256 over JSON-able parts, for services without a version field."""
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def canonical_text(value: object) -> str:
    """Text as servers may store it: trimmed, line ends unified."""
    return str(value or "").replace("\r\n", "\n").strip()


def canonical_address(value: str) -> str:
    """The bare address, lower-cased (servers lower-case domains; some drop names)."""
    from composer.domain.addresses import parse_address

    parsed = parse_address(value)
    return parsed.addr.lower() if parsed.valid else value.strip().lower()


def canonical_addresses(values: Iterable[str]) -> list[str]:
    """Addresses compared as a set: each canonical, sorted (servers reorder lists)."""
    return sorted(canonical_address(v) for v in values if str(v).strip())


def canonical_time(value: datetime | str | None, *, fraction: bool = False) -> str | None:
    """An instant in one form: UTC, whole seconds (servers drop milliseconds and write
    other offsets); ``fraction`` keeps sub-seconds (an updated-time used as a version,
    where two quick edits must differ). A string that is not a date is kept trimmed."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return value.strip()
        value = parsed
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return (value if fraction else value.replace(microsecond=0)).isoformat()


def bodies(draft: Draft) -> tuple[str, str]:
    """(text, sanitized HTML) for services that take both: the one the draft lacks is
    derived from the other."""
    from composer.domain.html import html_to_text, sanitize_html, text_to_html
    from composer.domain.models import BodyMode

    if draft.body_mode is BodyMode.TEXT:
        return draft.text, text_to_html(draft.text)
    html = sanitize_html(draft.html)
    return draft.text or html_to_text(html), html


def html_body(draft: Draft) -> str:
    """The body as sanitized HTML, for services that take only HTML."""
    return bodies(draft)[1]


def invalid_recipients(draft: Draft) -> list[Problem]:
    """A problem for every recipient that is not a valid address (never sent)."""
    return [Problem(field, "invalid_recipient", f"{a.raw or a.addr!r} is not a valid address")
            for field, items in (("to", draft.to), ("cc", draft.cc), ("bcc", draft.bcc))
            for a in items if not a.valid]


def declared_limits(draft: Draft, capabilities: Capabilities, service: str, *,
                    body: str | None = None) -> list[Problem]:
    """The problems the service's declared ``capabilities`` find in ``draft``, before
    any request: subject length, attached files (carried at all, each, in all), the
    body's length (``body``: the body as this service is sent it) and the number of To
    addresses. An adapter's ``check`` adds what only it knows."""
    problems: list[Problem] = []
    caps = capabilities
    if caps.max_recipients_to is not None and len(draft.to) > caps.max_recipients_to:
        problems.append(Problem(
            "to", "one_recipient" if caps.max_recipients_to == 1 else "too_many_recipients",
            f"{service} sends to at most {caps.max_recipients_to} To "
            f"address{'es' if caps.max_recipients_to != 1 else ''} (this draft has "
            f"{len(draft.to)})"))
    if caps.max_subject_chars is not None and len(draft.subject) > caps.max_subject_chars:
        problems.append(Problem("subject", "subject_too_long",
                                f"the subject has {len(draft.subject)} characters; "
                                f"{service} allows {caps.max_subject_chars}"))
    if draft.attachments and not caps.file_attachments:
        names = ", ".join(f'"{a.name}"' for a in draft.attachments)
        problems.append(Problem("attachments", "attachments_unsupported",
                                f"{service} cannot carry attached files ({names}); remove "
                                "them to sync this draft"))
    elif caps.max_attachment_bytes is not None and (
            caps.max_total_bytes is None or caps.max_attachment_bytes < caps.max_total_bytes):
        for att in draft.attachments:
            if att.size > caps.max_attachment_bytes:
                problems.append(Problem(
                    "attachments", "attachment_too_large",
                    f'"{att.name}" is {format_size(att.size)}; {service} allows '
                    f"{format_size(caps.max_attachment_bytes)} per file"))
    total = draft.total_attachment_bytes
    if caps.file_attachments and caps.max_total_bytes is not None and \
            total > caps.max_total_bytes:
        problems.append(Problem("attachments", "attachments_too_large",
                                f"the attachments total {format_size(total)}; {service} "
                                f"allows {format_size(caps.max_total_bytes)} per message"))
    if caps.max_body_chars is not None and body is not None and \
            len(body) > caps.max_body_chars:
        problems.append(Problem("body", "body_too_long",
                                f"the body is {len(body):,} characters; {service} allows "
                                f"{caps.max_body_chars:,}"))
    return problems
