"""Exante adapter against its fake over real HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import BodyMode, Draft, Schedule
from composer.sync.adapters.exante import ExanteAdapter
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import make_client
from tests.fakes.base import serve
from tests.fakes.exante import FakeExante
from tests.sync.files import MemoryFiles

ACCOUNT_ID = "7d1f0a52-8a43-4c4e-9a57-1b2f4b8e9c01"
KEY = "ex_live_testkey"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> FakeExante:
    return FakeExante()


@pytest.fixture
def url(fake: FakeExante) -> Iterator[str]:
    with serve(fake) as root:
        yield root


_OPEN: list[ExanteAdapter] = []


@pytest.fixture(autouse=True)
def _close_adapters() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def _adapter(url: str, secret: str = KEY, **options: str) -> ExanteAdapter:
    account = Account("work", "exante", url, options={"from_account_id": ACCOUNT_ID, **options})
    adapter = ExanteAdapter(account, secret, make_client(url, timeout=httpx.Timeout(1.0)),
                            lambda: NOW)
    _OPEN.append(adapter)
    return adapter


def _draft(**kw: object) -> Draft:
    return Draft(
        to=tuple(parse_addresses('"Doe, J" <j@y.example>, bob@x.example')),
        cc=tuple(parse_addresses("carol@x.example")), bcc=tuple(parse_addresses("d@x.example")),
        subject="Grüße — quarterly ✓", body_mode=BodyMode.HTML,
        html="<p>Numbers <b>attached</b></p>",
    ).evolve(**kw)


def test_create_fetch_round_trip_with_every_field(fake: FakeExante, url: str) -> None:
    files = MemoryFiles()
    att = files.add("report.pdf", b"%PDF-1.4 numbers")
    schedule = Schedule(NOW + timedelta(days=1, seconds=0.5), "Europe/Berlin")
    draft = _draft(attachments=(att,), schedule=schedule,
                   context={"context_type": "invoice",
                            "context_id": "11111111-2222-4333-8444-555555555555"})
    adapter = _adapter(url)
    ref = adapter.create(draft, files, draft.id)
    stored = fake.drafts[ref.remote_id]
    assert stored["to"] == ["j@y.example", "bob@x.example"] and stored["cc"] == ["carol@x.example"]
    assert stored["bcc"] == ["d@x.example"] and stored["subject"] == "Grüße — quarterly ✓"
    assert stored["body_html"] == "<p>Numbers <b>attached</b></p>"
    assert stored["body_text"] == "Numbers attached"
    assert stored["planned_send_at"] == "2026-11-24T09:00:00Z"
    assert stored["from_account_id"] == ACCOUNT_ID and stored["context_type"] == "invoice"
    assert base64.b64decode(stored["attachments"][0]["data_base64"]) == b"%PDF-1.4 numbers"
    remote = adapter.fetch(ref.remote_id)
    assert remote.version == ref.version and remote.subject == draft.subject
    assert remote.send_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert remote.to == ("j@y.example", "bob@x.example")


def test_update_sends_only_what_changed_and_clears_the_schedule(fake: FakeExante,
                                                               url: str) -> None:
    files = MemoryFiles()
    adapter = _adapter(url)
    first = _draft(schedule=Schedule(NOW + timedelta(hours=2), "UTC"),
                   attachments=(files.add("a.txt", b"a"),))
    ref = adapter.create(first, files, first.id)
    second = first.evolve(subject="New subject", schedule=None)
    new_ref = adapter.update(ref, second, first, files, first.id)
    sent = fake.requests[-1].json()
    assert set(sent) == {"uid", "subject", "planned_send_at"}
    assert sent["planned_send_at"] is None
    assert fake.drafts[ref.remote_id]["planned_send_at"] is None
    assert fake.drafts[ref.remote_id]["attachments"][0]["filename"] == "a.txt"
    assert new_ref.remote_id == ref.remote_id and new_ref.version != ref.version


def test_list_delete_send(fake: FakeExante, url: str) -> None:
    adapter = _adapter(url)
    files = MemoryFiles()
    a = adapter.create(_draft(subject="a"), files, "m1")
    b = adapter.create(_draft(subject="b"), files, "m2")
    assert {r.remote_id for r in adapter.list_drafts()} == {a.remote_id, b.remote_id}
    adapter.delete(a.remote_id)
    assert set(fake.drafts) == {b.remote_id}
    adapter.send(b.remote_id)
    assert fake.sent == [b.remote_id] and adapter.fetch(b.remote_id).status == "sent"
    with pytest.raises(SyncError) as caught:
        adapter.send(b.remote_id)
    assert caught.value.kind is SyncErrorKind.CONFLICT
    with pytest.raises(SyncError) as caught:
        adapter.update(b, _draft(subject="late"), None, files, "m2")
    assert caught.value.kind is SyncErrorKind.CONFLICT
    assert "already been sent" in caught.value.service_message


def test_find_after_a_lost_create_response(fake: FakeExante, url: str) -> None:
    adapter = _adapter(url)
    draft = _draft()
    fake.inject("lost", match="/api/email/drafts", method="POST")
    with pytest.raises(SyncError) as caught:
        adapter.create(draft, MemoryFiles(), draft.id)
    assert caught.value.kind is SyncErrorKind.TRANSIENT
    assert len(fake.drafts) == 1
    found = adapter.find(draft.id, draft)
    assert found is not None and found.remote_id in fake.drafts
    assert adapter.find("other", _draft(subject="something else")) is None


def test_version_moves_when_changed_elsewhere(fake: FakeExante, url: str) -> None:
    adapter = _adapter(url)
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    assert adapter.fetch(ref.remote_id).version == ref.version
    fake.touch(ref.remote_id, subject="edited on the web")
    assert adapter.fetch(ref.remote_id).version != ref.version


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, SyncErrorKind.AUTH), (403, SyncErrorKind.FORBIDDEN), (404, SyncErrorKind.NOT_FOUND),
     (409, SyncErrorKind.CONFLICT), (422, SyncErrorKind.VALIDATION),
     (500, SyncErrorKind.TRANSIENT), (503, SyncErrorKind.TRANSIENT)],
)
def test_injected_statuses_map_to_kinds(url: str, fake: FakeExante, status: int,
                                        kind: SyncErrorKind) -> None:
    fake.inject(status)
    with pytest.raises(SyncError) as caught:
        _adapter(url).create(_draft(), MemoryFiles(), "m")
    assert caught.value.kind is kind and caught.value.status == status
    assert fake.drafts == {}


def test_rate_limit_carries_retry_after(url: str, fake: FakeExante) -> None:
    fake.inject(429, headers={"Retry-After": "42"})
    with pytest.raises(SyncError) as caught:
        _adapter(url).list_drafts()
    assert caught.value.kind is SyncErrorKind.RATE_LIMITED
    assert caught.value.retry_at == NOW + timedelta(seconds=42)


@pytest.mark.parametrize("fault", ["slow", "drop"])
def test_network_faults_are_transient(url: str, fake: FakeExante, fault: str) -> None:
    fake.inject(fault)
    with pytest.raises(SyncError) as caught:
        _adapter(url).create(_draft(), MemoryFiles(), "m")
    assert caught.value.kind is SyncErrorKind.TRANSIENT


def test_wrong_key_is_auth_and_never_echoed(url: str) -> None:
    with pytest.raises(SyncError) as caught:
        _adapter(url, secret="ex_live_WRONGSECRET").test()
    err = caught.value
    assert err.kind is SyncErrorKind.AUTH and err.service_message == "Invalid or expired API key"
    assert "WRONGSECRET" not in str(err) + err.service_message + repr(err.__dict__)


def test_service_validation_words_are_kept(url: str, fake: FakeExante) -> None:
    adapter = _adapter(url)
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    fake.error_shape = "detail"
    with pytest.raises(SyncError) as caught:
        adapter.update(ref, _draft(context={"context_id": "nope"}), None, MemoryFiles(), "m")
    assert caught.value.kind is SyncErrorKind.VALIDATION
    assert caught.value.service_message == "Validation error (e.g., invalid email format)"


def test_missing_from_account_is_a_validation_error(url: str) -> None:
    account = Account("work", "exante", url)
    adapter = ExanteAdapter(account, KEY, make_client(url), lambda: NOW)
    _OPEN.append(adapter)
    [problem] = adapter.check(_draft())
    assert problem.field == "from" and "from_account_id" in problem.message
    with pytest.raises(SyncError) as caught:
        adapter.create(_draft(), MemoryFiles(), "m")
    assert caught.value.kind is SyncErrorKind.VALIDATION
    assert caught.value.service_message == "from_account_id is required"


def test_check_flags_invalid_recipients_and_bad_context() -> None:
    adapter = _adapter("https://dev.exante.app")
    problems = adapter.check(_draft(to=tuple(parse_addresses("nope")),
                                    context={"context_id": "x"}))
    assert [(p.field, p.code) for p in problems] == [("to", "invalid_recipient"),
                                                    ("context", "invalid_context_id")]
