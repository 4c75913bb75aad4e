"""The storage worker: one thread that owns its own ``DraftStore`` and runs jobs in
order, so the GUI thread never waits on the disk. Results and failures come back to
the GUI thread through signals, to the callbacks given with each job.

``submit`` is generic in the job's result: ``on_done`` is checked against what the job
returns, so callers need no ``isinstance`` on results."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from composer.store.drafts import DraftStore

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[DraftStore], Any]
Done = Callable[[Any], None]
Failed = Callable[[Exception], None]


class _Worker(QObject):
    finished = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, database: Path, clock: Callable[[], Any]) -> None:
        super().__init__()
        self._database = database
        self._clock = clock
        self._store: DraftStore | None = None

    @Slot(int, object)
    def run(self, ticket: int, job: Job) -> None:
        try:
            if self._store is None:
                self._store = DraftStore.open(self._database, self._clock)
            result = job(self._store)
        except Exception as exc:  # every job has a failure path back to the GUI
            if not type(exc).__module__.startswith("composer"):
                log.exception("storage job failed")
            self.failed.emit(ticket, exc)
        else:
            self.finished.emit(ticket, result)

    @Slot()
    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class StorageBridge(QObject):
    _submitted = Signal(int, object)
    _close = Signal()
    busy_changed = Signal(bool)

    def __init__(self, database: Path, clock: Callable[[], Any],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread(self)
        self._thread.setObjectName("storage-worker")
        self._worker = _Worker(database, clock)
        self._worker.moveToThread(self._thread)
        self._submitted.connect(self._worker.run)
        self._close.connect(self._worker.close, Qt.ConnectionType.BlockingQueuedConnection)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._tickets = itertools.count(1)
        self._pending: dict[int, tuple[Done | None, Failed | None]] = {}
        self._thread.start()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(self, job: Callable[[DraftStore], T],
               on_done: Callable[[T], None] | None = None,
               on_error: Failed | None = None) -> int:
        """Run ``job`` on the worker; its result goes to ``on_done``, an exception to
        ``on_error`` (both on the GUI thread)."""
        ticket = next(self._tickets)
        self._pending[ticket] = (on_done, on_error)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._submitted.emit(ticket, job)
        return ticket

    def _on_finished(self, ticket: int, result: object) -> None:
        on_done, _ = self._pending.pop(ticket, (None, None))
        if on_done is not None:
            on_done(result)
        if not self._pending:
            self.busy_changed.emit(False)

    def _on_failed(self, ticket: int, error: object) -> None:
        _, on_error = self._pending.pop(ticket, (None, None))
        if on_error is not None and isinstance(error, Exception):
            on_error(error)
        elif isinstance(error, Exception):
            log.error("storage job failed without a handler: %s", type(error).__name__)
        if not self._pending:
            self.busy_changed.emit(False)

    def shutdown(self) -> None:
        """Finish queued jobs (the final save on quit), then stop the thread. Safe to call
        again: a blocking hand-over to a stopped thread would wait forever."""
        if not self._thread.isRunning():
            return
        self._close.emit()
        self._thread.quit()
        self._thread.wait(30_000)
