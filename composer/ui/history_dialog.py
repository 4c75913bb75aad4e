"""A draft's saved versions, newest first, with a preview; restoring one makes it the
current version (a new revision: nothing is lost)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from composer.store.drafts import DraftStore, RevisionInfo
from composer.ui import messages
from composer.ui.bridge import StorageBridge


class HistoryDialog(QDialog):
    restored = Signal(object)  # the draft as restored

    def __init__(self, bridge: StorageBridge, draft_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Version history"))
        self._bridge = bridge
        self._draft_id = draft_id
        self.versions = QListWidget()
        self.versions.setAccessibleName(self.tr("Saved versions"))
        self.versions.currentRowChanged.connect(self._preview)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setAccessibleName(self.tr("Preview of the selected version"))
        self.restore_button = QPushButton(self.tr("Restore this version"))
        self.restore_button.setAccessibleName(self.restore_button.text())
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.restore_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.versions, 1)
        layout.addWidget(self.preview)
        layout.addWidget(buttons)
        self.resize(560, 420)
        self._revisions: list[RevisionInfo] = []
        bridge.submit(lambda store: store.history(draft_id), self._show, self._failed)

    def _show(self, revisions: object) -> None:
        assert isinstance(revisions, list)
        self._revisions = revisions
        for r in revisions:
            item = QListWidgetItem(f"{r.saved_at.astimezone():%a %d %b %Y %H:%M:%S} — "
                                   f"{r.subject or self.tr('(no subject)')}")
            item.setToolTip(r.preview)
            self.versions.addItem(item)
        if revisions:
            self.versions.setCurrentRow(min(1, len(revisions) - 1))

    def _preview(self, row: int) -> None:
        if 0 <= row < len(self._revisions):
            self.preview.setText(self._revisions[row].preview or self.tr("(empty)"))
            self.restore_button.setEnabled(row > 0)

    def restore_selected(self) -> None:
        row = self.versions.currentRow()
        if not 0 <= row < len(self._revisions):
            return
        revision = self._revisions[row].revision
        draft_id = self._draft_id

        def job(store: DraftStore) -> object:
            return store.restore(draft_id, revision)

        self._bridge.submit(job, self._done, self._failed)

    def _done(self, draft: object) -> None:
        self.restored.emit(draft)
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.preview.setText(messages.describe(error))
