"""Looking for a lost create ends: when a create's outcome is unknown and the look-ups
find nothing, the engine creates again with its marker within a few passes and under a
minute, says meanwhile what it is doing, and a delete waiting behind such a create
ends the same way."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from composer.secrets import SecretStore
from composer.settings import Settings, SettingsFile
from composer.store.drafts import DraftStore
from composer.store.sync_state import SyncStatus
from composer.sync.engine import SyncEngine
from composer.sync.service import AdapterPool
from tests.store.conftest import FakeClock
from tests.sync.services import NAMES, SECRETS, Service, five_services


@pytest.fixture(scope="module")
def services() -> Iterator[dict[str, Service]]:
    with five_services() as running:
        yield running


def _method(service: Service) -> str:
    return "PUT" if service.account.kind == "onlyoffice" else "POST"


@pytest.mark.parametrize("name", NAMES)
def test_a_create_whose_outcome_is_unknown_is_made_again_within_a_minute(
        tmp_path: Path, services: dict[str, Service], name: str) -> None:
    service = services[name]
    service.fake.clear_faults()
    clock = FakeClock()
    settings = SettingsFile(tmp_path / "settings.json")
    settings.save(Settings(accounts=(service.account,)))
    SecretStore().set(name, SECRETS[name])
    store = DraftStore.open(tmp_path / "drafts.sqlite3", clock)
    pool = AdapterPool(settings, SecretStore(), clock)
    try:
        before = service.live_ids()
        draft = store.save(service.draft("Never arrived", "words"))
        # The connection drops before the service applies the create: we cannot know.
        service.fake.inject("drop", match=service.create_path, method=_method(service))
        engine = SyncEngine(store, pool, clock, random.Random(5))
        engine.run_once()
        state = store.sync_states.get(draft.id)
        assert state is not None and state.create_pending
        started = clock.now
        passes = 0
        words: list[str] = []
        while passes < 6:
            clock.advance(seconds=21)
            passes += 1
            engine.run_once()
            state = store.sync_states.get(draft.id)
            assert state is not None
            if state.state is SyncStatus.SYNCED:
                break
            words.append(state.last_error or "")
        assert state.state is SyncStatus.SYNCED and not state.create_pending
        assert passes <= 3 and (clock.now - started).total_seconds() <= 65
        assert all("looking again at" in w and "saved again" in w for w in words), words
        assert len(service.live_ids() - before) == 1
    finally:
        pool.close()
        store.close()


@pytest.mark.parametrize("name", NAMES)
def test_a_delete_behind_a_create_of_unknown_outcome_ends(
        tmp_path: Path, services: dict[str, Service], name: str) -> None:
    service = services[name]
    service.fake.clear_faults()
    clock = FakeClock()
    settings = SettingsFile(tmp_path / "settings.json")
    settings.save(Settings(accounts=(service.account,)))
    SecretStore().set(name, SECRETS[name])
    store = DraftStore.open(tmp_path / "drafts.sqlite3", clock)
    pool = AdapterPool(settings, SecretStore(), clock)
    try:
        before = service.live_ids()
        draft = store.save(service.draft("Written then thrown away", "words"))
        service.fake.inject("drop", match=service.create_path, method=_method(service))
        engine = SyncEngine(store, pool, clock, random.Random(6))
        engine.run_once()
        store.delete(draft.id)
        for _ in range(3):
            clock.advance(seconds=21)
            if engine.run_once().waiting == 0:
                break
        assert store.outbox.count() == 0
        assert service.live_ids() == before
    finally:
        pool.close()
        store.close()


@pytest.mark.parametrize("name", ["secure", "office", "work", "billing"])
def test_a_pull_after_a_lost_create_does_not_import_its_copy_as_a_second_draft(
        tmp_path: Path, name: str) -> None:
    with five_services() as fresh:  # nothing on the service but this test's copy
        _pull_after_lost_create(tmp_path, fresh[name], name)


def _pull_after_lost_create(tmp_path: Path, service: Service, name: str) -> None:
    clock = FakeClock()
    settings = SettingsFile(tmp_path / "settings.json")
    settings.save(Settings(accounts=(service.account,)))
    SecretStore().set(name, SECRETS[name])
    store = DraftStore.open(tmp_path / "drafts.sqlite3", clock)
    pool = AdapterPool(settings, SecretStore(), clock)
    try:
        before = service.live_ids()
        draft = store.save(service.draft("Landed, answer lost", "words"))
        service.fake.inject("lost", match=service.create_path, method=_method(service))
        engine = SyncEngine(store, pool, clock, random.Random(8))
        engine.run_once()
        (made,) = service.live_ids() - before
        assert engine.pull(name) == 0   # the copy is ours, not a draft written elsewhere
        clock.advance(seconds=30)
        assert engine.run_once().clean
        state = store.sync_states.get(draft.id)
        assert state is not None and state.remote_id == made
        assert service.live_ids() - before == {made}
        assert [s.id for s in store.summaries(limit=100)] == [draft.id]
    finally:
        pool.close()
        store.close()


def test_a_pull_reads_only_the_drafts_it_does_not_know(tmp_path: Path) -> None:
    with five_services() as fresh:
        service = fresh["secure"]   # DataMotion: one request per draft to read it
        clock = FakeClock()
        settings = SettingsFile(tmp_path / "settings.json")
        settings.save(Settings(accounts=(service.account,)))
        SecretStore().set("secure", SECRETS["secure"])
        store = DraftStore.open(tmp_path / "drafts.sqlite3", clock)
        pool = AdapterPool(settings, SecretStore(), clock)
        try:
            engine = SyncEngine(store, pool, clock, random.Random(9))
            for n in range(4):
                store.save(service.draft(f"Ours {n}", "words"))
            assert engine.run_once().pushed == 4
            reads = service.fake.count("GET", "/Message/")
            assert engine.pull("secure") == 0
            assert service.fake.count("GET", "/Message/") == reads
        finally:
            pool.close()
            store.close()
