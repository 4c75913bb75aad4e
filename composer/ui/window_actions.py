"""The main window's actions, toolbar and menu bar: every toolbar action is in a menu
too, with its shortcut. What each action does is the window's (``WindowCommands``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolBar

from composer.ui.widgets.draft_list import DELETED, DRAFTS, SENT
from composer.ui.widgets.draft_list_pane import DraftListPane
from composer.ui.widgets.editor import DraftEditor
from composer.ui.widgets.icons import named_icon


class WindowCommands(Protocol):
    def new_draft(self) -> None: ...
    def save_now(self) -> None: ...
    def send(self) -> None: ...
    def sync_now(self) -> None: ...
    def show_accounts(self) -> None: ...
    def show_settings(self) -> None: ...
    def show_history(self) -> None: ...
    def delete_current(self) -> None: ...
    def open_eml(self) -> None: ...
    def save_eml(self) -> None: ...
    def show_view(self, view: str) -> None: ...
    def show_about(self) -> None: ...


class WindowActions(QObject):
    def __init__(self, window: QMainWindow, commands: WindowCommands, editor: DraftEditor,
                 pane: DraftListPane) -> None:
        super().__init__(window)
        self._window = window
        tools = QToolBar(self.tr("Main"))
        tools.setObjectName("mainToolbar")
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tools.setAccessibleName(self.tr("Main toolbar"))
        window.addToolBar(tools)

        def act(name: str, text: str, slot: Callable[[], None], shortcut: str = "",
                tip: str = "") -> QAction:
            action = named_icon(QAction(text, window), name)
            action.triggered.connect(slot)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(tip or (f"{text} ({shortcut})" if shortcut else text))
            return action

        self.new_action = act("new", self.tr("New"), lambda: commands.new_draft(), "Ctrl+N")
        self.save_action = act("sync", self.tr("Save now"), commands.save_now, "Ctrl+S")
        self.send_action = act("send", self.tr("Send"), commands.send, "Ctrl+Return")
        self.attach_action = act("attach", self.tr("Attach"), editor.choose_files,
                                 "Ctrl+Shift+A")
        self.find_action = act("search", self.tr("Search"), pane.focus_search, "Ctrl+F")
        clear_search = QAction(self.tr("Clear search"), pane.search)
        clear_search.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        clear_search.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        clear_search.triggered.connect(pane.search.clear)
        pane.search.addAction(clear_search)
        self.sync_action = act("sync", self.tr("Sync now"), commands.sync_now)
        self.accounts_action = act("accounts", self.tr("Accounts"), commands.show_accounts)
        self.settings_action = act("settings", self.tr("Settings"), commands.show_settings)
        self.history_action = act("history", self.tr("History"), commands.show_history)
        self.delete_action = act("delete", self.tr("Delete"), commands.delete_current,
                                 QKeySequence(QKeySequence.StandardKey.Delete).toString())
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        pane.list.addAction(self.delete_action)
        cc = act("new", self.tr("Show Cc"), lambda: editor.reveal(editor.cc), "Ctrl+Shift+C")
        bcc = act("new", self.tr("Show Bcc"), lambda: editor.reveal(editor.bcc),
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
            window.addAction(action)
        self.toolbar = tools
        self._build_menus(commands, cc, bcc)

    def _build_menus(self, commands: WindowCommands, cc: QAction, bcc: QAction) -> None:
        """The menu bar desktop users expect; every toolbar action is in it too."""
        window = self._window
        bar = window.menuBar()

        def plain(text: str, slot: Callable[[], object], shortcut: str = "") -> QAction:
            action = QAction(text, window)
            action.triggered.connect(lambda *_: slot())
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            return action

        self.open_eml_action = plain(self.tr("&Open .eml…"), commands.open_eml, "Ctrl+O")
        self.save_eml_action = plain(self.tr("Save as .&eml…"), commands.save_eml,
                                     "Ctrl+Shift+S")
        self.quit_action = plain(self.tr("&Quit"), window.close, "Ctrl+Q")
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
            action = plain(text, functools.partial(commands.show_view, view))
            self.view_actions[view] = action
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(cc)
        view_menu.addAction(bcc)
        view_menu.addAction(self.sync_action)
        help_menu = bar.addMenu(self.tr("&Help"))
        self.about_action = plain(self.tr("&About Mail Composer"), commands.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(self.about_action)

    def name_toolbar_buttons(self) -> None:
        # After the first frame: wrapping the QToolButtons in Python costs more start-up
        # time than the rest of the toolbar (PySide builds their enums on first touch).
        for action in self.toolbar.actions():
            button = self.toolbar.widgetForAction(action)
            if button is not None:
                button.setAccessibleName(action.text())

    def set_draft_actions(self, enabled: bool) -> None:
        """The actions that need an open draft."""
        for action in (self.attach_action, self.history_action, self.delete_action,
                       self.save_eml_action):
            action.setEnabled(enabled)

    def set_can_send(self, ok: bool) -> None:
        self.send_action.setEnabled(ok)
        self.send_action.setToolTip(self.tr("Send (Ctrl+Enter)") if ok else self.tr(
            "Sending needs an account: choose one in From (add one under Accounts)"))

    def set_can_sync(self, has_accounts: bool) -> None:
        self.sync_action.setEnabled(has_accounts)
        self.sync_action.setToolTip(self.tr("Sync now") if has_accounts else self.tr(
            "Nothing to sync: drafts stay on this computer until you add an account"))
