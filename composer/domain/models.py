"""The draft and its parts: plain, immutable data with no I/O and no Qt."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

#: The hard limit for one attachment, everywhere in the app: 32 x 1024 x 1024 bytes.
MAX_ATTACHMENT_BYTES = 32 * 1024 * 1024


class BodyMode(enum.StrEnum):
    HTML = "html"
    TEXT = "text"


class Importance(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class DraftStatus(enum.StrEnum):
    DRAFT = "draft"
    SENDING = "sending"
    SENT = "sent"
    DELETED = "deleted"


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_draft_id() -> str:
    import uuid  # here, not at the top: it imports ``platform``, a start-up cost

    return str(uuid.uuid4())


@dataclass(frozen=True)
class Address:
    """One recipient as typed or pasted.

    ``addr`` is the normalized address when valid; ``error`` says why it is not valid
    (the raw text is kept so nothing the user typed is dropped).
    """

    addr: str
    name: str = ""
    error: str | None = None
    raw: str = ""

    @property
    def valid(self) -> bool:
        return self.error is None

    def key(self) -> tuple[str, str]:
        """Identity for comparing content: (address, name) when valid, else what was typed."""
        if self.valid:
            return (self.addr, self.name)
        return ("", self.raw or self.addr)

    def formatted(self) -> str:
        """``Name <addr>`` with the name quoted when it needs to be, or the raw text if invalid."""
        if not self.valid:
            return self.raw or self.addr
        if not self.name:
            return self.addr
        name = self.name
        if any(c in name for c in '()<>[]:;@\\,."') or name != name.strip():
            name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{name} <{self.addr}>"


@dataclass(frozen=True)
class Attachment:
    """An attached file: its content lives in the store as a blob named by ``sha256``."""

    name: str
    size: int
    content_type: str
    sha256: str


@dataclass(frozen=True)
class Schedule:
    """A send-later time: an exact UTC instant plus the IANA zone the user picked it in."""

    send_at: datetime
    tz: str

    def __post_init__(self) -> None:
        if self.send_at.tzinfo is None:
            raise ValueError("send_at must be timezone-aware")
        object.__setattr__(self, "send_at", self.send_at.astimezone(UTC))


@dataclass(frozen=True)
class Draft:
    id: str = field(default_factory=new_draft_id)
    account: str | None = None
    from_addr: str = ""
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    subject: str = ""
    body_mode: BodyMode = BodyMode.HTML
    html: str = ""
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    schedule: Schedule | None = None
    importance: Importance = Importance.NORMAL
    context: Mapping[str, str] = field(default_factory=dict)
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    status: DraftStatus = DraftStatus.DRAFT
    revision: int = 0

    def evolve(self, **changes: object) -> Draft:
        return replace(self, **changes)  # type: ignore[arg-type]

    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc + self.bcc

    def content_key(self) -> tuple[object, ...]:
        """What the user wrote, without bookkeeping (ids, times, revision)."""
        return (
            self.account, self.from_addr, tuple(a.key() for a in self.to),
            tuple(a.key() for a in self.cc), tuple(a.key() for a in self.bcc), self.subject,
            self.body_mode, self.html, self.text, self.attachments, self.schedule,
            self.importance, tuple(sorted(self.context.items())),
        )

    @property
    def total_attachment_bytes(self) -> int:
        return sum(a.size for a in self.attachments)
