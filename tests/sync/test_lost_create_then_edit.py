"""A create whose answer was lost, then an edit before the retry: services that find
copies by their content (DataMotion, Exante, ONLYOFFICE) must be asked for what that lost request
carried, not for the edited draft, or the retry makes a second copy."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from composer.secrets import SecretStore
from composer.settings import Settings, SettingsFile
from composer.store.drafts import DraftStore
from composer.sync.engine import SyncEngine
from composer.sync.service import AdapterPool
from tests.store.conftest import FakeClock
from tests.sync.services import SECRETS, Service, five_services


@pytest.fixture(scope="module")
def services() -> Iterator[dict[str, Service]]:
    with five_services() as running:
        yield running


@pytest.mark.parametrize("name", ["secure", "work", "office", "dealer", "billing"])
def test_edit_after_a_lost_create_answer_updates_the_one_copy(
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
        draft = store.save(service.draft("Quarterly numbers", "first words"))
        path = {"secure": "SaveDraft", "work": "/api/email/drafts", "office": "drafts/save",
                "dealer": "/customer/c-1/message", "billing": "/email-messages"}[name]
        service.fake.inject("lost", match=path, method="POST" if name != "office" else "PUT")
        SyncEngine(store, pool, clock, random.Random(3)).run_once()
        assert len(service.live_ids() - before) == 1      # it landed; we never heard
        # The user goes on writing before the retry.
        store.save(store.get(draft.id).evolve(subject="Quarterly numbers, final"))
        engine = SyncEngine(store, pool, clock, random.Random(3))
        for _ in range(4):
            clock.advance(hours=1)
            if engine.run_once().clean:
                break
        new = service.live_ids() - before
        assert len(new) == 1, f"{len(new)} copies on the service"
        remote = service.remote(new.pop())
        assert remote is not None and remote[0] == "Quarterly numbers, final"
    finally:
        pool.close()
        store.close()
