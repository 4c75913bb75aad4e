"""One contract every adapter keeps, run over the five services against both fake modes
(answers exactly as sent, and as a normalising server gives them: trimmed, dates
reformatted, domains lower-cased, lists reordered, fields added)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from composer.domain.addresses import parse_addresses
from composer.domain.models import Draft
from composer.secrets import SecretStore
from composer.settings import Settings, SettingsFile
from composer.store.drafts import DraftStore
from composer.store.sync_state import SyncStatus
from composer.sync import conflicts
from composer.sync.adapters import adapter_class
from composer.sync.adapters.base import Adapter
from composer.sync.engine import SyncEngine
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import make_client
from composer.sync.service import AdapterPool
from tests.fakes.base import Reply, Request
from tests.store.conftest import FakeClock
from tests.sync.files import MemoryFiles
from tests.sync.services import MODES, NAMES, SECRETS, Service, five_services


@pytest.fixture(params=MODES)
def running(request: pytest.FixtureRequest) -> Iterator[dict[str, Service]]:
    with five_services(request.param) as services:
        yield services


def _adapter(service: Service, secret: str | None = None) -> Adapter:
    account = service.account
    client = make_client(account.base_url, timeout=httpx.Timeout(2.0))
    adapter: Adapter = adapter_class(account.kind)(
        account, SECRETS[account.name] if secret is None else secret, client,
        lambda: datetime.now(UTC))
    return adapter


@pytest.fixture
def adapters() -> Iterator[list[Adapter]]:
    opened: list[Adapter] = []
    yield opened
    for adapter in opened:
        adapter.close()


def _draft(service: Service) -> Draft:
    """Content a normalising server stores differently from how it was sent."""
    draft = service.draft("  Quarterly figures ✓  ", "The figures  ")
    if service.account.kind == "mykaarma":
        return draft.evolve(cc=tuple(parse_addresses(
            "zed@Dealer.Example, advisor@DEALER.example")))
    return draft.evolve(
        to=tuple(parse_addresses("Bob <bob@X.Example>, carol@x.EXAMPLE")),
        cc=tuple(parse_addresses("zed@Y.Example, amy@y.example")))


@pytest.mark.parametrize("name", NAMES)
def test_create_then_fetch_and_push_again_give_the_same_version(
        running: dict[str, Service], adapters: list[Adapter], name: str) -> None:
    service = running[name]
    adapter = _adapter(service)
    adapters.append(adapter)
    draft = _draft(service)
    ref = adapter.create(draft, MemoryFiles(), draft.id)
    assert service.live_ids() == {ref.remote_id}
    assert adapter.fetch(ref.remote_id).version == ref.version
    if adapter.capabilities.editable_after_create:
        again = adapter.update(ref, draft, draft, MemoryFiles(), draft.id)
        assert again.remote_id == ref.remote_id
        assert adapter.fetch(ref.remote_id).version == again.version


@pytest.mark.parametrize("name", NAMES)
def test_an_edit_made_on_the_service_moves_the_version(
        running: dict[str, Service], adapters: list[Adapter], name: str) -> None:
    service = running[name]
    adapter = _adapter(service)
    adapters.append(adapter)
    draft = _draft(service)
    ref = adapter.create(draft, MemoryFiles(), draft.id)
    service.edit_remote(ref.remote_id, "Changed in the web app")
    assert adapter.fetch(ref.remote_id).version != ref.version


def _wrapped(part: str) -> Any:
    def reshape(request: Request, reply: Reply) -> Reply:
        if request.method in ("GET", "POST") and request.path.endswith(part) \
                and reply.status < 300 and isinstance(reply.body, dict | list):
            return Reply(reply.status, {"data": reply.body}, reply.headers)
        return reply
    return reshape


@pytest.mark.parametrize("name", NAMES)
def test_a_list_of_an_unknown_shape_is_a_protocol_error_never_no_drafts(
        running: dict[str, Service], adapters: list[Adapter], name: str) -> None:
    service = running[name]
    adapter = _adapter(service)
    adapters.append(adapter)
    draft = _draft(service)
    adapter.create(draft, MemoryFiles(), draft.id)
    service.fake.reshape = _wrapped(service.list_path)
    with pytest.raises(SyncError) as caught:
        adapter.find(draft.id, draft)
    assert caught.value.kind is SyncErrorKind.PROTOCOL
    assert "does not understand" in str(caught.value)


@pytest.mark.parametrize("name", NAMES)
def test_an_item_without_its_id_is_a_protocol_error(
        running: dict[str, Service], adapters: list[Adapter], name: str) -> None:
    service = running[name]
    adapter = _adapter(service)
    adapters.append(adapter)
    draft = _draft(service)
    adapter.create(draft, MemoryFiles(), draft.id)

    def strip_ids(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip_ids(v) for k, v in value.items()
                    if k not in ("uid", "id", "Id", "uuid", "MessageId")}
        if isinstance(value, list):
            return [strip_ids(v) for v in value]
        return value

    def reshape(request: Request, reply: Reply) -> Reply:
        if request.path.endswith(service.list_path) and reply.status < 300:
            return Reply(reply.status, strip_ids(reply.body), reply.headers)
        return reply

    service.fake.reshape = reshape
    with pytest.raises(SyncError) as caught:
        adapter.find(draft.id, draft)
    assert caught.value.kind is SyncErrorKind.PROTOCOL


@pytest.mark.parametrize("name", NAMES)
def test_find_after_a_lost_create_returns_the_copy(
        running: dict[str, Service], adapters: list[Adapter], name: str) -> None:
    service = running[name]
    adapter = _adapter(service)
    adapters.append(adapter)
    draft = _draft(service)
    assert adapter.capabilities.can_find
    service.fake.inject("lost", match=service.create_path, method=(
        "PUT" if service.account.kind == "onlyoffice" else "POST"))
    with pytest.raises(SyncError) as caught:
        adapter.create(draft, MemoryFiles(), draft.id)
    assert caught.value.kind is SyncErrorKind.TRANSIENT
    (made,) = service.live_ids()
    found = adapter.find(draft.id, draft)
    assert found is not None and found.remote_id == made
    assert found.version == adapter.fetch(made).version


@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_secret_is_an_auth_error_that_never_contains_it(
        running: dict[str, Service], adapters: list[Adapter], name: str) -> None:
    service = running[name]
    secret = "Wr0ng-s3cret-VALUE-" + name
    if service.account.kind == "exante":
        secret = "ex_live_" + secret
    adapter = _adapter(service, secret)
    adapters.append(adapter)
    draft = _draft(service)
    with pytest.raises(SyncError) as caught:
        adapter.create(draft, MemoryFiles(), draft.id)
    err = caught.value
    assert err.kind is SyncErrorKind.AUTH
    for text in (str(err), repr(err), err.message, err.service_message,
                 repr(err.__dict__)):
        assert secret not in text
    assert service.live_ids() == set()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("status", "kind"), [
    (429, SyncErrorKind.RATE_LIMITED), (500, SyncErrorKind.TRANSIENT),
    (503, SyncErrorKind.TRANSIENT)])
def test_status_codes_map_to_kinds(running: dict[str, Service], adapters: list[Adapter],
                                   name: str, status: int, kind: SyncErrorKind) -> None:
    service = running[name]
    adapter = _adapter(service)
    adapters.append(adapter)
    adapter.test()
    draft = _draft(service)
    service.fake.inject(status, match=service.create_path)
    with pytest.raises(SyncError) as caught:
        adapter.create(draft, MemoryFiles(), draft.id)
    assert caught.value.kind is kind
    assert service.live_ids() == set()


@pytest.mark.parametrize("name", NAMES)
def test_a_normalising_server_causes_no_conflict_and_no_new_copy(
        tmp_path: Path, name: str) -> None:
    with five_services("normalising") as services:
        service = services[name]
        clock = FakeClock()
        settings = SettingsFile(tmp_path / "settings.json")
        settings.save(Settings(accounts=(service.account,)))
        SecretStore().set(name, SECRETS[name])
        store = DraftStore.open(tmp_path / "drafts.sqlite3", clock)
        pool = AdapterPool(settings, SecretStore(), clock)
        try:
            engine = SyncEngine(store, pool, clock, random.Random(7))
            draft = store.save(_draft(service))
            for n in range(3):
                report = engine.run_once()
                assert report.clean and report.conflicts == 0, report.errors
                store.save(store.get(draft.id).evolve(subject=f"  Edit {n}  "))
            assert engine.run_once().clean
            state = store.sync_states.get(draft.id)
            assert state is not None and state.state is SyncStatus.SYNCED
            assert service.live_ids() == {state.remote_id}
            assert len(store.summaries(limit=100)) == 1       # no conflict copy either
        finally:
            pool.close()
            store.close()


def _engine_on(tmp_path: Path, service: Service, clock: FakeClock
               ) -> tuple[DraftStore, AdapterPool, SyncEngine]:
    settings = SettingsFile(tmp_path / "settings.json")
    settings.save(Settings(accounts=(service.account,)))
    SecretStore().set(service.account.name, SECRETS[service.account.name])
    store = DraftStore.open(tmp_path / "drafts.sqlite3", clock)
    pool = AdapterPool(settings, SecretStore(), clock)
    return store, pool, SyncEngine(store, pool, clock, random.Random(7))


@pytest.mark.parametrize("name", NAMES)
def test_a_draft_deleted_on_the_service_while_edited_here_asks_never_recreates(
        running: dict[str, Service], adapters: list[Adapter], tmp_path: Path,
        name: str) -> None:
    service = running[name]
    clock = FakeClock()
    store, pool, engine = _engine_on(tmp_path, service, clock)
    try:
        draft = store.save(_draft(service))
        assert engine.run_once().clean
        state = store.sync_states.get(draft.id)
        assert state is not None and state.remote_id is not None
        elsewhere = _adapter(service)                 # another client of the same account
        adapters.append(elsewhere)
        elsewhere.delete(state.remote_id)
        store.save(store.get(draft.id).evolve(subject="Edited here after the delete"))
        report = engine.run_once()
        assert report.conflicts == 1 and report.pushed == 0, report.errors
        assert service.live_ids() == set()
        assert conflicts.deleted_on_service(store, draft.id)
        assert store.get(draft.id).subject == "Edited here after the delete"
        conflicts.save_again(store, draft.id)
        assert engine.run_once().clean
        state = store.sync_states.get(draft.id)
        assert state is not None and state.state is SyncStatus.SYNCED
        assert service.live_ids() == {state.remote_id}
    finally:
        pool.close()
        store.close()


def test_rebillys_delete_then_create_cut_in_half_is_finished_without_asking(
        running: dict[str, Service], tmp_path: Path) -> None:
    """Rebilly cannot edit a message: an update deletes it and creates it again. When
    the create fails after the delete went through, the next pass creates it; the
    missing old copy is not taken for a delete made elsewhere."""
    service = running["billing"]
    assert adapter_class(service.account.kind).capabilities.update_deletes_first
    clock = FakeClock()
    store, pool, engine = _engine_on(tmp_path, service, clock)
    try:
        draft = store.save(_draft(service))
        assert engine.run_once().clean
        store.save(store.get(draft.id).evolve(subject="Second version"))
        service.fake.inject(503, match=service.create_path, method="POST")
        report = engine.run_once()
        assert [e.kind for _, e in report.errors] == [SyncErrorKind.TRANSIENT]
        assert service.live_ids() == set()            # the old copy went, the new did not
        clock.advance(hours=1)
        report = engine.run_once()
        assert report.clean and report.conflicts == 0, report.errors
        state = store.sync_states.get(draft.id)
        assert state is not None and state.state is SyncStatus.SYNCED
        assert service.live_ids() == {state.remote_id}
        assert service.remote(state.remote_id or "") == ("Second version", "draft")
    finally:
        pool.close()
        store.close()
