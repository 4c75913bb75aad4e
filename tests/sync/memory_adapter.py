"""An in-memory service behind the Adapter protocol, for engine unit tests.

It keeps drafts with a version counter and the create marker, and can be told to fail
the next calls: ``fail("create", SyncError(...))`` or ``lose("create")`` (apply, then
raise a transient error as if the answer was lost). ``before[op]`` is called before each
call of ``op`` is applied (to look at the local database at that moment, or to stop the
client there).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from composer.domain.models import Draft
from composer.sync.adapters.base import (
    AttachmentMode,
    AttachmentSource,
    BodyKind,
    Capabilities,
    Problem,
    RemoteDraft,
    RemoteRef,
)
from composer.sync.errors import SyncError, SyncErrorKind


@dataclass
class Stored:
    id: str
    version: int
    marker: str
    to: tuple[str, ...]
    subject: str
    html: str
    text: str
    attachments: tuple[str, ...]
    status: str = "draft"


@dataclass
class MemoryService:
    drafts: dict[str, Stored] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _faults: dict[str, list[SyncError | str]] = field(default_factory=dict)
    before: dict[str, Callable[[], None]] = field(default_factory=dict)

    def fail(self, op: str, error: SyncError, times: int = 1) -> None:
        self._faults.setdefault(op, []).extend([error] * times)

    def lose(self, op: str, times: int = 1) -> None:
        self._faults.setdefault(op, []).extend(["lost"] * times)

    def touch(self, remote_id: str, subject: str) -> None:
        """Someone edits the remote copy behind our back."""
        stored = self.drafts[remote_id]
        stored.subject = subject
        stored.version += 1

    def _fault(self, op: str) -> str | None:
        hook = self.before.get(op)
        if hook is not None:
            hook()
        self.calls.append(op)
        queue = self._faults.get(op)
        if not queue:
            return None
        fault = queue.pop(0)
        if isinstance(fault, SyncError):
            raise fault
        return fault


class MemoryAdapter:
    kind = "memory"

    def __init__(self, service: MemoryService, *, can_fetch: bool = True,
                 editable: bool = True, can_find: bool = True) -> None:
        self.service = service
        self.capabilities = Capabilities(
            schedule=False, body=BodyKind.TEXT_AND_HTML, attachments=AttachmentMode.INLINE_BASE64,
            partial_update=False, editable_after_create=editable, can_list=True,
            can_fetch=can_fetch, max_subject_chars=100, can_find=can_find,
            update_deletes_first=not editable,
        )
        self.closed = False

    def check(self, draft: Draft) -> Sequence[Problem]:
        if len(draft.subject) > 100:
            return [Problem("subject", "subject_too_long", "the subject is over 100 characters")]
        return []

    def test(self) -> str:
        return "memory"

    def _lost(self, fault: str | None) -> None:
        if fault == "lost":
            raise SyncError(SyncErrorKind.TRANSIENT, "memory: connection lost")

    def create(self, draft: Draft, files: AttachmentSource, marker: str) -> RemoteRef:
        fault = self.service._fault("create")
        remote_id = f"m{next(self.service._ids)}"
        for a in draft.attachments:
            files.read_bytes(a.sha256)
        self.service.drafts[remote_id] = Stored(
            remote_id, 1, marker, tuple(a.addr for a in draft.to if a.valid), draft.subject,
            draft.html, draft.text, tuple(a.name for a in draft.attachments))
        self._lost(fault)
        return RemoteRef(remote_id, "1")

    def update(self, ref: RemoteRef, draft: Draft, previous: Draft | None,
               files: AttachmentSource, marker: str) -> RemoteRef:
        fault = self.service._fault("update")
        stored = self.service.drafts.get(ref.remote_id)
        if stored is None:
            raise SyncError(SyncErrorKind.NOT_FOUND, "memory: no such draft")
        if not self.capabilities.editable_after_create:
            del self.service.drafts[ref.remote_id]
            self._lost(fault)
            return self.create(draft, files, marker)
        stored.to = tuple(a.addr for a in draft.to if a.valid)
        stored.subject, stored.html, stored.text = draft.subject, draft.html, draft.text
        stored.attachments = tuple(a.name for a in draft.attachments)
        stored.version += 1
        self._lost(fault)
        return RemoteRef(ref.remote_id, str(stored.version))

    def fetch(self, remote_id: str) -> RemoteDraft:
        self.service._fault("fetch")
        stored = self.service.drafts.get(remote_id)
        if stored is None:
            raise SyncError(SyncErrorKind.NOT_FOUND, "memory: no such draft")
        return RemoteDraft(remote_id, str(stored.version), to=stored.to, subject=stored.subject,
                           html=stored.html, text=stored.text, marker=stored.marker,
                           status=stored.status)

    def list_drafts(self, known: Collection[str] = ()) -> Sequence[RemoteDraft]:
        self.service._fault("list")
        return [self.fetch(i) for i, s in self.service.drafts.items() if s.status == "draft"]

    def find(self, marker: str, draft: Draft) -> RemoteRef | None:
        if not self.capabilities.can_find:
            raise SyncError(SyncErrorKind.UNSUPPORTED, "memory: cannot find drafts")
        self.service._fault("find")
        for stored in self.service.drafts.values():
            if stored.marker == marker:
                return RemoteRef(stored.id, str(stored.version))
        return None

    def delete(self, remote_id: str) -> None:
        fault = self.service._fault("delete")
        if remote_id not in self.service.drafts:
            raise SyncError(SyncErrorKind.NOT_FOUND, "memory: no such draft")
        del self.service.drafts[remote_id]
        self._lost(fault)

    def send(self, remote_id: str) -> None:
        fault = self.service._fault("send")
        stored = self.service.drafts.get(remote_id)
        if stored is None:
            raise SyncError(SyncErrorKind.NOT_FOUND, "memory: no such draft")
        if stored.status != "draft":
            raise SyncError(SyncErrorKind.CONFLICT, "memory: already sent")
        stored.status = "sent"
        self._lost(fault)

    def close(self) -> None:
        self.closed = True
