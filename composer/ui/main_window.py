"""The main window: toolbar and menus, draft list, editor, status bar, laid out and
connected to the controllers composer/ui/wiring.py builds; it holds no business rules."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QSplitter

from composer import APP_NAME
from composer.domain.models import Draft, DraftStatus
from composer.settings import Settings
from composer.ui.controllers.sending import edit_as_new
from composer.ui.widgets.draft_list import DELETED, DRAFTS
from composer.ui.widgets.draft_list_pane import DraftListPane
from composer.ui.widgets.editor import DraftEditor
from composer.ui.widgets.status_line import StatusLine
from composer.ui.window_actions import WindowActions
from composer.ui.window_parts import Controllers, WindowParts

if TYPE_CHECKING:
    from composer.ui.dialogs.conflict_dialog import ConflictDialog
    from composer.ui.sync_controller import SyncController, SyncSummary

#: if no frame was painted by then (started minimized), run the after-first-frame work
FIRST_PAINT_FALLBACK_MS = 2000


class MainWindow(QMainWindow):
    #: once, just after the window's first frame: work that need not delay it goes here
    first_painted = Signal()

    def __init__(self, parts: WindowParts) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setObjectName("MainWindow")
        self.paths, self._parts, self._current = parts.paths, parts, parts.settings
        self.bridge, self.session = parts.bridge, parts.session
        self.bridge.setParent(self)
        self._current.setParent(self)
        self._current.changed.connect(self._on_settings_changed)
        self.sync: SyncController | None = None  # attach_sync(), once there are accounts
        # -- left: Drafts / Sent / Deleted, search, list; right: the editor --------------
        self.pane = DraftListPane(self.bridge)
        self.model, self.list, self.search = self.pane.model, self.pane.list, self.pane.search
        self.views, self.no_results = self.pane.views, self.pane.no_results
        self.empty, self.left_stack = self.pane.empty, self.pane.left_stack
        self.model.loaded.connect(self.pane.show_loaded)
        self.editor = DraftEditor(parts.clock, parts.default_tz)
        self.editor.set_accounts(self.settings)
        self.editor.setEnabled(False)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.pane)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([280, 720])
        self.setCentralWidget(self.splitter)
        # -- status bar -----------------------------------------------------------------
        line = StatusLine(bool(self.settings.accounts))
        line.install(self.statusBar())
        self.save_status, self.sync_status = line.save_status, line.sync_status
        self.undo_button, self.retry_button = line.undo_button, line.retry_button
        self.add_account_button = line.add_account_button
        self.add_account_button.clicked.connect(lambda: self.show_accounts())
        # -- toolbar and menus -----------------------------------------------------------
        actions = self.window_actions = WindowActions(self, self, self.editor, self.pane)
        self.toolbar, self.send_action = actions.toolbar, actions.send_action
        self.history_action, self.sync_action = actions.history_action, actions.sync_action
        self.settings_action = actions.settings_action
        self.first_painted.connect(actions.name_toolbar_buttons)
        self._first_painted = self._closed = False
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(300)
        self._reload_timer.timeout.connect(self.model.reload)

    @property
    def settings(self) -> Settings:
        return self._current.value

    def use(self, c: Controllers) -> None:
        """Connect the controllers (wiring.py made them for this window), then start."""
        self.autosaver, self.status, self.state, self.recipients = \
            c.autosaver, c.status, c.state, c.recipients
        self.attachments, self.history, self.sending = c.attachments, c.history, c.sending
        self.send_later, self.conflicts, self.eml = c.send_later, c.conflicts, c.eml
        self.preferences, self.drafts = c.preferences, c.drafts
        self.model.loaded.connect(c.sending.check_sent)
        self.model.loaded.connect(c.drafts.list_loaded)
        c.drafts.shown.connect(self._on_shown)
        editor = self.editor
        editor.draft_edited.connect(self._on_edited)
        c.autosaver.saving_started.connect(c.status.saving)
        c.autosaver.draft_saved.connect(self._on_saved)
        c.autosaver.save_failed.connect(c.status.save_failed)
        self.retry_button.clicked.connect(c.autosaver.save_now)
        editor.files_chosen.connect(self.attach_files)
        editor.attachment_removed.connect(c.attachments.remove)
        c.attachments.attached.connect(c.autosaver.save_now)
        c.attachments.removed.connect(c.autosaver.save_now)
        editor.from_box.currentIndexChanged.connect(lambda _: c.state.recheck())
        editor.conflict_button.clicked.connect(self.show_conflict)
        editor.sign_in_button.clicked.connect(self._fix_sign_in)
        editor.read_only_button.clicked.connect(self._read_only_action)
        for field in (editor.to, editor.cc, editor.bcc):
            field.set_suggester(c.recipients.suggest)
            field.forget_requested.connect(c.recipients.forget)
        c.history.deleted.connect(self._on_deleted)
        c.history.restored.connect(self._on_restored)
        c.history.version_restored.connect(c.drafts.show)
        c.sending.queued.connect(self.sync_now)
        c.sending.sent.connect(self._on_sent)
        c.send_later.queued.connect(self.sync_now)
        c.send_later.missed_handled.connect(self._after_missed)
        c.conflicts.resolved.connect(self._on_resolved)
        c.conflicts.deleted_here.connect(c.history.announce_delete)
        c.eml.opened.connect(self._on_eml_opened)
        c.recipients.load()
        self.window_actions.set_can_sync(bool(self.settings.accounts))
        self.window_actions.set_draft_actions(False)
        self._restore_state()
        self.model.reload()
        self.installEventFilter(self)
        # A window started minimized or hidden never paints: its deferred work (sync
        # among it) still starts, a little later.
        QTimer.singleShot(FIRST_PAINT_FALLBACK_MS, self._emit_first_painted)

    # -- what the actions and tests call --------------------------------------------------
    def suggest(self, prefix: str) -> list[tuple[str, str]]:
        return self.recipients.suggest(prefix)

    def attach_files(self, paths: list[Path]) -> None:
        self.attachments.attach(paths)

    def save_now(self) -> None:
        self.autosaver.save_now()

    def show_conflict(self) -> None:
        if self.editor.draft is not None:
            self.conflicts.show(self.editor.draft.id)

    @property
    def conflict_dialog(self) -> ConflictDialog | None:
        return self.conflicts.dialog

    def delete_current(self) -> None:
        if self.editor.draft is not None:
            self.autosaver.flush()
            self.history.delete(self.editor.draft.id)

    def show_history(self) -> None:
        if self.editor.draft is not None:
            self.autosaver.flush()
            self.history.show_versions(self.editor.draft.id)

    def send(self) -> None:
        """Check, hold for the undo delay, then queue through the outbox."""
        draft = self.editor.draft
        if draft is None or self.sync is None or self.editor.read_only or \
                draft.status is not DraftStatus.DRAFT or self.sending.pending:
            return
        self.autosaver.save_now()  # the check and the send see what is on screen
        self.sending.send(draft.id, self.editor.subject.text(),
                          self.settings.undo_send_seconds)

    def open_eml(self) -> None:
        """A new draft from an .eml file."""
        path = self.eml.ask_open()
        if path is not None:
            self.autosaver.flush()
            self.eml.open(path)

    def save_eml(self) -> None:
        draft = self.editor.draft
        path = self.eml.ask_save_path(draft) if draft is not None else None
        if draft is not None and path is not None:
            self.autosaver.flush()  # the file holds what is on screen
            self.eml.save(draft.id, path)

    def show_view(self, view: str) -> None:
        """Drafts, Sent or Deleted in the list (the menu's View items)."""
        self.pane.show_view(view)

    def open_draft(self, draft_id: str) -> None:
        self.drafts.open(draft_id)

    def new_draft(self, prefill: Draft | None = None, *,
                  attach: list[Path] | None = None) -> None:
        self.drafts.new(prefill, attach=attach)

    def _on_shown(self, draft: Draft) -> None:
        self.window_actions.set_draft_actions(True)
        self.update_send_state()

    def _fix_sign_in(self) -> None:
        draft = self.editor.draft
        self.show_accounts(draft.account if draft is not None else None)

    def _read_only_action(self) -> None:
        draft = self.editor.draft
        if draft is not None and self.model.view == DELETED:
            self.history.restore(draft.id, to_drafts=True)
        elif draft is not None:  # Edit as new draft
            self.show_view(DRAFTS)
            self.new_draft(edit_as_new(draft))

    # -- what the controllers report ------------------------------------------------------
    def _on_edited(self) -> None:
        self.drafts.edited()
        self.autosaver.changed()
        self.update_send_state()
        self.state.edited()

    def _on_saved(self, saved: Draft) -> None:
        self.editor.remember_saved(saved)
        self.status.saved()
        self._reload_timer.start()
        self.recipients.saw(saved)
        if self.sync is not None:
            self.sync.request_sync()

    def _on_deleted(self, draft_id: str) -> None:
        self.editor.setEnabled(False)
        self.window_actions.set_draft_actions(False)
        self.editor.clear()
        self.session.remember(None)
        self.model.reload()

    def _on_restored(self, draft: Draft, to_drafts: bool) -> None:
        if to_drafts:
            self.show_view(DRAFTS)
        self.drafts.show(draft)
        self.model.reload()

    def _on_eml_opened(self, draft: Draft) -> None:
        self.show_view(DRAFTS)
        self.drafts.show(draft)
        self.model.reload()

    def _on_sent(self, draft_id: str) -> None:
        current = self.editor.draft
        if current is not None and current.id == draft_id:
            self.open_draft(draft_id)  # shown as sent: read-only

    def _on_resolved(self, draft_id: str) -> None:
        self.model.reload()
        self.open_draft(draft_id)
        self.sync_now()

    def _after_missed(self, changed: list[str]) -> None:
        self.sync_now()
        self.model.reload()
        current = self.editor.draft
        if current is not None and current.id in changed:
            self.open_draft(current.id)  # show it as it is now (no stale send-later time)

    # -- accounts, settings, sync ---------------------------------------------------------
    def update_send_state(self) -> None:
        # Runs on every keystroke: reads the From box, never serializes the body.
        ok = self.editor.draft is not None and not self.editor.read_only and \
            self.sync is not None and isinstance(self.editor.from_box.currentData(), str)
        self.window_actions.set_can_send(ok)

    def show_accounts(self, account: str | None = None) -> None:
        """The accounts dialog; with ``account``, that account open for editing."""
        self.preferences.show_accounts(account)

    def show_settings(self) -> None:
        self.preferences.show_settings()

    def show_about(self) -> None:
        self.preferences.show_about()

    def _on_settings_changed(self) -> None:
        self.editor.set_accounts(self.settings)
        self.autosaver.set_delays(self.settings.autosave_idle_ms, self.settings.autosave_max_ms)
        self.attach_sync()
        self.add_account_button.setVisible(not self.settings.accounts)
        self.window_actions.set_can_sync(bool(self.settings.accounts))
        self.update_send_state()

    def attach_sync(self) -> None:
        """Start syncing (after the first frame, or once the first account exists)."""
        if self.sync is not None or not self.settings.accounts:
            return  # attached already, or nothing to sync with
        self.sync = self._parts.make_sync(self)
        self.sync.sync_finished.connect(self.show_sync_summary)
        # The draft open by now can be sent now, not only after its first edit.
        self.update_send_state()
        self.sync.request_sync()
        self.send_later.start()

    def show_sync_summary(self, summary: SyncSummary) -> None:
        self.status.show_sync_summary(summary, self.settings)
        self._reload_timer.start()

    def sync_now(self) -> None:
        if self.sync is not None:
            self.sync.sync_now()

    # -- window state ---------------------------------------------------------------------

    def _state(self) -> QSettings:
        return QSettings(str(self.paths.window_state_file), QSettings.Format.IniFormat)

    def _restore_state(self) -> None:
        state = self._state()
        geometry = state.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)
        splitter = state.value("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and event.type() == QEvent.Type.Paint:
            self.removeEventFilter(self)
            QTimer.singleShot(0, self._emit_first_painted)
        return super().eventFilter(watched, event)

    def _emit_first_painted(self) -> None:
        if not self._first_painted and not self._closed:
            self._first_painted = True
            self.first_painted.emit()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ActivationChange and not self.isActiveWindow():
            self.autosaver.flush()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:  # a second close (a hidden window gets one each time)
            super().closeEvent(event)
            return
        self._closed = True
        self.autosaver.flush()
        state = self._state()
        state.setValue("geometry", self.saveGeometry())
        state.setValue("splitter", self.splitter.saveState())
        state.sync()
        if self.sync is not None:
            self.sync.shutdown()
        self.state.close()  # on the worker, in order
        self.bridge.shutdown()  # runs the queued final save before stopping
        super().closeEvent(event)
