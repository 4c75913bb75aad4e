"""The rich-text body: a QTextEdit that sanitizes what is pasted or dropped into it and
never loads anything from the network (only ``data:`` images render; ``cid:`` and
remote references stay unresolved)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QTextEdit, QWidget

from composer.domain.html import sanitize_html


class SafeDocument(QTextDocument):
    def loadResource(self, kind: int, name: QUrl | str) -> object:
        if QUrl(name).scheme() == "data":
            return super().loadResource(kind, name)
        return None  # no http(s), no file:, no remote stylesheets: nothing is fetched


class SafeTextEdit(QTextEdit):
    files_pasted = Signal(list)  # list[Path]: pasted or dropped files become attachments

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDocument(SafeDocument(self))
        self.setAcceptRichText(True)
        self.setTabChangesFocus(True)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        files = [Path(u.toLocalFile()) for u in source.urls() if u.isLocalFile()]
        if files:
            self.files_pasted.emit(files)
            return
        if source.hasHtml():
            self.textCursor().insertHtml(sanitize_html(source.html()))
        elif source.hasText():
            self.textCursor().insertText(source.text())

    def set_safe_html(self, html: str) -> None:
        self.document().setHtml(sanitize_html(html))
