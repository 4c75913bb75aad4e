"""The main window: toolbar, draft list, editor, status bar. It wires widgets to the
storage worker, the autosaver and the sync controller; it holds no business rules."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from composer import APP_NAME
from composer.domain.models import Attachment, Draft, DraftStatus
from composer.paths import Paths
from composer.settings import Settings, SettingsFile
from composer.store.drafts import DraftStore
from composer.store.sync_state import SyncStatus
from composer.ui import messages
from composer.ui.autosave import Autosaver
from composer.ui.bridge import StorageBridge
from composer.ui.session import Session
from composer.ui.widgets.draft_list import (
    DELETED,
    DRAFTS,
    SENT,
    DraftDelegate,
    DraftListModel,
    sync_words,
)
from composer.ui.widgets.editor import DraftEditor
from composer.ui.widgets.icons import named_icon

if TYPE_CHECKING:
    from composer.ui.account_checks import AccountChecker, AccountView, ConflictPair
    from composer.ui.sync_controller import SyncController, SyncSummary


#: if no frame was painted by then (started minimized), run the after-first-frame work
FIRST_PAINT_FALLBACK_MS = 2000


def _store_file(store: DraftStore, path: Path,
                progress: Callable[[int, int], None]) -> Attachment:
    return store.blobs.put_file(path, progress=progress)


class MainWindow(QMainWindow):
    #: once, just after the window's first frame: work that need not delay it goes here
    first_painted = Signal()

    def __init__(self, paths: Paths, settings_file: SettingsFile,
                 clock: Callable[[], datetime], *, default_tz: str = "UTC") -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setObjectName("MainWindow")
        self._paths = paths
        self._settings_file = settings_file
        self._clock = clock
        self.settings: Settings = settings_file.load()
        self.bridge = StorageBridge(paths.database, clock, self)
        self.session = Session(paths.config_dir / "session.json")
        #: attached by launch() (sync runs when accounts exist)
        self._sync: SyncController | None = None

        # -- left: search + list ---------------------------------------------------------
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search drafts"))
        self.search.setAccessibleName(self.tr("Search drafts"))
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self.model: DraftListModel = DraftListModel(self.bridge, self)
        self._search_timer.timeout.connect(
            lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        #: Drafts / Sent / Deleted: sent messages leave the drafts, read-only
        self.views = QTabBar()
        self.views.setAccessibleName(self.tr("Show"))
        self.views.setExpanding(False)
        self.views.setDrawBase(False)
        for view, title in ((DRAFTS, self.tr("Drafts")), (SENT, self.tr("Sent")),
                            (DELETED, self.tr("Deleted"))):
            self.views.setTabData(self.views.addTab(title), view)
        self.views.currentChanged.connect(self._on_view)
        self.no_results = QLabel(self.tr("No drafts match this search."))
        self.no_results.setObjectName("noResults")
        self.no_results.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_results.setWordWrap(True)
        self.no_results.hide()
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setItemDelegate(DraftDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setAccessibleName(self.tr("Drafts"))
        self.list.clicked.connect(self._on_clicked)
        self.list.activated.connect(self._on_clicked)
        self.empty = QLabel(self.tr("No drafts yet.\nPress Ctrl+N to write one —\nit is "
                                    "saved as you type."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName(self.tr("No drafts yet"))
        self.left_stack = QStackedWidget()
        self.left_stack.addWidget(self.list)
        self.left_stack.addWidget(self.empty)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 6)
        left_layout.addWidget(self.views)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.no_results)
        left_layout.addWidget(self.left_stack, 1)
        self.model.loaded.connect(self._on_list_loaded)

        # -- right: editor ---------------------------------------------------------------
        self.editor = DraftEditor(clock, default_tz)
        self.editor.set_accounts(self.settings)
        self.editor.setEnabled(False)
        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([280, 720])
        self.setCentralWidget(self.splitter)

        # -- status bar ------------------------------------------------------------------
        self.save_status = QLabel(self.tr("Ready"))
        self.save_status.setAccessibleName(self.tr("Save status"))
        self.sync_status = QLabel(self.tr("On this computer") if not self.settings.accounts
                                  else "")
        self.sync_status.setAccessibleName(self.tr("Sync status"))
        self._attach_after_create: list[Path] = []
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.setAccessibleName(self.tr("Undo"))
        self.undo_button.hide()
        self.undo_button.clicked.connect(self._undo)
        self._undo_action: Callable[[], None] | None = None
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.setAccessibleName(self.tr("Retry saving"))
        self.retry_button.hide()
        self.add_account_button = QPushButton(self.tr("Add an account to sync…"))
        self.add_account_button.setAccessibleName(self.tr("Add an account"))
        self.add_account_button.setObjectName("linkButton")  # looks like a link (theme.py)
        self.add_account_button.setFlat(True)
        self.add_account_button.setVisible(not self.settings.accounts)
        self.add_account_button.clicked.connect(lambda: self.show_accounts())
        bar = self.statusBar()
        # Undo and Retry sit right after the message they belong to.
        bar.addWidget(self.save_status)
        bar.addWidget(self.undo_button)
        bar.addWidget(self.retry_button)
        bar.addWidget(QWidget(), 1)
        bar.addPermanentWidget(self.add_account_button)
        bar.addPermanentWidget(self.sync_status)

        # -- autosave --------------------------------------------------------------------
        self.autosaver = Autosaver(self.bridge, self.editor.snapshot,
                                   idle_ms=self.settings.autosave_idle_ms,
                                   max_ms=self.settings.autosave_max_ms, parent=self)
        self.editor.draft_edited.connect(self._on_edited)
        self.autosaver.saving_started.connect(
            lambda: self.save_status.setText(self.tr("Saving…")))
        self.autosaver.draft_saved.connect(self._on_saved)
        self.autosaver.save_failed.connect(self._on_save_failed)
        self.retry_button.clicked.connect(self.autosaver.save_now)
        self.editor.files_chosen.connect(self.attach_files)
        self.editor.from_box.currentIndexChanged.connect(lambda _: self._recheck())
        self.editor.conflict_button.clicked.connect(self.show_conflict)
        self.editor.sign_in_button.clicked.connect(self._fix_sign_in)
        self.editor.attachment_removed.connect(self.remove_attachment)
        self.editor.read_only_button.clicked.connect(self._read_only_action)
        #: made on first use (its import pulls in the adapter layer); worker-only
        self._checker: AccountChecker | None = None
        #: asked about sends missed while the app was closed; tests replace it
        self.ask_missed: Callable[[int], bool] = self._ask_missed
        #: ask for an .eml file to open / a file name to save as; tests replace them
        self.ask_open_eml: Callable[[], Path | None] = self._ask_open_eml
        self.ask_save_eml: Callable[[str], Path | None] = self._ask_save_eml
        self._schedule_timer = QTimer(self)
        self._schedule_timer.setInterval(30_000)
        self._schedule_timer.timeout.connect(lambda: self.check_scheduled())
        self._recheck_timer = QTimer(self)
        self._recheck_timer.setSingleShot(True)
        self._recheck_timer.setInterval(800)
        self._recheck_timer.timeout.connect(self._recheck)
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(300)
        self._reload_timer.timeout.connect(self.model.reload)

        self._recipients: list[tuple[str, str, int]] = []   # addr, name, uses
        for field in (self.editor.to, self.editor.cc, self.editor.bcc):
            field.set_suggester(self.suggest)
            field.forget_requested.connect(self.forget_recipient)
        self._load_recipients()

        from composer.ui.send_flow import SendFlow

        self.send_flow = SendFlow(self.bridge, settings_file, self)
        self.send_flow.checked.connect(self._send_checked)
        self.send_flow.held.connect(self._send_held)
        self.send_flow.cancelled.connect(self._send_cancelled)
        self.send_flow.queued.connect(self._send_queued)

        self._sending_subject = ""
        self._started_fresh = False
        #: a new draft not edited yet (Ctrl+N again shows it rather than making another)
        self._pristine: str | None = None
        self._creating = False
        #: queued sends not yet seen sent: id -> subject (for "Sent “…”.")
        self._sending: dict[str, str] = {}
        self._build_actions()
        self._set_sync_action()
        self._set_draft_actions(False)
        self._restore_state()
        self.model.reload()
        self.first_painted.connect(self._name_toolbar_buttons)
        self._first_painted = False
        self._closed = False
        self.installEventFilter(self)
        # A window started minimized or hidden never paints: its deferred work (sync
        # among it) still starts, a little later.
        QTimer.singleShot(FIRST_PAINT_FALLBACK_MS, self._emit_first_painted)

    @property
    def sync(self) -> SyncController | None:
        return self._sync

    @sync.setter
    def sync(self, controller: SyncController | None) -> None:
        # Attached after the first frame: the draft open by then can be sent now, not
        # only after its first edit.
        self._sync = controller
        self._update_send_state()

    # -- actions --------------------------------------------------------------------------
    def _build_actions(self) -> None:
        tools = QToolBar(self.tr("Main"))
        tools.setObjectName("mainToolbar")
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tools.setAccessibleName(self.tr("Main toolbar"))
        self.addToolBar(tools)

        def act(name: str, text: str, slot: Callable[[], None], shortcut: str = "",
                tip: str = "") -> QAction:
            action = named_icon(QAction(text, self), name)
            action.triggered.connect(slot)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(tip or (f"{text} ({shortcut})" if shortcut else text))
            return action

        self.new_action = act("new", self.tr("New"), lambda: self.new_draft(), "Ctrl+N")
        self.save_action = act("sync", self.tr("Save now"), self.save_now, "Ctrl+S")
        self.send_action = act("send", self.tr("Send"), self.send, "Ctrl+Return")
        self.attach_action = act("attach", self.tr("Attach"), self.editor.choose_files,
                                 "Ctrl+Shift+A")
        self.find_action = act("search", self.tr("Search"), self._focus_search, "Ctrl+F")
        clear_search = QAction(self.tr("Clear search"), self.search)
        clear_search.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        clear_search.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        clear_search.triggered.connect(self.search.clear)
        self.search.addAction(clear_search)
        self.sync_action = act("sync", self.tr("Sync now"), self.sync_now)
        self.accounts_action = act("accounts", self.tr("Accounts"), self.show_accounts)
        self.settings_action = act("settings", self.tr("Settings"), self.show_settings)
        self.history_action = act("history", self.tr("History"), self.show_history)
        self.delete_action = act("delete", self.tr("Delete"), self.delete_current,
                                 QKeySequence(QKeySequence.StandardKey.Delete).toString())
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.list.addAction(self.delete_action)
        cc = act("new", self.tr("Show Cc"), lambda: self.editor.reveal(self.editor.cc),
                 "Ctrl+Shift+C")
        bcc = act("new", self.tr("Show Bcc"), lambda: self.editor.reveal(self.editor.bcc),
                  "Ctrl+Shift+B")
        self.send_action.setEnabled(False)
        self.send_action.setToolTip(self.tr("Sending needs an account: add one under "
                                            "Accounts"))
        for action in (self.new_action, self.send_action, self.attach_action):
            tools.addAction(action)
        tools.addSeparator()
        for action in (self.history_action, self.delete_action):
            tools.addAction(action)
        tools.addSeparator()
        for action in (self.sync_action, self.accounts_action, self.settings_action):
            tools.addAction(action)
        for action in (self.save_action, self.find_action, cc, bcc):
            self.addAction(action)
        self._tools = tools
        self._build_menus(cc, bcc)

    def _build_menus(self, cc: QAction, bcc: QAction) -> None:
        """The menu bar desktop users expect; every toolbar action is in it too."""
        bar = self.menuBar()

        def plain(text: str, slot: Callable[[], object], shortcut: str = "") -> QAction:
            action = QAction(text, self)
            action.triggered.connect(lambda *_: slot())
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            return action

        self.open_eml_action = plain(self.tr("&Open .eml…"), self.open_eml, "Ctrl+O")
        self.save_eml_action = plain(self.tr("Save as .&eml…"), self.save_eml, "Ctrl+Shift+S")
        self.quit_action = plain(self.tr("&Quit"), self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu = bar.addMenu(self.tr("&File"))
        for action in (self.new_action, self.open_eml_action, self.save_eml_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.send_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        for action in (self.save_action, self.attach_action, self.find_action,
                       self.history_action, self.delete_action):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.accounts_action)
        edit_menu.addAction(self.settings_action)
        view_menu = bar.addMenu(self.tr("&View"))
        self.view_actions: dict[str, QAction] = {}
        for view, text in ((DRAFTS, self.tr("&Drafts")), (SENT, self.tr("&Sent")),
                           (DELETED, self.tr("D&eleted drafts"))):
            action = plain(text, functools.partial(self.show_view, view))
            self.view_actions[view] = action
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(cc)
        view_menu.addAction(bcc)
        view_menu.addAction(self.sync_action)
        help_menu = bar.addMenu(self.tr("&Help"))
        self.about_action = plain(self.tr("&About Mail Composer"), self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(self.about_action)

    def show_about(self) -> None:
        """Help → About: versions and the licence texts of everything the app bundles."""
        from composer.ui.dialogs.about_dialog import show_about

        self.about_box = show_about(self)

    # -- .eml files ---------------------------------------------------------------------
    def _ask_open_eml(self) -> Path | None:
        from PySide6.QtWidgets import QFileDialog

        name, _ = QFileDialog.getOpenFileName(self, self.tr("Open .eml"), "",
                                              self.tr("Email messages (*.eml)"))
        return Path(name) if name else None

    def _ask_save_eml(self, suggested: str) -> Path | None:
        from PySide6.QtWidgets import QFileDialog

        name, _ = QFileDialog.getSaveFileName(self, self.tr("Save as .eml"), suggested,
                                              self.tr("Email messages (*.eml)"))
        return Path(name) if name else None

    def open_eml(self) -> None:
        """A new draft from an .eml file."""
        path = self.ask_open_eml()
        if path is None:
            return
        from composer.ui.eml_files import import_eml

        self.autosaver.flush()

        def opened(draft: Draft) -> None:
            self.show_view(DRAFTS)
            self._show_draft(draft)
            self.model.reload()
            self.save_status.setText(self.tr("Opened %1 as a new draft.").replace(
                "%1", path.name))

        self.bridge.submit(lambda store: import_eml(store, path), opened, self._on_error)

    def save_eml(self) -> None:
        draft = self.editor.draft
        if draft is None:
            return
        from composer.domain.filenames import safe_filename
        from composer.ui.eml_files import export_eml

        path = self.ask_save_eml(safe_filename((draft.subject or "draft") + ".eml"))
        if path is None:
            return
        self.autosaver.flush()  # the file holds what is on screen
        draft_id = draft.id
        self.bridge.submit(
            lambda store: export_eml(store, draft_id, path),
            lambda _: self.save_status.setText(self.tr("Saved as %1").replace("%1", str(path))),
            self._on_error)

    def _name_toolbar_buttons(self) -> None:
        # After the first frame: wrapping the QToolButtons in Python costs more start-up
        # time than the rest of the toolbar (PySide builds their enums on first touch).
        for action in self._tools.actions():
            button = self._tools.widgetForAction(action)
            if button is not None:
                button.setAccessibleName(action.text())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and event.type() == QEvent.Type.Paint:
            self.removeEventFilter(self)
            QTimer.singleShot(0, self._emit_first_painted)
        return super().eventFilter(watched, event)

    def _emit_first_painted(self) -> None:
        if not self._first_painted and not self._closed:
            self._first_painted = True
            self.first_painted.emit()

    def _set_draft_actions(self, enabled: bool) -> None:
        for action in (self.attach_action, self.history_action, self.delete_action,
                       self.save_eml_action):
            action.setEnabled(enabled)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- list -----------------------------------------------------------------------------
    def _on_list_loaded(self) -> None:
        view = self.model.view
        nothing = self.model.rowCount() == 0
        searching = bool(self.model.search_text)
        self.empty.setText({
            DRAFTS: self.tr("No drafts yet.\nPress Ctrl+N to write one —\nit is saved as you "
                            "type."),
            SENT: self.tr("Nothing sent yet."),
            DELETED: self.tr("No deleted drafts.")}[view])
        self.left_stack.setCurrentIndex(1 if nothing and not searching else 0)
        self.no_results.setText(self.tr("Nothing matches “%1”. (Escape clears the search.)")
                                .replace("%1", self.model.search_text))
        self.no_results.setVisible(nothing and searching)
        self._check_sent()
        current = self.editor.draft
        if view != DRAFTS:
            if current is not None and self.model.row_of(current.id) >= 0:
                self.list.setCurrentIndex(self.model.index(self.model.row_of(current.id)))
            return
        if current is not None:
            row = self.model.row_of(current.id)
            if row >= 0:
                self.list.setCurrentIndex(self.model.index(row))
                self._show_sync_state(row)  # a sync pass may have changed it
        elif nothing and not searching and not self._started_fresh:
            # First start (or every draft gone): a new draft, open and ready in To.
            self._started_fresh = True
            self.new_draft()
        elif self.model.rowCount() and not self.search.text():
            wanted = self.session.open_draft()
            row = self.model.row_of(wanted) if wanted else -1
            self.open_draft(wanted if row >= 0 and wanted else self.model.summary(0).id)

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            summary = self.model.summary(index.row())
            if self.editor.draft is None or summary.id != self.editor.draft.id:
                self.open_draft(summary.id)

    def _on_view(self, index: int) -> None:
        self.model.set_view(str(self.views.tabData(index)))

    def show_view(self, view: str) -> None:
        """Drafts, Sent or Deleted in the list (the menu's View items)."""
        for i in range(self.views.count()):
            if self.views.tabData(i) == view:
                self.views.setCurrentIndex(i)

    def open_draft(self, draft_id: str) -> None:
        self.autosaver.flush()
        deleted = self.model.view == DELETED
        self.bridge.submit(lambda store: store.get(draft_id, include_deleted=deleted),
                           self._show_draft, self._on_error)

    def _show_draft(self, draft: Draft) -> None:
        self.editor.load(draft)
        self.editor.setEnabled(True)
        if draft.status is DraftStatus.SENT:
            self.editor.set_read_only(self.tr("Sent — a sent message cannot be changed or "
                                              "sent again."), self.tr("Edit as new draft"))
            self.editor.show_sync_state(self.tr("sent"))
        elif self.model.view == DELETED:
            self.editor.set_read_only(self.tr("Deleted — restore it to edit or send it."),
                                      self.tr("Restore"))
        else:
            self.editor.set_read_only(None)
        self.session.remember(draft.id)
        self._set_draft_actions(True)
        self._update_send_state()
        row = self.model.row_of(draft.id)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))
            self._show_sync_state(row)
        self._recheck()
        # Not saved here: what was just read is on disk already, and saving this snapshot
        # would undo a change made meanwhile by a background job (e.g. "keep as draft"
        # clearing a missed send-later time).

    def _show_sync_state(self, row: int) -> None:
        from composer.store.sync_state import SyncStatus
        from composer.ui.widgets.draft_list import needs_attention

        summary = self.model.summary(row)
        words = sync_words(summary)
        failed = summary.sync is SyncStatus.FAILED
        sign_in = failed and summary.sync_error_kind == "auth"
        last = self.sync.last_summary if self.sync is not None else None
        if summary.sync is SyncStatus.PENDING and summary.account and last is not None \
                and summary.account in last.auth_failed_accounts:
            # Held back behind its account's refused sign-in: say so, not just "waiting".
            sign_in = True
            words = self.tr("waiting — %1 needs its password or key again") \
                .replace("%1", summary.account)
        refused = failed and summary.sync_error_kind in ("validation", "forbidden",
                                                          "unsupported")
        if refused and summary.sync_field and summary.sync_error:
            # The service's words go on the field, under the heading (show_service_problem).
            words = self.tr("not accepted by the service — change %1 and it syncs again") \
                .replace("%1", messages.field_label(summary.sync_field))
        self.editor.show_sync_state(words, attention=needs_attention(summary) or sign_in)
        self.editor.conflict_button.setVisible(summary.sync is SyncStatus.CONFLICT)
        self.editor.sign_in_button.setVisible(sign_in)
        self.editor.show_service_problem(summary.sync_field if refused else None,
                                         summary.sync_error if refused else None)

    def _fix_sign_in(self) -> None:
        draft = self.editor.draft
        self.show_accounts(draft.account if draft is not None else None)

    def _recheck(self) -> None:
        """The draft seen by its account's service: limits and what it cannot carry."""
        snapshot = self.editor.snapshot()
        if snapshot is None:
            return
        if self._checker is None:
            from composer.ui.account_checks import AccountChecker

            self._checker = AccountChecker(self._clock)
        settings, checker = self.settings, self._checker
        self.bridge.submit(lambda store: checker.view(snapshot, settings),
                           self._show_account_view, self._on_error)

    def _show_account_view(self, view: AccountView) -> None:
        self.editor.show_problems(view.problems)
        self.editor.attachments.set_limit(view.total_limit)
        self.editor.schedule.set_local_only(view.sends_locally)

    # -- send later, done by the app -------------------------------------------------------
    def start_scheduler(self) -> None:
        """Send due drafts of services that cannot schedule; ask about missed ones once."""
        if self._schedule_timer.isActive():
            return
        self._schedule_timer.start()
        self.check_scheduled(at_start=True)

    def check_scheduled(self, *, at_start: bool = False) -> None:
        from composer.sync import scheduler

        settings, now = self.settings, self._clock()
        self.bridge.submit(lambda store: scheduler.due(store, settings, now),
                           lambda rows: self._on_due(rows, at_start, now), self._on_error)

    def _on_due(self, rows: list[tuple[str, datetime]], at_start: bool,
                now: datetime) -> None:
        from composer.sync import scheduler

        missed = [d for d, when in rows if at_start and when < now - scheduler.MISSED_AFTER]
        due_now = [d for d, _ in rows if d not in missed]
        if due_now:
            self.bridge.submit(lambda store: scheduler.send_due(store, due_now),
                               lambda _: self.sync_now(), self._on_error)
        if missed:
            send = self.ask_missed(len(missed))
            job = scheduler.send_due if send else scheduler.keep_as_draft
            self.bridge.submit(lambda store: job(store, missed),
                               lambda _: self._after_missed(missed), self._on_error)

    def _after_missed(self, changed: list[str]) -> None:
        self.sync_now()
        self.model.reload()
        current = self.editor.draft
        if current is not None and current.id in changed:
            self.open_draft(current.id)  # show it as it is now (no stale send-later time)

    def _ask_missed(self, count: int) -> bool:
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self, self.tr("Send-later times passed"),
            self.tr("A draft was due to be sent while Mail Composer was closed. Send it "
                    "now? (No keeps it as a draft, without a send-later time.)") if count == 1
            else self.tr("%n drafts were due to be sent while Mail Composer was closed. Send "
                         "them now? (No keeps them as drafts, without a send-later time.)",
                         "", count))
        return answer == QMessageBox.StandardButton.Yes

    # -- conflicts ------------------------------------------------------------------------
    def show_conflict(self) -> None:
        draft = self.editor.draft
        if draft is None:
            return
        from composer.ui.account_checks import conflict_pair

        draft_id = draft.id
        self.bridge.submit(lambda store: conflict_pair(store, draft_id), self._open_conflict,
                           self._on_error)

    def _open_conflict(self, pair: ConflictPair) -> None:
        from composer.ui.dialogs.conflict_dialog import ConflictDialog

        name = pair.mine.account or ""
        account = self.settings.account(name)
        where = f"{name} ({messages.kind_title(account.kind)})" if account else name
        dialog = ConflictDialog(pair.mine, pair.theirs, where, self)
        dialog.resolved.connect(lambda choice: self.resolve_conflict(pair.mine.id, choice))
        self.conflict_dialog = dialog
        dialog.open()

    def resolve_conflict(self, draft_id: str, choice: str) -> None:
        from composer.ui.account_checks import resolve

        def done(shown: str) -> None:
            self.model.reload()
            self.open_draft(shown)
            self.save_status.setText(self.tr("Conflict resolved."))
            if self.sync is not None:
                self.sync.sync_now()

        self.bridge.submit(lambda store: resolve(store, draft_id, choice), done, self._on_error)

    # -- editing --------------------------------------------------------------------------
    def _on_edited(self) -> None:
        self._pristine = None
        self.autosaver.changed()
        self._update_send_state()
        self._recheck_timer.start()

    def _on_saved(self, saved: Draft) -> None:
        self.editor.remember_saved(saved)
        self.retry_button.hide()
        self.save_status.setText(self.tr("Saved"))
        self._reload_timer.start()
        known = {r[0] for r in self._recipients}
        if any(a.valid and a.addr.lower() not in known for a in saved.recipients()):
            self._load_recipients()
        if self.sync is not None:
            self.sync.request_sync()

    def _on_save_failed(self, error: Exception) -> None:
        self.save_status.setText(self.tr("Couldn't save: %1").replace(
            "%1", messages.describe(error)))
        self.retry_button.show()

    def _on_error(self, error: Exception) -> None:
        self.save_status.setText(messages.describe(error))

    def save_now(self) -> None:
        self.autosaver.save_now()

    def new_draft(self, prefill: Draft | None = None, *,
                  attach: list[Path] | None = None) -> None:
        self.autosaver.flush()
        self.show_view(DRAFTS)
        if prefill is None and not attach:
            current = self.editor.draft
            if self._creating:
                return  # one is on its way
            if current is not None and current.id == self._pristine \
                    and not self.autosaver.dirty:
                self.editor.to.setFocus()
                return
        self._creating = True
        self._attach_after_create = list(attach or [])
        s = self.settings
        sender = s.identity_address
        if s.default_account:
            account = s.account(s.default_account)
            sender = account.address if account and account.address else sender
        draft = prefill or Draft()
        draft = draft.evolve(account=draft.account or s.default_account,
                             from_addr=draft.from_addr or sender)
        def failed(error: Exception) -> None:
            self._creating = False
            self._on_error(error)

        self.bridge.submit(lambda store: store.save(draft), self._on_created, failed)

    def _on_created(self, draft: Draft) -> None:
        self._creating = False
        self._pristine = draft.id if not self._attach_after_create else None
        self._show_draft(draft)
        self.model.reload()
        self.editor.to.setFocus()
        if self._attach_after_create:
            self.attach_files(self._attach_after_create)
            self._attach_after_create = []

    def show_sync_summary(self, summary: SyncSummary) -> None:
        parts = []
        for account in self.settings.accounts:
            waiting = summary.waiting_by_account.get(account.name, 0)
            if account.name in summary.auth_failed_accounts:
                state = self.tr("sign-in needed")
            elif account.name in summary.offline_accounts:
                state = self.tr("offline")
            else:
                state = self.tr("online")
            text = f"{account.name}: {state}"
            if waiting:
                text += self.tr(", 1 change waiting") if waiting == 1 else self.tr(
                    ", %n changes waiting", "", waiting)
            parts.append(text)
        self.sync_status.setText(" · ".join(parts))
        self._reload_timer.start()

    # -- recipient suggestions ------------------------------------------------------------
    def _load_recipients(self) -> None:
        def job(store: DraftStore) -> list[tuple[str, str, int]]:
            return [(r.addr, r.name, r.use_count)
                    for r in store.suggest_recipients("", limit=5000)]

        self.bridge.submit(job, self._set_recipients, self._on_error)

    def _set_recipients(self, rows: list[tuple[str, str, int]]) -> None:
        self._recipients = rows

    def suggest(self, prefix: str) -> list[tuple[str, str]]:
        """Addresses used before, most used (then most recent) first; in memory, fast."""
        needle = prefix.lower()
        hits = [(addr, name) for addr, name, _ in self._recipients
                if addr.startswith(needle) or any(w.lower().startswith(needle)
                                                   for w in name.split())]
        return hits[:8]

    def forget_recipient(self, addr: str) -> None:
        self._recipients = [r for r in self._recipients if r[0] != addr.lower()]
        self.bridge.submit(lambda store: store.forget_recipient(addr), None, self._on_error)

    # -- attachments ----------------------------------------------------------------------
    def attach_files(self, paths: list[Path]) -> None:
        if self.editor.draft is None:
            return
        self.editor.attachments.clear_error()
        for path in paths:
            name = path.name
            progress = _Progress(self, name)
            self.bridge.submit(
                functools.partial(_store_file, path=path, progress=progress.report),
                functools.partial(self._attached, name, progress),
                functools.partial(self._attach_failed, name, progress))

    def _attached(self, name: str, progress: QObject, attachment: Attachment) -> None:
        progress.deleteLater()
        self.editor.attachments.clear_progress(name)
        self.editor.add_attachment(attachment)
        self.autosaver.save_now()

    def _attach_failed(self, name: str, progress: QObject, error: Exception) -> None:
        progress.deleteLater()
        self.editor.attachments.clear_progress(name)
        self.editor.attachments.show_error(messages.describe(error))

    def remove_attachment(self, name: str) -> None:
        self.editor.remove_attachment(name)
        self.autosaver.save_now()

    # -- delete with undo -----------------------------------------------------------------
    def delete_current(self) -> None:
        draft = self.editor.draft
        if draft is None:
            return
        self.autosaver.flush()
        draft_id = draft.id
        self.bridge.submit(lambda store: store.delete(draft_id),
                           lambda _: self._deleted(draft_id), self._on_error)

    def _deleted(self, draft_id: str) -> None:
        self.editor.setEnabled(False)
        self._set_draft_actions(False)
        self.editor._draft = None
        self.session.remember(None)
        self.save_status.setText(self.tr("Draft deleted."))
        def undo() -> None:
            self.bridge.submit(lambda store: store.undelete(draft_id), self._restored,
                               self._on_error)

        self.offer_undo(undo)
        self.model.reload()

    def _restored(self, draft: Draft) -> None:
        self._show_draft(draft)
        self.model.reload()
        self.save_status.setText(self.tr("Draft restored."))

    def offer_undo(self, action: Callable[[], None], seconds: int = 10) -> None:
        self._undo_action = action
        self.undo_button.show()
        QTimer.singleShot(seconds * 1000, self._expire_undo)

    def _expire_undo(self) -> None:
        self._undo_action = None
        self.undo_button.hide()

    def _undo(self) -> None:
        action, self._undo_action = self._undo_action, None
        self.undo_button.hide()
        if action is not None:
            action()

    # -- history --------------------------------------------------------------------------
    def show_history(self) -> None:
        draft = self.editor.draft
        if draft is None:
            return
        self.autosaver.flush()
        from composer.ui.dialogs.history_dialog import HistoryDialog

        dialog = HistoryDialog(self.bridge, draft.id, self)
        dialog.restored.connect(self._show_draft)
        dialog.open()

    # -- send -----------------------------------------------------------------------------
    def _update_send_state(self) -> None:
        # Runs on every keystroke: reads the From box, never serializes the body.
        draft = self.editor.draft
        ok = draft is not None and not self.editor.read_only and self.sync is not None \
            and isinstance(self.editor.from_box.currentData(), str)
        self.send_action.setEnabled(ok)
        self.send_action.setToolTip(self.tr("Send (Ctrl+Enter)") if ok else self.tr(
            "Sending needs an account: choose one in From (add one under Accounts)"))

    def send(self) -> None:
        """Check, hold for the undo delay, then queue through the outbox."""
        draft = self.editor.draft
        if draft is None or self.sync is None or self.editor.read_only or \
                draft.status is not DraftStatus.DRAFT or self.send_flow.pending:
            return
        self.autosaver.save_now()  # the check and the send see what is on screen
        subject = self.editor.subject.text().strip() or self.tr("(no subject)")
        self._sending_subject = subject if len(subject) <= 40 else subject[:39] + "…"
        self.send_flow.start(draft.id, self.settings.undo_send_seconds)

    def _send_checked(self, problems: list[object]) -> None:
        if problems:
            words = "; ".join(getattr(p, "message", str(p)) for p in problems)
            self.save_status.setText(self.tr("Can't send yet: %1").replace("%1", words))

    def _send_held(self, seconds: int) -> None:
        self.save_status.setText(self.tr("Sending “%1” in %n s…", "", seconds).replace(
            "%1", self._sending_subject))
        self._undo_action = self.send_flow.undo
        self.undo_button.show()

    def _send_cancelled(self) -> None:
        self.undo_button.hide()
        self.save_status.setText(self.tr("Send cancelled; the draft is unchanged."))

    def _send_queued(self, draft: object) -> None:
        self.undo_button.hide()
        self.save_status.setText(self.tr("Sending… (it goes out when the service answers)"))
        if isinstance(draft, Draft):
            self._sending[draft.id] = self._sending_subject
        if self.sync is not None:
            self.sync.sync_now()

    def _check_sent(self) -> None:
        """After a sync pass: say which queued sends went (or why not yet)."""
        if not self._sending:
            return
        ids = list(self._sending)

        def job(store: DraftStore) -> list[tuple[str, bool, str | None]]:
            out = []
            for draft_id in ids:
                draft = store.get(draft_id, include_deleted=True)
                state = store.sync_states.get(draft_id)
                failed = state is not None and state.state is SyncStatus.FAILED
                out.append((draft_id, draft.status is DraftStatus.SENT,
                            (state.last_error or "") if failed and state else None))
            return out

        self.bridge.submit(job, self._on_sent_checked, self._on_error)

    def _on_sent_checked(self, rows: list[tuple[str, bool, str | None]]) -> None:
        for draft_id, sent, error in rows:
            subject = self._sending.get(draft_id)
            if subject is None:
                continue
            if sent:
                del self._sending[draft_id]
                self.save_status.setText(self.tr("Sent “%1”.").replace("%1", subject))
                current = self.editor.draft
                if current is not None and current.id == draft_id:
                    self.open_draft(draft_id)  # shown as sent: read-only
            elif error is not None:
                del self._sending[draft_id]
                self.save_status.setText(self.tr("Not sent: %1").replace("%1", error))

    def _read_only_action(self) -> None:
        draft = self.editor.draft
        if draft is None:
            return
        if self.model.view == DELETED:
            draft_id = draft.id

            def restored(shown: Draft) -> None:
                self.show_view(DRAFTS)
                self._restored(shown)

            self.bridge.submit(lambda store: store.undelete(draft_id), restored,
                               self._on_error)
            return
        # Edit as new draft: the same content, a new draft of its own (the sent one stays).
        copy = Draft(account=draft.account, from_addr=draft.from_addr, to=draft.to,
                     cc=draft.cc, bcc=draft.bcc, subject=draft.subject,
                     body_mode=draft.body_mode, html=draft.html, text=draft.text,
                     attachments=draft.attachments, importance=draft.importance)
        self.show_view(DRAFTS)
        self.new_draft(copy)

    # -- accounts, settings, sync ---------------------------------------------------------
    def show_accounts(self, account: str | None = None) -> None:
        """The accounts dialog; with ``account``, that account open for editing."""
        from composer.secrets import SecretStore
        from composer.ui.dialogs.accounts_dialog import AccountsDialog, default_tester

        dialog = AccountsDialog(self._settings_file, SecretStore(), default_tester(self._clock),
                                self)
        dialog.accounts_changed.connect(self.reload_settings)
        if account is not None:
            dialog.select(account)
        dialog.open()

    def show_settings(self) -> None:
        from composer.ui.dialogs.settings_dialog import SettingsDialog
        from composer.ui.theme import apply_theme
        from composer.ui.widgets.icons import retint

        dialog = SettingsDialog(self._settings_file.load(), self)

        def accepted() -> None:
            self._settings_file.save(dialog.result_settings())
            self.reload_settings()
            apply_theme(self.settings.theme)
            retint(self)

        dialog.accepted.connect(accepted)
        dialog.open()

    def reload_settings(self) -> None:
        self.settings = self._settings_file.load()
        self.editor.set_accounts(self.settings)
        self.autosaver.set_delays(self.settings.autosave_idle_ms, self.settings.autosave_max_ms)
        if self.settings.accounts and self.sync is None:
            from composer.ui.launch import _attach_sync

            _attach_sync(self)
        self.add_account_button.setVisible(not self.settings.accounts)
        self._set_sync_action()
        self._update_send_state()

    def _set_sync_action(self) -> None:
        has = bool(self.settings.accounts)
        self.sync_action.setEnabled(has)
        self.sync_action.setToolTip(self.tr("Sync now") if has else self.tr(
            "Nothing to sync: drafts stay on this computer until you add an account"))

    def sync_now(self) -> None:
        if self.sync is not None:
            self.sync.sync_now()

    # -- window state ---------------------------------------------------------------------
    def _state(self) -> QSettings:
        return QSettings(str(self._paths.window_state_file), QSettings.Format.IniFormat)

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
        checker = self._checker
        if checker is not None:
            self.bridge.submit(lambda store: checker.close())  # on the worker, in order
        self.bridge.shutdown()  # runs the queued final save before stopping
        super().closeEvent(event)


class _Progress(QObject):
    """Relays a worker's progress to the attachment list: the worker emits, the slot
    runs on the GUI thread (this object lives there)."""

    progressed = Signal(int, int)

    def __init__(self, window: MainWindow, name: str) -> None:
        super().__init__(window)
        self._list = window.editor.attachments
        self._name = name
        self.progressed.connect(self._show)

    @Slot(int, int)
    def _show(self, done: int, total: int) -> None:
        self._list.show_progress(self._name, done, total)

    def report(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)
