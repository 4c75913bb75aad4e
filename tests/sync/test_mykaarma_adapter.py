"""myKaarma adapter against its fake over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import BodyMode, Draft, Schedule
from composer.sync.adapters.mykaarma import MykaarmaAdapter
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import make_client
from tests.fakes.base import Reply, Request, serve
from tests.fakes.mykaarma import FakeMykaarma
from tests.sync.files import MemoryFiles

NOW = datetime.now(UTC).replace(microsecond=0)
Make = Callable[..., MykaarmaAdapter]


@pytest.fixture
def fake() -> FakeMykaarma:
    return FakeMykaarma()


@pytest.fixture
def make(fake: FakeMykaarma, closing: Callable[[MykaarmaAdapter], None]) -> Iterator[Make]:
    with serve(fake) as root:
        url = root + "/communications"

        def build(password: str = "kaarma-pass", user: str = "u-1") -> MykaarmaAdapter:
            account = Account("dealer", "mykaarma", url, username="svc-composer",
                              options={"department_uuid": "d-1", "user_uuid": user})
            adapter = MykaarmaAdapter(account, password,
                                      make_client(url, timeout=httpx.Timeout(1.0)), lambda: NOW)
            closing(adapter)
            return adapter
        yield build


def _draft(**kw: object) -> Draft:
    return Draft(to=tuple(parse_addresses("Pat <pat@customer.example>")),
                 cc=tuple(parse_addresses("advisor@dealer.example")),
                 subject="Your car is ready ✓", body_mode=BodyMode.TEXT,
                 text="Pick it up after 3pm.",
                 context={"customer_uuid": "c-1"}).evolve(**kw)


def test_create_with_schedule_in_the_drafts_zone_without_millis(fake: FakeMykaarma,
                                                                make: Make) -> None:
    when = (NOW + timedelta(days=1)).replace(hour=9, minute=30) + timedelta(microseconds=123)
    draft = _draft(schedule=Schedule(when, "America/Los_Angeles"))
    adapter = make()
    ref = adapter.create(draft, MemoryFiles(), "marker-1")
    customer, message_uuid = ref.remote_id.split("/")
    assert customer == "c-1"
    stored = fake.messages[message_uuid]
    attrs = stored["messageAttributes"]
    assert attrs["type"] == "DRAFT" and attrs["protocol"] == "EMAIL"
    assert attrs["body"] == "<p>Pick it up after 3pm.</p>"
    assert attrs["subject"] == "Your car is ready ✓"
    scheduled = attrs["draftAttributes"]["scheduledOn"]
    assert attrs["draftAttributes"]["draftStatus"] == "SCHEDULED"
    assert "." not in scheduled and scheduled[-6:] in ("-08:00", "-07:00")
    assert datetime.fromisoformat(scheduled) == when.replace(microsecond=0)
    sending = stored["messageSendingAttributes"]
    assert sending["communicationValueOfCustomer"] == "pat@customer.example"
    assert sending["listOfEmailsToBeCCed"] == ["advisor@dealer.example"]
    remote = adapter.fetch(ref.remote_id)
    assert remote.version == ref.version and remote.marker == "marker-1"
    assert remote.send_at == when.replace(microsecond=0).astimezone(UTC)


def test_edit_is_a_full_replace_and_version_tracks_outside_changes(fake: FakeMykaarma,
                                                                   make: Make) -> None:
    adapter = make()
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    new = adapter.update(ref, _draft(subject="Changed", cc=()), None, MemoryFiles(), "m")
    _, message_uuid = ref.remote_id.split("/")
    stored = fake.messages[message_uuid]
    assert stored["messageAttributes"]["subject"] == "Changed"
    assert stored["messageSendingAttributes"]["listOfEmailsToBeCCed"] == []
    assert new.remote_id == ref.remote_id and adapter.fetch(ref.remote_id).version == new.version
    fake.touch(message_uuid, subject="edited by the advisor")
    assert adapter.fetch(ref.remote_id).version != new.version


def test_find_by_marker_after_a_lost_create(fake: FakeMykaarma, make: Make) -> None:
    adapter = make()
    fake.inject("lost", match="/customer/c-1/message")
    with pytest.raises(SyncError) as caught:
        adapter.create(_draft(), MemoryFiles(), "lost-one")
    assert caught.value.kind is SyncErrorKind.TRANSIENT
    [message_uuid] = fake.messages
    found = adapter.find("lost-one", _draft())
    assert found is not None and found.remote_id == f"c-1/{message_uuid}"
    assert adapter.find("other", _draft()) is None


@pytest.mark.parametrize(("change", "code", "description", "field"), [
    ({"text": ""}, "MISSING_MESSAGE_BODY", "Message body is missing", "body"),
    ({"context": {"customer_uuid": "nobody"}}, "INVALID_CUSTOMER",
     "Customer_UUID=nobody is invalid", "context"),
    ({"to": tuple(parse_addresses("someone@else.example"))}, "INVALID_COMMUNICATION_VALUE",
     "Phone Number/Email = someone@else.example for the customer is invalid", "to"),
])
def test_service_400s_keep_code_and_words(make: Make, change: dict[str, object], code: str,
                                          description: str, field: str) -> None:
    with pytest.raises(SyncError) as caught:
        make().create(_draft(**change), MemoryFiles(), "m")
    err = caught.value
    assert err.kind is SyncErrorKind.VALIDATION and err.status == 400
    assert err.service_message == f"{code}: {description}" and err.field == field


def test_past_schedule_and_millis_are_refused_by_the_service(fake: FakeMykaarma,
                                                             make: Make) -> None:
    past = _draft(schedule=Schedule(NOW - timedelta(hours=1), "UTC"))
    with pytest.raises(SyncError) as caught:
        make().create(past, MemoryFiles(), "m")
    assert caught.value.service_message == "INVALID_DRAFT_DATE: Draft sending date is in the past."
    assert caught.value.field == "schedule"
    assert [p.code for p in make().check(past)] == ["schedule_past"]


def test_unknown_user_and_bad_credentials(make: Make) -> None:
    with pytest.raises(SyncError) as caught:
        make(user="ghost").create(_draft(), MemoryFiles(), "m")
    assert caught.value.service_message == "INVALID_USER: USER_UUID=ghost is invalid"
    with pytest.raises(SyncError) as caught:
        make(password="WRONG-KAARMA-PW").test()
    err = caught.value
    assert err.kind is SyncErrorKind.AUTH
    assert err.service_message.startswith("WRONG_CREDENTIAL: Credentials are wrong, "
                                          "Authorization refused")
    assert "WRONG-KAARMA-PW" not in str(err) + err.service_message
    assert "svc-composer" in make().test()


def test_send_and_second_send_is_a_conflict(fake: FakeMykaarma, make: Make) -> None:
    adapter = make()
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    adapter.send(ref.remote_id)
    assert adapter.fetch(ref.remote_id).status == "sent"
    with pytest.raises(SyncError) as caught:
        adapter.send(ref.remote_id)
    assert caught.value.kind is SyncErrorKind.CONFLICT
    assert caught.value.service_message.startswith("MESSAGE_ALREADY_SENT: Message has already")


def test_delete_discards_and_unknown_ids_are_not_found(fake: FakeMykaarma, make: Make) -> None:
    adapter = make()
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    adapter.delete(ref.remote_id)
    _, message_uuid = ref.remote_id.split("/")
    assert fake.messages[message_uuid]["discarded"] is True
    with pytest.raises(SyncError) as caught:
        adapter.fetch(ref.remote_id)
    assert caught.value.kind is SyncErrorKind.NOT_FOUND
    with pytest.raises(SyncError) as caught:
        adapter.update(ref, _draft(), None, MemoryFiles(), "m")
    assert caught.value.kind is SyncErrorKind.NOT_FOUND
    adapter.delete(ref.remote_id)  # already gone: nothing to do


def test_check_refuses_files_extra_recipients_and_missing_customer(make: Make) -> None:
    files = MemoryFiles()
    draft = _draft(attachments=(files.add("invoice.pdf", b"x"),), context={},
                   to=tuple(parse_addresses("a@x.example, b@x.example")),
                   cc=tuple(parse_addresses("josé@bücher.example")))
    problems = make().check(draft)
    assert {(p.field, p.code) for p in problems} == {
        ("context", "missing_customer"), ("to", "one_recipient"), ("cc", "invalid_recipient"),
        ("attachments", "attachments_unsupported")}
    assert any('"invoice.pdf"' in p.message for p in problems)


@pytest.mark.parametrize(("status", "kind"), [
    (401, SyncErrorKind.AUTH), (400, SyncErrorKind.VALIDATION), (500, SyncErrorKind.TRANSIENT),
    (503, SyncErrorKind.TRANSIENT), (429, SyncErrorKind.RATE_LIMITED)])
def test_injected_statuses(fake: FakeMykaarma, make: Make, status: int,
                           kind: SyncErrorKind) -> None:
    fake.inject(status)
    with pytest.raises(SyncError) as caught:
        make().create(_draft(), MemoryFiles(), "m")
    assert caught.value.kind is kind and fake.messages == {}


@pytest.mark.parametrize("fault", ["slow", "drop"])
def test_network_faults(fake: FakeMykaarma, make: Make, fault: str) -> None:
    fake.inject(fault)
    with pytest.raises(SyncError) as caught:
        make().create(_draft(), MemoryFiles(), "m")
    assert caught.value.kind is SyncErrorKind.TRANSIENT


def test_drafts_are_kept_statuses_and_read_from_messages_map(fake: FakeMykaarma,
                                                             make: Make) -> None:
    adapter = make()
    first = adapter.create(_draft(subject="One"), MemoryFiles(), "m-1")
    second = adapter.create(_draft(subject="Two"), MemoryFiles(), "m-2")
    sent = [r.json() for r in fake.requests if r.path.endswith("/message")]
    assert {s["messageAttributes"]["draftAttributes"]["draftStatus"] for s in sent} == \
        {"DRAFTED"}
    # With two drafts for one customer the service keeps only known statuses: both stay.
    assert adapter.fetch(first.remote_id).subject == "One"
    assert adapter.fetch(second.remote_id).subject == "Two"
    listed = [r.json() for r in fake.requests if r.path.endswith("/message/list")]
    assert all(body["fetchDrafts"] is True for body in listed)


def test_marker_from_a_metadata_string_that_is_not_json(fake: FakeMykaarma,
                                                        make: Make) -> None:
    adapter = make()
    ref = adapter.create(_draft(), MemoryFiles(), "marker-7")

    def java_map(request: Request, reply: Reply) -> Reply:
        if request.path.endswith("/message/list"):
            for dto in reply.body["messagesMap"]["DRAFT"]:
                dto["messageMetaDataDTO"]["metaData"] = "{composerMarker=marker-7}"
        return reply

    fake.reshape = java_map
    found = adapter.find("marker-7", _draft())
    assert found is not None and found.remote_id == ref.remote_id


def test_the_old_guessed_list_shape_is_a_protocol_error(fake: FakeMykaarma,
                                                        make: Make) -> None:
    adapter = make()
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    fake.reshape = lambda request, reply: Reply(200, {
        "status": "SUCCESS", "messages": [], "errors": [], "warnings": []}) \
        if request.path.endswith("/message/list") else reply
    for call in (lambda: adapter.fetch(ref.remote_id), lambda: adapter.find("m", _draft())):
        with pytest.raises(SyncError) as caught:
            call()
        assert caught.value.kind is SyncErrorKind.PROTOCOL
