"""Autosave: about a second after the last change, at least every few seconds while the
user keeps typing, and at once on switching drafts, losing focus, closing and quitting.

The GUI thread only takes a snapshot of the editor; the save itself runs on the storage
worker. A failed save keeps the text in the editor, says why, and retries.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from composer.domain.models import Draft
from composer.store.drafts import DraftStore
from composer.ui.bridge import StorageBridge

Snapshot = Callable[[], Draft | None]


class Autosaver(QObject):
    saving_started = Signal()
    draft_saved = Signal(object)     # Draft
    save_failed = Signal(object)     # Exception

    def __init__(self, bridge: StorageBridge, snapshot: Snapshot, *, idle_ms: int = 1000,
                 max_ms: int = 5000, retry_ms: int = 3000,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._snapshot = snapshot
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_ms)
        self._idle.timeout.connect(self.save_now)
        self._longest = QTimer(self)
        self._longest.setSingleShot(True)
        self._longest.setInterval(max_ms)
        self._longest.timeout.connect(self.save_now)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(retry_ms)
        self._retry.timeout.connect(self.save_now)
        self.dirty = False
        self.in_flight = 0
        self.last_failure: Exception | None = None

    def set_delays(self, idle_ms: int, max_ms: int) -> None:
        self._idle.setInterval(idle_ms)
        self._longest.setInterval(max_ms)

    def changed(self) -> None:
        """An edit happened: save after the idle delay, and no later than the maximum."""
        self.dirty = True
        self._idle.start()
        if not self._longest.isActive():
            self._longest.start()

    def save_now(self) -> None:
        self._idle.stop()
        self._longest.stop()
        self._retry.stop()
        draft = self._snapshot()
        if draft is None:
            self.dirty = False
            return
        self.dirty = False
        self.in_flight += 1
        self.saving_started.emit()
        self._bridge.submit(functools.partial(_save, draft=draft), self._on_saved,
                            self._on_failed)

    def _on_saved(self, saved: object) -> None:
        self.in_flight -= 1
        self.last_failure = None
        self.draft_saved.emit(saved)

    def _on_failed(self, error: Exception) -> None:
        self.in_flight -= 1
        self.last_failure = error
        self.dirty = True
        self.save_failed.emit(error)
        self._retry.start()

    def flush(self) -> None:
        """Save now if anything is unsaved (switching drafts, focus out, close)."""
        if self.dirty or self._idle.isActive():
            self.save_now()


def _save(store: DraftStore, draft: Draft) -> Draft:
    return store.save(draft)
