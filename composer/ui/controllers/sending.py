"""Sending from the window: the send flow's check, the undo delay and the queueing in
status-bar words; after each sync pass, which queued sends went ("Sent “…”.") or why
not yet. A sent draft is then shown read-only; "Edit as new draft" copies it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from composer.domain.models import Draft, DraftStatus
from composer.store.drafts import DraftStore
from composer.store.sync_state import SyncStatus
from composer.ui.bridge import StorageBridge
from composer.ui.controllers.status import StatusController
from composer.ui.send_flow import SendFlow


def edit_as_new(draft: Draft) -> Draft:
    """The same content as a new draft of its own (the sent one stays as it is)."""
    return Draft(account=draft.account, from_addr=draft.from_addr, to=draft.to,
                 cc=draft.cc, bcc=draft.bcc, subject=draft.subject,
                 body_mode=draft.body_mode, html=draft.html, text=draft.text,
                 attachments=draft.attachments, importance=draft.importance)


def _sent_states(store: DraftStore, ids: list[str]) -> list[tuple[str, bool, str | None]]:
    """(id, sent, why it failed or None) for each queued send."""
    out = []
    for draft_id in ids:
        draft = store.get(draft_id, include_deleted=True)
        state = store.sync_states.get(draft_id)
        failed = state is not None and state.state is SyncStatus.FAILED
        out.append((draft_id, draft.status is DraftStatus.SENT,
                    (state.last_error or "") if failed and state else None))
    return out


class SendingController(QObject):
    #: a send went into the outbox (sync should run now)
    queued = Signal()
    #: the service took the message (the draft's id)
    sent = Signal(str)

    def __init__(self, bridge: StorageBridge, flow: SendFlow, status: StatusController,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._flow = flow
        self._status = status
        self._subject = ""
        #: queued sends not yet seen sent: id -> subject (for "Sent “…”.")
        self._sending: dict[str, str] = {}
        flow.checked.connect(self._checked)
        flow.held.connect(self._held)
        flow.cancelled.connect(self._cancelled)
        flow.queued.connect(self._queued)

    @property
    def pending(self) -> bool:
        """A send is being checked or held for its undo delay."""
        return self._flow.pending is not None

    def send(self, draft_id: str, subject: str, undo_seconds: int) -> None:
        """Check, hold for the undo delay, then queue through the outbox."""
        subject = subject.strip() or self.tr("(no subject)")
        self._subject = subject if len(subject) <= 40 else subject[:39] + "…"
        self._flow.start(draft_id, undo_seconds)

    def _checked(self, problems: list[object]) -> None:
        if problems:
            words = "; ".join(getattr(p, "message", str(p)) for p in problems)
            self._status.say(self.tr("Can't send yet: %1").replace("%1", words))

    def _held(self, seconds: int) -> None:
        self._status.say(self.tr("Sending “%1” in %n s…", "", seconds).replace(
            "%1", self._subject))
        self._status.hold_undo(self._flow.undo)

    def _cancelled(self) -> None:
        self._status.hide_undo()
        self._status.say(self.tr("Send cancelled; the draft is unchanged."))

    def _queued(self, draft: Draft) -> None:
        self._status.hide_undo()
        self._status.say(self.tr("Sending… (it goes out when the service answers)"))
        self._sending[draft.id] = self._subject
        self.queued.emit()

    def check_sent(self) -> None:
        """After a sync pass: say which queued sends went (or why not yet)."""
        if not self._sending:
            return
        ids = list(self._sending)
        self._bridge.submit(lambda store: _sent_states(store, ids), self._on_checked,
                            self._status.error)

    def _on_checked(self, rows: list[tuple[str, bool, str | None]]) -> None:
        for draft_id, sent, error in rows:
            subject = self._sending.get(draft_id)
            if subject is None:
                continue
            if sent:
                del self._sending[draft_id]
                self._status.say(self.tr("Sent “%1”.").replace("%1", subject))
                self.sent.emit(draft_id)
            elif error is not None:
                del self._sending[draft_id]
                self._status.say(self.tr("Not sent: %1").replace("%1", error))
