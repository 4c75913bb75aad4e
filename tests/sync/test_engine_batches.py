"""The engine's batches: the creates of a batch are marked pending on disk before any of
its requests, results of creates are held until the next batch's claim, and a crash at
any point (the database as it was on disk at that moment) ends with one remote copy per
draft."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from composer.domain.addresses import parse_addresses
from composer.domain.models import Draft
from composer.store.drafts import DraftStore
from composer.store.sync_state import SyncStatus
from composer.sync import engine as engine_module
from composer.sync.engine import SyncEngine
from composer.sync.errors import SyncError, SyncErrorKind
from tests.store.conftest import FakeClock
from tests.sync.memory_adapter import MemoryAdapter, MemoryService


class Crash(BaseException):
    """The process dies here (nothing after it runs in the real world)."""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "d.sqlite3"


@pytest.fixture
def store(db: Path, clock: FakeClock) -> Iterator[DraftStore]:
    s = DraftStore.open(db, clock)
    yield s
    s.close()


@pytest.fixture
def service() -> MemoryService:
    return MemoryService()


def _engine(store: DraftStore, service: MemoryService, clock: FakeClock,
            **kw: bool) -> SyncEngine:
    adapter = MemoryAdapter(service, **kw)
    return SyncEngine(store, lambda name: adapter, clock, random.Random(7))


def _drafts(store: DraftStore, count: int) -> list[Draft]:
    return [store.save(Draft(account="work", to=tuple(parse_addresses("bob@example.org")),
                             subject=f"draft {n}", html=f"<p>{n}</p>"))
            for n in range(count)]


def _on_disk(db: Path) -> dict[str, tuple[str, int, str | None]]:
    """draft id -> (state, create_pending, remote_id), as another connection sees it."""
    with closing(sqlite3.connect(db)) as other:
        rows = other.execute(
            "SELECT draft_id, state, create_pending, remote_id FROM sync_state").fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _at_call(n: int, action: Callable[[], None]) -> Callable[[], None]:
    """A hook that runs ``action`` just before the n-th call (1-based)."""
    count = 0

    def hook() -> None:
        nonlocal count
        count += 1
        if count == n:
            action()

    return hook


def _crash_leaving(db: Path, snapshot: Path) -> Callable[[], None]:
    """Copy what is committed in ``db`` (what a crash leaves on disk), then die."""
    def crash() -> None:
        with closing(sqlite3.connect(db)) as src, closing(sqlite3.connect(snapshot)) as dst:
            src.backup(dst)
        raise Crash
    return crash


def _run_until_clean(engine: SyncEngine, clock: FakeClock) -> None:
    for _ in range(6):
        clock.advance(hours=1)
        if engine.run_once().clean:
            return
    raise AssertionError("the outbox did not drain")


def test_every_create_of_a_batch_is_marked_pending_on_disk_before_its_first_request(
    store: DraftStore, service: MemoryService, clock: FakeClock, db: Path
) -> None:
    drafts = _drafts(store, 5)
    seen: list[object] = []

    def look() -> None:
        seen.append(_on_disk(db))
        seen.append(store.connection.execute("PRAGMA synchronous").fetchone()[0])

    service.before["create"] = _at_call(1, look)
    report = _engine(store, service, clock).run_once()
    assert report.pushed == 5 and report.clean
    assert seen[0] == {d.id: ("syncing", 1, None) for d in drafts}
    assert seen[1] == 2  # committed with synchronous=FULL
    assert service.calls == ["create"] * 5


def test_results_of_creates_are_recorded_with_the_next_batch_claim(
    store: DraftStore, service: MemoryService, clock: FakeClock, db: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SyncEngine, "BATCH_SIZE", 2)
    a, b, c, d = _drafts(store, 4)
    seen: dict[int, dict[str, tuple[str, int, str | None]]] = {}
    calls = 0

    def look() -> None:
        nonlocal calls
        calls += 1
        seen[calls] = _on_disk(db)

    service.before["create"] = look
    assert _engine(store, service, clock).run_once().pushed == 4
    assert seen[2][a.id][:2] == ("syncing", 1)      # held while its batch runs
    assert seen[3][a.id][:2] == ("synced", 0)       # recorded with the next claim...
    assert seen[3][b.id][:2] == ("synced", 0)
    assert seen[3][d.id] == ("syncing", 1, None)    # ...which marked the next creates
    after = _on_disk(db)
    assert {after[x.id][0] for x in (a, b, c, d)} == {"synced"}
    assert store.outbox.count() == 0


def test_creates_are_recorded_at_once_where_the_service_cannot_find_copies(
    store: DraftStore, service: MemoryService, clock: FakeClock, db: Path
) -> None:
    # (DataMotion) a lost result would mean a second copy
    a, _b = _drafts(store, 2)
    seen: list[dict[str, tuple[str, int, str | None]]] = []
    service.before["create"] = _at_call(2, lambda: seen.append(_on_disk(db)))
    assert _engine(store, service, clock, can_find=False).run_once().pushed == 2
    assert seen[0][a.id][:2] == ("synced", 0)


def test_updates_are_recorded_at_once(
    store: DraftStore, service: MemoryService, clock: FakeClock, db: Path
) -> None:
    # a lost result would make our own change look like someone else's (a false conflict)
    a, b = _drafts(store, 2)
    engine = _engine(store, service, clock)
    assert engine.run_once().pushed == 2
    a, b = (store.save(d.evolve(subject=d.subject + " v2")) for d in (a, b))
    seen: list[int] = []

    def look() -> None:
        with closing(sqlite3.connect(db)) as other:
            [(revision,)] = other.execute(
                "SELECT pushed_revision FROM sync_state WHERE draft_id = ?", (a.id,))
        seen.append(revision)

    service.before["update"] = _at_call(2, look)
    assert engine.run_once().pushed == 2
    assert seen == [a.revision]
    assert service.calls.count("update") == 2 and service.calls.count("create") == 2


def test_held_results_are_recorded_on_their_own_once_they_have_waited_long_enough(
    store: DraftStore, service: MemoryService, clock: FakeClock, db: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module._HeldResults, "MAX_HOLD_SECONDS", 0.0)
    a, _ = _drafts(store, 2)
    seen: list[dict[str, tuple[str, int, str | None]]] = []
    service.before["create"] = _at_call(2, lambda: seen.append(_on_disk(db)))
    assert _engine(store, service, clock).run_once().pushed == 2
    assert seen[0][a.id][:2] == ("synced", 0)


def test_entries_claimed_behind_a_blocked_account_go_back_as_they_were(
    store: DraftStore, service: MemoryService, clock: FakeClock
) -> None:
    a, b, c = _drafts(store, 3)
    service.fail("create", SyncError(SyncErrorKind.RATE_LIMITED, "429",
                                     retry_at=clock.now + timedelta(minutes=5)))
    report = _engine(store, service, clock).run_once()
    assert service.calls == ["create"] and report.waiting == 3
    for draft in (b, c):
        state = store.sync_states.get(draft.id)
        assert state is not None and state.state is SyncStatus.PENDING
        assert not state.create_pending  # the mark is undone: nothing was sent
        [entry] = store.outbox.pending_for(draft.id)
        assert entry.attempts == 0 and entry.not_before is None
    state = store.sync_states.get(a.id)
    assert state is not None and state.last_error_kind == "rate_limited"


def test_a_crash_before_any_request_of_a_batch_creates_each_draft_once(
    store: DraftStore, service: MemoryService, clock: FakeClock, db: Path, tmp_path: Path
) -> None:
    drafts = _drafts(store, 4)
    snapshot = tmp_path / "after-crash.sqlite3"
    service.before["create"] = _at_call(1, _crash_leaving(db, snapshot))
    with pytest.raises(Crash):
        _engine(store, service, clock).run_once()
    assert service.drafts == {}

    service.before.clear()
    restarted = DraftStore.open(snapshot, clock)
    try:
        for draft in drafts:  # marked, never sent
            state = restarted.sync_states.get(draft.id)
            assert state is not None and state.create_pending and state.remote_id is None
        engine = _engine(restarted, service, clock)
        assert engine.start() == 4
        _run_until_clean(engine, clock)
        assert service.calls.count("create") == 4 and len(service.drafts) == 4
        for draft in drafts:
            state = restarted.sync_states.get(draft.id)
            assert state is not None and state.state is SyncStatus.SYNCED
            assert state.remote_id is not None
            assert service.drafts[state.remote_id].marker == draft.id
    finally:
        restarted.close()


def test_a_crash_after_sends_before_their_results_were_recorded_finds_the_copies(
    store: DraftStore, service: MemoryService, clock: FakeClock, db: Path, tmp_path: Path
) -> None:
    drafts = _drafts(store, 4)
    snapshot = tmp_path / "after-crash.sqlite3"
    service.before["create"] = _at_call(3, _crash_leaving(db, snapshot))
    with pytest.raises(Crash):
        _engine(store, service, clock).run_once()
    assert len(service.drafts) == 2  # the first two went out; their results were held

    service.before.clear()
    service.calls.clear()
    restarted = DraftStore.open(snapshot, clock)
    try:
        for draft in drafts:  # on disk, none of the four is known to be on the service
            state = restarted.sync_states.get(draft.id)
            assert state is not None and state.create_pending and state.remote_id is None
        engine = _engine(restarted, service, clock)
        assert engine.start() == 4
        _run_until_clean(engine, clock)
        assert "find" in service.calls
        assert service.calls.count("create") == 2  # only the two never sent
        assert len(service.drafts) == 4             # 0 duplicates
        remote_ids = set()
        for draft in drafts:
            state = restarted.sync_states.get(draft.id)
            assert state is not None and state.state is SyncStatus.SYNCED
            assert state.remote_id is not None
            assert service.drafts[state.remote_id].marker == draft.id
            remote_ids.add(state.remote_id)
        assert remote_ids == set(service.drafts)
    finally:
        restarted.close()
