"""A draft's saved versions, newest first, with a preview; restoring one makes it the
current version (a new revision: nothing is lost)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

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

from composer.domain.html import html_to_text
from composer.domain.models import BodyMode, Draft
from composer.store.drafts import DraftStore
from composer.store.revisions import RevisionInfo
from composer.ui import messages
from composer.ui.bridge import StorageBridge


@dataclass(frozen=True)
class Change:
    """What a version changed, compared with the one before it."""

    added: int = 0
    removed: int = 0
    fields: tuple[str, ...] = ()
    first: bool = False


#: versions compared word by word (older ones are listed without a comparison)
COMPARED = 100


def _content(draft: Draft) -> tuple[list[str], dict[str, object]]:
    body = draft.text if draft.body_mode is BodyMode.TEXT else html_to_text(draft.html)
    return body.split(), {
        "subject": draft.subject, "to": draft.to, "cc": draft.cc, "bcc": draft.bcc,
        "attachments": draft.attachments, "schedule": draft.schedule,
        "from": draft.account}


def _history(store: DraftStore, draft_id: str) -> tuple[list[RevisionInfo], list[Change]]:
    """On the worker: the versions, and what each changed (words added/removed, fields)."""
    revisions = store.revisions.history(draft_id)
    contents = [_content(store.revisions.revision(draft_id, r.revision))
                for r in revisions[:COMPARED]]
    changes: list[Change] = []
    for n in range(len(revisions)):
        if n == len(revisions) - 1:
            changes.append(Change(first=True))
            continue
        if n + 1 >= len(contents):
            changes.append(Change())
            continue
        (new_words, new_fields), (old_words, old_fields) = contents[n], contents[n + 1]
        added = removed = 0
        matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag in ("replace", "delete"):
                removed += i2 - i1
            if tag in ("replace", "insert"):
                added += j2 - j1
        fields = tuple(k for k in new_fields if new_fields[k] != old_fields[k])
        changes.append(Change(added, removed, fields))
    return revisions, changes


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
        bridge.submit(lambda store: _history(store, draft_id), self._show, self._failed)

    def _show(self, found: tuple[list[RevisionInfo], list[Change]]) -> None:
        revisions, changes = found
        self._revisions = revisions
        for n, (r, change) in enumerate(zip(revisions, changes, strict=True)):
            text = f"{r.saved_at.astimezone():%a %d %b %Y %H:%M:%S} — " \
                   f"{r.subject or self.tr('(no subject)')} — {self._words(change)}"
            if n == 0:
                text += self.tr("  (current)")
            item = QListWidgetItem(text)
            item.setToolTip(r.preview)
            self.versions.addItem(item)
        if revisions:
            self.versions.setCurrentRow(min(1, len(revisions) - 1))

    def _words(self, change: Change) -> str:
        if change.first:
            return self.tr("first version")
        parts = []
        if change.added:
            parts.append(self.tr("+1 word") if change.added == 1 else
                         self.tr("+%1 words").replace("%1", str(change.added)))
        if change.removed:
            parts.append(self.tr("−1 word") if change.removed == 1 else
                         self.tr("−%1 words").replace("%1", str(change.removed)))
        parts += [self.tr("%1 changed").replace("%1", messages.field_label(f))
                  for f in change.fields]
        return ", ".join(parts) or self.tr("no change in the text")

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
