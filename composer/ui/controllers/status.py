"""The status bar's words: saving and saved, errors, Undo and Retry beside the message
they belong to, and each account's sync state."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QPushButton

from composer.settings import Settings
from composer.ui import messages

if TYPE_CHECKING:  # the sync layer loads after the first frame
    from composer.ui.sync_controller import SyncSummary


class StatusController(QObject):
    def __init__(self, save_status: QLabel, sync_status: QLabel, undo_button: QPushButton,
                 retry_button: QPushButton, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._save_status = save_status
        self._sync_status = sync_status
        self._undo_button = undo_button
        self._retry_button = retry_button
        self._undo_action: Callable[[], None] | None = None
        undo_button.clicked.connect(self.undo)

    def say(self, text: str) -> None:
        self._save_status.setText(text)

    def error(self, error: Exception) -> None:
        self.say(messages.describe(error))

    def saving(self) -> None:
        self.say(self.tr("Saving…"))

    def saved(self) -> None:
        self._retry_button.hide()
        self.say(self.tr("Saved"))

    def save_failed(self, error: Exception) -> None:
        self.say(self.tr("Couldn't save: %1").replace("%1", messages.describe(error)))
        self._retry_button.show()

    # -- undo -----------------------------------------------------------------------------
    def offer_undo(self, action: Callable[[], None], seconds: int = 10) -> None:
        self._undo_action = action
        self._undo_button.show()
        QTimer.singleShot(seconds * 1000, self._expire_undo)

    def hold_undo(self, action: Callable[[], None]) -> None:
        """Undo until ``hide_undo`` (a held send counts down itself)."""
        self._undo_action = action
        self._undo_button.show()

    def hide_undo(self) -> None:
        self._undo_button.hide()

    def _expire_undo(self) -> None:
        self._undo_action = None
        self._undo_button.hide()

    def undo(self) -> None:
        action, self._undo_action = self._undo_action, None
        self._undo_button.hide()
        if action is not None:
            action()

    # -- sync -----------------------------------------------------------------------------
    def show_sync_summary(self, summary: SyncSummary, settings: Settings) -> None:
        parts = []
        for account in settings.accounts:
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
        self._sync_status.setText(" · ".join(parts))
