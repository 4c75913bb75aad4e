"""The status bar's widgets: the save message with Undo and Retry right after it, and
on the right "Add an account to sync…" (while there is none) and the sync state."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget


class StatusLine(QWidget):
    """Owns nothing but its children's places: ``install`` puts them in a status bar."""

    def __init__(self, has_accounts: bool) -> None:
        super().__init__()
        self.save_status = QLabel(self.tr("Ready"))
        self.save_status.setAccessibleName(self.tr("Save status"))
        self.sync_status = QLabel(self.tr("On this computer") if not has_accounts else "")
        self.sync_status.setAccessibleName(self.tr("Sync status"))
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.setAccessibleName(self.tr("Undo"))
        self.undo_button.hide()
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.setAccessibleName(self.tr("Retry saving"))
        self.retry_button.hide()
        self.add_account_button = QPushButton(self.tr("Add an account to sync…"))
        self.add_account_button.setAccessibleName(self.tr("Add an account"))
        self.add_account_button.setObjectName("linkButton")  # looks like a link (theme.py)
        self.add_account_button.setFlat(True)
        self.add_account_button.setVisible(not has_accounts)

    def install(self, bar: QStatusBar) -> None:
        # Undo and Retry sit right after the message they belong to.
        bar.addWidget(self.save_status)
        bar.addWidget(self.undo_button)
        bar.addWidget(self.retry_button)
        bar.addWidget(self, 1)  # the stretch between left and right
        bar.addPermanentWidget(self.add_account_button)
        bar.addPermanentWidget(self.sync_status)
