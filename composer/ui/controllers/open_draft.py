"""Which draft the editor shows: opening one from the list (or the one open last time,
or a new one on a first start), making new drafts, and showing a draft with its
read-only state (sent, deleted) and sync state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from composer.domain.models import Draft, DraftStatus
from composer.ui.autosave import Autosaver
from composer.ui.bridge import StorageBridge
from composer.ui.controllers.attachments import AttachmentsController
from composer.ui.controllers.draft_state import DraftStateController
from composer.ui.controllers.settings_state import CurrentSettings
from composer.ui.controllers.status import StatusController
from composer.ui.session import Session
from composer.ui.widgets.draft_list import DELETED, DRAFTS
from composer.ui.widgets.draft_list_pane import DraftListPane
from composer.ui.widgets.editor import DraftEditor

if TYPE_CHECKING:  # the sync layer loads after the first frame
    from composer.ui.sync_controller import SyncSummary


class OpenDraftController(QObject):
    #: the editor shows this draft now (loaded, read-only or not)
    shown = Signal(object)

    def __init__(self, bridge: StorageBridge, pane: DraftListPane, editor: DraftEditor,
                 session: Session, autosaver: Autosaver, settings: CurrentSettings,
                 status: StatusController, state: DraftStateController,
                 attachments: AttachmentsController,
                 last_sync: Callable[[], SyncSummary | None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge, self._pane, self._model = bridge, pane, pane.model
        self._editor, self._session, self._autosaver = editor, session, autosaver
        self._settings, self._status, self._state = settings, status, state
        self._attachments, self._last_sync = attachments, last_sync
        self._started_fresh = self._creating = False
        #: a new draft not edited yet (Ctrl+N again shows it rather than making another)
        self._pristine: str | None = None
        self._attach_after_create: list[Path] = []
        pane.draft_chosen.connect(self._on_chosen)

    def edited(self) -> None:
        self._pristine = None

    def open(self, draft_id: str) -> None:
        self._autosaver.flush()
        deleted = self._model.view == DELETED
        self._bridge.submit(lambda store: store.get(draft_id, include_deleted=deleted),
                            self.show, self._status.error)

    def new(self, prefill: Draft | None = None, *, attach: list[Path] | None = None) -> None:
        self._autosaver.flush()
        self._pane.show_view(DRAFTS)
        if prefill is None and not attach:
            current = self._editor.draft
            if self._creating:
                return  # one is on its way
            if current is not None and current.id == self._pristine \
                    and not self._autosaver.dirty:
                self._editor.to.setFocus()
                return
        self._creating = True
        self._attach_after_create = list(attach or [])
        account, sender = self._settings.value.new_draft_sender()
        draft = prefill or Draft()
        draft = draft.evolve(account=draft.account or account,
                             from_addr=draft.from_addr or sender)

        def failed(error: Exception) -> None:
            self._creating = False
            self._status.error(error)

        self._bridge.submit(lambda store: store.save(draft), self._on_created, failed)

    def _on_created(self, draft: Draft) -> None:
        self._creating = False
        self._pristine = draft.id if not self._attach_after_create else None
        self.show(draft)
        self._model.reload()
        self._editor.to.setFocus()
        if self._attach_after_create:
            self._attachments.attach(self._attach_after_create)
            self._attach_after_create = []

    def list_loaded(self) -> None:
        """The list was loaded again: keep the open draft selected (with its sync state
        as it is now), or open one."""
        model = self._model
        nothing, searching = model.rowCount() == 0, bool(model.search_text)
        current = self._editor.draft
        if model.view != DRAFTS:
            if current is not None:
                self._pane.select(current.id)
            return
        if current is not None:
            row = self._pane.select(current.id)
            if row >= 0:
                self._show_sync_state(row)  # a sync pass may have changed it
        elif nothing and not searching and not self._started_fresh:
            # First start (or every draft gone): a new draft, open and ready in To.
            self._started_fresh = True
            self.new()
        elif model.rowCount() and not self._pane.search.text():
            wanted = self._session.open_draft()
            row = model.row_of(wanted) if wanted else -1
            self.open(wanted if row >= 0 and wanted else model.summary(0).id)

    def _on_chosen(self, draft_id: str) -> None:
        if self._editor.draft is None or draft_id != self._editor.draft.id:
            self.open(draft_id)

    def show(self, draft: Draft) -> None:
        editor = self._editor
        editor.load(draft)
        editor.setEnabled(True)
        if draft.status is DraftStatus.SENT:
            editor.set_read_only(self.tr("Sent — a sent message cannot be changed or "
                                         "sent again."), self.tr("Edit as new draft"))
            editor.show_sync_state(self.tr("sent"))
        elif self._model.view == DELETED:
            editor.set_read_only(self.tr("Deleted — restore it to edit or send it."),
                                 self.tr("Restore"))
        else:
            editor.set_read_only(None)
        self._session.remember(draft.id)
        self.shown.emit(draft)
        row = self._pane.select(draft.id)
        if row >= 0:
            self._show_sync_state(row)
        self._state.recheck()
        # Not saved here: what was just read is on disk already, and saving this snapshot
        # would undo a change made meanwhile by a background job (e.g. "keep as draft"
        # clearing a missed send-later time).

    def _show_sync_state(self, row: int) -> None:
        self._state.show_sync_state(self._model.summary(row), self._last_sync())
