"""Attachments: rows with type icon, name, size and remove; a size meter against the
account's limit; drop or paste files onto it; progress while a big file is read; an
inline message for a refused file."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileIconProvider,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from composer.domain.models import MAX_ATTACHMENT_BYTES, Attachment
from composer.errors import format_size
from composer.ui.widgets.icons import icon


def local_files(mime: QMimeData) -> list[Path]:
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]


class AttachmentList(QWidget):
    files_dropped = Signal(list)
    add_requested = Signal()
    remove_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setAccessibleName(self.tr("Attachments"))
        self._limit: int | None = None
        self._items: list[Attachment] = []
        self.meter = QLabel()
        self.meter.setAccessibleName(self.tr("Attachment size"))
        add = QPushButton(icon("attach"), self.tr("Attach…"))
        add.setAccessibleName(self.tr("Attach files"))
        add.clicked.connect(self.add_requested)
        header = QHBoxLayout()
        header.addWidget(self.meter, 1)
        header.addWidget(add)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setObjectName("attachmentError")
        self.error.setAccessibleName(self.tr("Attachment problem"))
        self.error.hide()
        self._rows = QVBoxLayout()
        self._rows.setSpacing(2)
        self._progress: dict[str, QProgressBar] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.error)
        layout.addLayout(self._rows)
        self._icons = QFileIconProvider()
        self._render()

    def set_limit(self, total: int | None) -> None:
        self._limit = total
        self._render()

    def set_attachments(self, items: Sequence[Attachment]) -> None:
        self._items = list(items)
        self._render()

    def attachments(self) -> list[Attachment]:
        return list(self._items)

    def show_error(self, message: str) -> None:
        self.error.setText("⚠ " + message)
        self.error.show()

    def clear_error(self) -> None:
        self.error.clear()
        self.error.hide()

    def show_progress(self, name: str, done: int, total: int) -> None:
        bar = self._progress.get(name)
        if bar is None:
            bar = QProgressBar()
            bar.setFormat(self.tr("Reading %1… %p%").replace("%1", name))
            bar.setAccessibleName(self.tr("Reading %1").replace("%1", name))
            self._progress[name] = bar
            self._rows.addWidget(bar)
        bar.setMaximum(max(total, 1))
        bar.setValue(done)

    def clear_progress(self, name: str) -> None:
        bar = self._progress.pop(name, None)
        if bar is not None:
            bar.deleteLater()

    def _render(self) -> None:
        for i in reversed(range(self._rows.count())):
            item = self._rows.itemAt(i)
            widget = item.widget() if item is not None else None
            if widget is not None and widget not in self._progress.values():
                self._rows.takeAt(i)
                widget.deleteLater()
        total = sum(a.size for a in self._items)
        limit = self._limit or MAX_ATTACHMENT_BYTES * max(len(self._items), 1)
        if not self._items:
            self.meter.setText(self.tr("No attachments — drop files here or press "
                                       "Ctrl+Shift+A") if self.isEnabled()
                               else self.tr("No attachments"))
        else:
            n = len(self._items)
            count = self.tr("1 file") if n == 1 else self.tr("%n files", "", n)
            if self._limit:
                self.meter.setText(self.tr("%1, %2 of %3").replace("%1", count).replace(
                    "%2", format_size(total)).replace("%3", format_size(self._limit)))
            else:
                self.meter.setText(self.tr("%1, %2 (each up to %3)").replace("%1", count)
                                   .replace("%2", format_size(total))
                                   .replace("%3", format_size(MAX_ATTACHMENT_BYTES)))
        self.meter.setProperty("over", bool(self._limit and total > limit))
        for position, att in enumerate(self._items):
            self._rows.insertWidget(position, self._row(att))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.EnabledChange:  # read-only: no invitation to drop
            self._render()

    def _row(self, att: Attachment) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(4, 0, 0, 0)
        kind = QLabel()
        ext = mimetypes.guess_extension(att.content_type) or Path(att.name).suffix
        kind.setPixmap(self._icons.icon(QFileIconProvider.IconType.File).pixmap(16, 16)
                       if not ext else icon("file").pixmap(16, 16))
        name = QLabel(att.name)
        name.setTextFormat(Qt.TextFormat.PlainText)
        name.setToolTip(f"{att.name} — {att.content_type}")
        size = QLabel(format_size(att.size))
        remove = QToolButton()
        remove.setIcon(icon("close"))
        remove.setAutoRaise(True)
        remove.setAccessibleName(self.tr("Remove attachment %1").replace("%1", att.name))
        remove.setToolTip(self.tr("Remove"))
        remove.clicked.connect(lambda _=False, n=att.name: self.remove_requested.emit(n))
        layout.addWidget(kind)
        layout.addWidget(name, 1)
        layout.addWidget(size)
        layout.addWidget(remove)
        row.setAccessibleName(f"{att.name}, {format_size(att.size)}")
        return row

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = local_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.files_dropped.emit(files)
