"""Fault soak: 1,000 operations over the five fakes with ~20% injected faults (lost
responses, dropped connections, slow answers, 5xx, 429, expired sessions) and an engine
restart half-way, against both fake modes (exact, and normalising: trimmed strings,
reformatted dates, lower-cased domains, reordered lists, added fields). At the end
every draft matches its service copy: 0 duplicates, 0 lost edits, nothing left waiting
on an unknown outcome. Half the passes pull first, as the window's do (a copy pulled in
as a second local draft would show as a duplicate here). Faults hit every request
alike, creates included, on all five services. COMPOSER_SOAK_OPS raises the count for
a longer run.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import httpx
import pytest

from composer.domain.models import DraftStatus
from composer.secrets import SecretStore
from composer.settings import Settings, SettingsFile
from composer.store.drafts import DraftStore
from composer.store.outbox import Op
from composer.store.sync_state import SyncStatus
from composer.sync.engine import SyncEngine
from composer.sync.errors import SyncError
from composer.sync.service import AdapterPool
from tests.store.conftest import FakeClock
from tests.sync.services import MODES, SECRETS, Service, five_services

FAULTS = [500, 503, 429, 401, "drop", "lost", "slow"]


@pytest.fixture(params=MODES)
def services(request: pytest.FixtureRequest) -> Iterator[dict[str, Service]]:
    with five_services(request.param) as running:
        for service in running.values():
            service.fake.slow_seconds = 0.4
        yield running


def _pool(settings: SettingsFile, clock: FakeClock) -> AdapterPool:
    return AdapterPool(settings, SecretStore(), clock,
                       timeout=httpx.Timeout(0.25, connect=1.0))


def test_fault_soak_ends_with_every_draft_matching_its_service_copy(
    tmp_path: Path, services: dict[str, Service]
) -> None:
    ops = int(os.environ.get("COMPOSER_SOAK_OPS", "1000"))
    rng = random.Random(4242)
    clock = FakeClock()
    settings = SettingsFile(tmp_path / "settings.json")
    settings.save(Settings(accounts=tuple(s.account for s in services.values())))
    for name, secret in SECRETS.items():
        SecretStore().set(name, secret)
    store = DraftStore.open(tmp_path / "drafts.sqlite3", clock)
    pool = _pool(settings, clock)
    engine = SyncEngine(store, pool, clock, random.Random(1))
    names = sorted(services)
    live: dict[str, str] = {}        # draft id -> account
    sent: set[str] = set()
    deleted: set[str] = set()
    injected = 0
    kinds: dict[str, int] = {}
    for n in range(ops):
        name = rng.choice(names)
        service = services[name]
        if rng.random() < 0.2:
            fault = rng.choice(FAULTS)
            service.fake.inject(fault)
            injected += 1
            kinds[str(fault)] = kinds.get(str(fault), 0) + 1
        mine = [d for d, a in live.items() if a == name]
        roll = rng.random()
        if roll < 0.35 or not mine:
            draft = store.save(service.draft(f"{name} draft {n}", f"body {n}"))
            live[draft.id] = name
        elif roll < 0.65:
            draft = store.get(rng.choice(mine))
            store.save(draft.evolve(subject=f"{name} edit {n}", html=f"<p>edit {n}</p>"))
        elif roll < 0.75 and service.files:
            draft = store.get(rng.choice(mine))
            att = store.blobs.put_bytes(f"file{n}.txt", f"content {n}".encode())
            store.save(draft.evolve(attachments=(*draft.attachments, att)))
        elif roll < 0.87:
            victim = rng.choice(mine)
            store.delete(victim)
            deleted.add(victim)
            del live[victim]
        else:
            victim = rng.choice(mine)
            store.enqueue(victim, Op.SEND)
            sent.add(victim)
            del live[victim]
        if rng.random() < 0.3:
            # By the time a retry is due (seconds of backoff in real use), a request
            # that timed out has landed: let slow requests finish first.
            for each in services.values():
                each.fake.wait_idle()
            clock.advance(hours=1)
            if rng.random() < 0.5:  # as the window does: pull, then push
                for each_name in names:
                    with suppress(SyncError):  # a fault hit the listing: pushing goes on
                        engine.pull(each_name)
            engine.run_once()
        if n == ops // 2:
            # The app restarts: whatever was in flight goes back to pending.
            pool.close()
            pool = _pool(settings, clock)
            engine = SyncEngine(store, pool, clock, random.Random(2))
            engine.start()
    assert injected >= ops // 7

    for service in services.values():
        service.fake.clear_faults()
    for _ in range(60):
        for each in services.values():
            each.fake.wait_idle()
        clock.advance(hours=1)
        report = engine.run_once()
        if report.waiting == 0:
            break
    assert report.waiting == 0, report.errors[:5]
    pool.close()

    for draft_id, name in live.items():
        draft = store.get(draft_id)
        state = store.sync_states.get(draft_id)
        assert state is not None and state.state is SyncStatus.SYNCED, (name, state)
        assert state.remote_id is not None
        remote = services[name].remote(state.remote_id)
        assert remote == (draft.subject.strip(), "draft"), (name, draft_id)  # 0 lost edits
        assert not state.create_pending
    for draft_id in sent:
        draft = store.get(draft_id, include_deleted=True)
        state = store.sync_states.get(draft_id)
        if draft.status is DraftStatus.SENT:
            assert state is not None and state.remote_id is not None
            assert services[draft.account or ""].remote(state.remote_id) == \
                (draft.subject.strip(), "sent")
        else:  # a send that could not go (its push had failed validation) stays a draft
            assert state is not None and state.state is SyncStatus.FAILED
    tombstones = {s.id for s in store.summaries(deleted=True, limit=10_000)}
    for draft_id in deleted:
        if draft_id in tombstones:  # never reached a service: nothing to confirm there
            state = store.sync_states.get(draft_id)
            assert state is None or (state.remote_id is None and not state.create_pending)
    for name, service in services.items():
        expected = {store.sync_states.get(d).remote_id  # type: ignore[union-attr]
                    for d, a in live.items() if a == name}
        assert service.live_ids() == expected, name                   # 0 duplicates
    unknown = [s for name in services for s in store.sync_states.all_for_account(name)
               if s.create_pending]
    assert unknown == []                          # nothing waiting on an unknown outcome
    assert store.integrity_ok()
    looks = {name: services[name].fake.count("POST", "GetMessageSummaries") if name == "secure"
             else None for name in services}
    print(f"\nsoak: {ops} operations, {injected} faults {sorted(kinds.items())}, "
          f"{len(live)} drafts live, {len(sent)} sends, {len(deleted)} deletes, "
          f"DataMotion folder listings {looks['secure']}, 0 duplicates, 0 lost edits, "
          f"0 waiting on an unknown outcome")
    store.close()
