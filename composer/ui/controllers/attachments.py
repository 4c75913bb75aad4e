"""Attaching files: stored on the storage worker (hashed, copied into the cache), with
progress in the attachment list; a refusal names the file and shows in the list."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from composer.domain.models import Attachment
from composer.store.drafts import DraftStore
from composer.ui import messages
from composer.ui.bridge import StorageBridge
from composer.ui.widgets.attachment_list import AttachmentList
from composer.ui.widgets.editor import DraftEditor


def _store_file(store: DraftStore, path: Path,
                progress: Callable[[int, int], None]) -> Attachment:
    return store.blobs.put_file(path, progress=progress)


class AttachmentsController(QObject):
    #: a file was stored and added to the open draft (it needs saving now)
    attached = Signal()
    #: a file was taken off the open draft
    removed = Signal()

    def __init__(self, bridge: StorageBridge, editor: DraftEditor,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._editor = editor

    def attach(self, paths: list[Path]) -> None:
        if self._editor.draft is None:
            return
        self._editor.attachments.clear_error()
        for path in paths:
            name = path.name
            progress = _Progress(self._editor.attachments, name, self)
            self._bridge.submit(
                functools.partial(_store_file, path=path, progress=progress.report),
                functools.partial(self._attached, name, progress),
                functools.partial(self._failed, name, progress))

    def _attached(self, name: str, progress: QObject, attachment: Attachment) -> None:
        progress.deleteLater()
        self._editor.attachments.clear_progress(name)
        self._editor.add_attachment(attachment)
        self.attached.emit()

    def _failed(self, name: str, progress: QObject, error: Exception) -> None:
        progress.deleteLater()
        self._editor.attachments.clear_progress(name)
        self._editor.attachments.show_error(messages.describe(error))

    def remove(self, name: str) -> None:
        self._editor.remove_attachment(name)
        self.removed.emit()


class _Progress(QObject):
    """Relays a worker's progress to the attachment list: the worker emits, the slot
    runs on the GUI thread (this object lives there)."""

    progressed = Signal(int, int)

    def __init__(self, attachments: AttachmentList, name: str, parent: QObject) -> None:
        super().__init__(parent)
        self._list = attachments
        self._name = name
        self.progressed.connect(self._show)

    @Slot(int, int)
    def _show(self, done: int, total: int) -> None:
        self._list.show_progress(self._name, done, total)

    def report(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)
