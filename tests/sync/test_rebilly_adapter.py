"""Rebilly adapter against its fake over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import BodyMode, Draft, Schedule
from composer.sync.adapters.rebilly import RebillyAdapter
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import make_client
from tests.fakes.base import serve
from tests.fakes.rebilly import FakeRebilly
from tests.sync.files import MemoryFiles

KEY = "sk_sandbox_testkey"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
Make = Callable[..., RebillyAdapter]


@pytest.fixture
def fake() -> FakeRebilly:
    return FakeRebilly()


@pytest.fixture
def make(fake: FakeRebilly, closing: Callable[[RebillyAdapter], None]) -> Iterator[Make]:
    with serve(fake) as url:
        def build(secret: str = KEY, org: str = "org-acme",
                  address: str = "billing@acme.example") -> RebillyAdapter:
            account = Account("bills", "rebilly", url, address=address,
                              options={"organization_id": org})
            adapter = RebillyAdapter(account, secret,
                                     make_client(url, timeout=httpx.Timeout(1.0)), lambda: NOW)
            closing(adapter)
            return adapter
        yield build


def _draft(**kw: object) -> Draft:
    return Draft(to=tuple(parse_addresses("Bob <bob@x.example>, c@x.example")),
                 cc=tuple(parse_addresses("cc@x.example")), subject="Invoice Ünïcode ✓",
                 body_mode=BodyMode.HTML, html="<p>Pay <b>now</b></p>").evolve(**kw)


def test_create_stores_every_field_and_the_marker(fake: FakeRebilly, make: Make) -> None:
    adapter = make()
    ref = adapter.create(_draft(), MemoryFiles(), "marker-1")
    stored = fake.messages[ref.remote_id]
    assert stored["from"] == "billing@acme.example"
    assert stored["to"] == ["bob@x.example", "c@x.example"] and stored["cc"] == ["cc@x.example"]
    assert stored["subject"] == "Invoice Ünïcode ✓" and stored["html"] == "<p>Pay <b>now</b></p>"
    assert stored["text"] == "Pay now" and stored["metadata"] == {"composerMarker": "marker-1"}
    remote = adapter.fetch(ref.remote_id)
    assert remote.version == ref.version and remote.marker == "marker-1"
    text = adapter.create(_draft(body_mode=BodyMode.TEXT, html="", text="a < b"),
                          MemoryFiles(), "m2")
    assert fake.messages[text.remote_id]["html"] == "<p>a &lt; b</p>"


def test_update_is_delete_then_create(fake: FakeRebilly, make: Make) -> None:
    adapter = make()
    first = adapter.create(_draft(), MemoryFiles(), "m")
    second = adapter.update(first, _draft(subject="Second"), None, MemoryFiles(), "m")
    assert second.remote_id != first.remote_id
    assert list(fake.messages) == [second.remote_id]
    assert fake.messages[second.remote_id]["subject"] == "Second"


def test_find_adopts_a_lost_create(fake: FakeRebilly, make: Make) -> None:
    adapter = make()
    fake.inject("lost", method="POST")
    with pytest.raises(SyncError) as caught:
        adapter.create(_draft(), MemoryFiles(), "lost-marker")
    assert caught.value.kind is SyncErrorKind.TRANSIENT
    [stored] = fake.messages
    found = adapter.find("lost-marker", _draft())
    assert found is not None and found.remote_id == stored
    assert adapter.find("never-created", _draft()) is None


def test_list_follows_pagination(fake: FakeRebilly, make: Make) -> None:
    adapter = make()
    ids = {adapter.create(_draft(subject=f"s{n}"), MemoryFiles(), f"m{n}").remote_id
           for n in range(105)}
    assert {r.remote_id for r in adapter.list_drafts()} == ids
    assert fake.count("GET") == 2


def test_send_moves_to_outbox_then_sent_and_twice_is_a_conflict(fake: FakeRebilly,
                                                                 make: Make) -> None:
    adapter = make()
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    adapter.send(ref.remote_id)
    assert fake.requests[-1].json() == {"status": "outbox"}
    sent = adapter.fetch(ref.remote_id)
    assert sent.status == "sent" and fake.messages[ref.remote_id]["responseCode"] == 250
    with pytest.raises(SyncError) as caught:
        adapter.send(ref.remote_id)
    assert caught.value.kind is SyncErrorKind.CONFLICT
    assert caught.value.service_message == "The email message is not a draft"
    with pytest.raises(SyncError) as caught:
        adapter.delete(ref.remote_id)
    assert caught.value.kind is SyncErrorKind.CONFLICT


def test_422_invalid_fields_are_kept_field_by_field(make: Make) -> None:
    adapter = make(address="not-an-email")
    with pytest.raises(SyncError) as caught:
        adapter.create(_draft(subject="   "), MemoryFiles(), "m")
    err = caught.value
    assert err.kind is SyncErrorKind.VALIDATION and err.status == 422
    assert err.fields == (("from", "This value is not a valid email."),
                          ("subject", "This value should not be blank."))
    assert err.field == "from"
    assert "subject: This value should not be blank." in err.service_message


def test_rate_limit_uses_the_epoch_header(fake: FakeRebilly, make: Make) -> None:
    until = NOW + timedelta(minutes=3)
    fake.inject(429, headers={"X-RateLimit-Retry-After": str(int(until.timestamp()))})
    with pytest.raises(SyncError) as caught:
        make().create(_draft(), MemoryFiles(), "m")
    assert caught.value.kind is SyncErrorKind.RATE_LIMITED and caught.value.retry_at == until
    assert "too many requests" in caught.value.service_message


@pytest.mark.parametrize(("status", "kind"), [
    (401, SyncErrorKind.AUTH), (403, SyncErrorKind.FORBIDDEN), (404, SyncErrorKind.NOT_FOUND),
    (409, SyncErrorKind.CONFLICT), (422, SyncErrorKind.VALIDATION),
    (500, SyncErrorKind.TRANSIENT), (503, SyncErrorKind.TRANSIENT)])
def test_injected_statuses(fake: FakeRebilly, make: Make, status: int,
                           kind: SyncErrorKind) -> None:
    fake.inject(status)
    with pytest.raises(SyncError) as caught:
        make().create(_draft(), MemoryFiles(), "m")
    assert caught.value.kind is kind and fake.messages == {}


@pytest.mark.parametrize("fault", ["slow", "drop"])
def test_network_faults(fake: FakeRebilly, make: Make, fault: str) -> None:
    fake.inject(fault)
    with pytest.raises(SyncError) as caught:
        make().fetch("mail_msg_X")
    assert caught.value.kind is SyncErrorKind.TRANSIENT


def test_wrong_key_and_wrong_org(make: Make) -> None:
    with pytest.raises(SyncError) as caught:
        make(secret="sk_WRONGSECRET").test()
    assert caught.value.kind is SyncErrorKind.AUTH
    assert "WRONGSECRET" not in str(caught.value) + caught.value.service_message
    with pytest.raises(SyncError) as caught:
        make(org="someone-else").test()
    assert caught.value.kind is SyncErrorKind.FORBIDDEN


def test_version_changes_when_edited_elsewhere(fake: FakeRebilly, make: Make) -> None:
    adapter = make()
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    assert adapter.fetch(ref.remote_id).version == ref.version
    fake.touch(ref.remote_id, subject="changed in the Rebilly app")
    assert adapter.fetch(ref.remote_id).version != ref.version


def test_check_names_what_rebilly_cannot_carry(make: Make) -> None:
    files = MemoryFiles()
    draft = _draft(attachments=(files.add("scan.pdf", b"x"),), subject="",
                   schedule=Schedule(NOW + timedelta(days=1), "UTC"))
    codes = {(p.field, p.code) for p in make().check(draft)}
    assert codes == {("attachments", "attachments_unsupported"),
                     ("subject", "subject_required")}  # the app sends it at the time
    [message] = [p.message for p in make().check(draft) if p.field == "attachments"]
    assert '"scan.pdf"' in message
