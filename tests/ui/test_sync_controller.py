"""The sync controller runs passes off the GUI thread and reports through signals."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from composer.domain.addresses import parse_addresses
from composer.domain.models import Draft, utcnow
from composer.store.drafts import DraftStore
from composer.sync.errors import SyncError, SyncErrorKind
from composer.ui.sync_controller import SyncController, SyncSummary
from tests.sync.memory_adapter import MemoryAdapter, MemoryService


@pytest.fixture
def db(tmp_path: Path) -> Iterator[tuple[Path, DraftStore]]:
    path = tmp_path / "d.sqlite3"
    store = DraftStore.open(path)
    yield path, store
    store.close()


def _lookups(service: MemoryService, threads: list[str]) -> Callable[
        [], tuple[Callable[[str], MemoryAdapter], Callable[[], None]]]:
    adapter = MemoryAdapter(service)

    def lookup(name: str) -> MemoryAdapter:
        threads.append(threading.current_thread().name)
        return adapter

    return lambda: (lookup, adapter.close)


def test_pass_runs_on_the_worker_and_reports(qtbot: QtBot, db: tuple[Path, DraftStore]) -> None:
    path, store = db
    store.save(Draft(account="work", to=tuple(parse_addresses("b@x.test")), subject="hi"))
    service = MemoryService()
    threads: list[str] = []
    controller = SyncController(path, _lookups(service, threads), utcnow, list, debounce_ms=10)
    try:
        with qtbot.waitSignal(controller.sync_finished, timeout=5000) as blocker:
            controller.request_sync()
        summary = blocker.args[0]
        assert isinstance(summary, SyncSummary)
        assert summary.pushed == 1 and summary.waiting == 0
        assert [s.subject for s in service.drafts.values()] == ["hi"]
        assert threads and threading.main_thread().name not in threads
    finally:
        controller.shutdown()


def test_offline_and_auth_states_are_reported(qtbot: QtBot,
                                              db: tuple[Path, DraftStore]) -> None:
    path, store = db
    store.save(Draft(account="work", to=tuple(parse_addresses("b@x.test")), subject="hi"))
    service = MemoryService()
    service.fail("create", SyncError(SyncErrorKind.TRANSIENT, "cannot connect",
                                     request_sent=False))
    controller = SyncController(path, _lookups(service, []), utcnow, list, debounce_ms=10)
    try:
        with qtbot.waitSignal(controller.sync_finished, timeout=5000) as blocker:
            controller.sync_now()
        summary = blocker.args[0]
        assert summary.offline_accounts == frozenset({"work"})
        assert summary.waiting == 1 and summary.waiting_by_account == {"work": 1}
    finally:
        controller.shutdown()


def test_requests_during_a_pass_make_one_more_pass(qtbot: QtBot,
                                                   db: tuple[Path, DraftStore]) -> None:
    path, _ = db
    controller = SyncController(path, _lookups(MemoryService(), []), utcnow, list, debounce_ms=10)
    passes: list[SyncSummary] = []
    controller.sync_finished.connect(passes.append)
    try:
        controller.sync_now()
        controller.sync_now()
        controller.sync_now()
        qtbot.waitUntil(lambda: len(passes) == 2 and not controller.running, timeout=5000)
    finally:
        controller.shutdown()
