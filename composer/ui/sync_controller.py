"""Runs the sync engine on a worker thread and reports back through signals.

The GUI thread never waits on the network: a pass is requested (after a save, on a
timer, or by "Sync now"), runs on the worker with its own database connection and its
own adapters, and its outcome arrives as ``sync_finished``. Requests while a pass runs
are merged into one follow-up pass. A periodic pass retries waiting work, so changes go
out by themselves once the network is back.

Every pass that is not only pushing a local save (the first, the periodic ones, "Sync
now") first pulls drafts written on the services (where they can list them), so one
written elsewhere shows in the list after one pass. A sign-in refused while pulling
stops that account for the pass.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from composer.store.drafts import DraftStore
from composer.sync.adapters.base import Adapter
from composer.sync.engine import PassReport, SyncEngine
from composer.sync.errors import SyncError, SyncErrorKind

log = logging.getLogger(__name__)

AdapterLookup = Callable[[str], Adapter]
LookupFactory = Callable[[], tuple[AdapterLookup, Callable[[], None]]]

AccountNames = Callable[[], list[str]]


@dataclass(frozen=True)
class SyncSummary:
    pushed: int = 0
    sent: int = 0
    conflicts: int = 0
    failed: int = 0
    waiting: int = 0
    waiting_by_account: dict[str, int] = field(default_factory=dict)
    offline_accounts: frozenset[str] = frozenset()
    auth_failed_accounts: frozenset[str] = frozenset()
    finished_at: datetime | None = None


class _Worker(QObject):
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, database: Path, lookups: LookupFactory,
                 clock: Callable[[], datetime], accounts: AccountNames) -> None:
        super().__init__()
        self._database = database
        self._lookups = lookups
        self._clock = clock
        self._store: DraftStore | None = None
        self._engine: SyncEngine | None = None
        self._close_adapters: Callable[[], None] | None = None
        self._pulled_once = False
        self._accounts = accounts

    def _pull(self) -> set[str]:
        """Bring in drafts written on the services (where they can list them); returns
        the accounts whose sign-in was refused."""
        assert self._engine is not None
        refused: set[str] = set()
        for name in self._accounts():
            try:
                self._engine.pull(name)
            except SyncError as err:  # a failed pull must not stop pushing
                log.info("pull from %s failed: %s", name, err.kind.value)
                if err.kind is SyncErrorKind.AUTH:
                    refused.add(name)
            except Exception:
                log.exception("pull from %s failed", name)
        return refused

    @Slot(bool)
    def run(self, pull: bool) -> None:
        try:
            if self._store is None:
                self._store = DraftStore.open(self._database, self._clock)
                lookup, self._close_adapters = self._lookups()
                self._engine = SyncEngine(self._store, lookup, self._clock)
                self._engine.start()
            assert self._engine is not None and self._store is not None
            refused = self._pull() if pull or not self._pulled_once else set()
            self._pulled_once = True
            report = self._engine.run_once(skip=refused)
            self.finished.emit(self._summarize(report, self._store, refused))
        except Exception as exc:  # every background failure has a path back
            log.exception("sync pass failed")
            self.failed.emit(f"{type(exc).__name__}: {exc}")

    def _summarize(self, report: PassReport, store: DraftStore,
                   refused: set[str]) -> SyncSummary:
        offline: set[str] = set()
        auth: set[str] = set(refused)
        for draft_id, err in report.errors:
            state = store.sync_states.get(draft_id)
            account = state.account if state else None
            if account is None:
                continue
            if err.kind is SyncErrorKind.TRANSIENT and not err.request_sent:
                offline.add(account)
            elif err.kind is SyncErrorKind.AUTH:
                auth.add(account)
        return SyncSummary(
            pushed=report.pushed, sent=report.sent, conflicts=report.conflicts,
            failed=report.failed, waiting=report.waiting,
            waiting_by_account=store.outbox.count_by_account(),
            offline_accounts=frozenset(offline), auth_failed_accounts=frozenset(auth),
            finished_at=self._clock(),
        )

    @Slot()
    def close(self) -> None:
        if self._close_adapters is not None:
            self._close_adapters()
        if self._store is not None:
            self._store.close()
            self._store = None


class SyncController(QObject):
    sync_started = Signal()
    sync_finished = Signal(object)  # SyncSummary
    sync_failed = Signal(str)
    _run_requested = Signal(bool)
    _close_requested = Signal()

    def __init__(
        self,
        database: Path,
        lookups: LookupFactory,
        clock: Callable[[], datetime],
        accounts: AccountNames,
        *,
        debounce_ms: int = 1500,
        interval_ms: int = 30_000,
        parent: QObject | None = None,
    ) -> None:
        """``accounts`` gives the names of the accounts to pull from (called on the
        worker thread: it must not touch widgets)."""
        super().__init__(parent)
        self._thread = QThread(self)
        self._thread.setObjectName("sync-worker")
        self._worker = _Worker(database, lookups, clock, accounts)
        self._worker.moveToThread(self._thread)
        self._run_requested.connect(self._worker.run)
        self._close_requested.connect(self._worker.close,
                                      Qt.ConnectionType.BlockingQueuedConnection)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._running = False
        self._again = False
        self._again_pull = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._sync_saves)
        self._periodic = QTimer(self)
        self._periodic.setInterval(interval_ms)
        self._periodic.timeout.connect(self.sync_now)
        self.last_summary: SyncSummary | None = None
        self._thread.start()
        self._periodic.start()

    @property
    def running(self) -> bool:
        return self._running

    def request_sync(self) -> None:
        """Something changed: sync soon (several requests make one pass)."""
        self._debounce.start()

    @Slot()
    def sync_now(self) -> None:
        """Pull and push now ("Sync now", the periodic pass)."""
        self._start(pull=True)

    @Slot()
    def _sync_saves(self) -> None:
        """Push what was saved (a pass after local saves does not pull)."""
        self._start(pull=False)

    def _start(self, *, pull: bool) -> None:
        self._debounce.stop()
        if self._running:
            self._again = True
            self._again_pull = self._again_pull or pull
            return
        self._running = True
        self.sync_started.emit()
        self._run_requested.emit(pull)

    def _on_finished(self, summary: SyncSummary) -> None:
        self._running = False
        self.last_summary = summary
        self.sync_finished.emit(summary)
        self._maybe_again()

    def _on_failed(self, message: str) -> None:
        self._running = False
        self.sync_failed.emit(message)
        self._maybe_again()

    def _maybe_again(self) -> None:
        if self._again:
            pull, self._again, self._again_pull = self._again_pull, False, False
            self._start(pull=pull)

    def shutdown(self) -> None:
        self._periodic.stop()
        self._debounce.stop()
        self._close_requested.emit()
        self._thread.quit()
        self._thread.wait(10_000)
