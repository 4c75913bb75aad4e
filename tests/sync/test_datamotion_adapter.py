"""DataMotion adapter against its fake over real HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import Attachment, BodyMode, Draft, Schedule
from composer.sync.adapters.datamotion import DataMotionAdapter
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import make_client
from tests.fakes.base import Reply, serve
from tests.fakes.datamotion import FakeDataMotion
from tests.sync.files import MemoryFiles

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
Make = Callable[..., DataMotionAdapter]


@pytest.fixture
def fake() -> FakeDataMotion:
    return FakeDataMotion()


@pytest.fixture
def make(fake: FakeDataMotion, closing: Callable[[DataMotionAdapter], None]) -> Iterator[Make]:
    with serve(fake) as root:
        url = root + "/SecureMessagingApi"

        def build(password: str = "correct horse", timeout: float = 1.0) -> DataMotionAdapter:
            account = Account("secure", "datamotion", url, username="alice@acme.example",
                              address="alice@acme.example")
            adapter = DataMotionAdapter(account, password,
                                        make_client(url, timeout=httpx.Timeout(timeout)),
                                        lambda: NOW)
            closing(adapter)
            return adapter
        yield build


def _draft(**kw: object) -> Draft:
    return Draft(to=tuple(parse_addresses('"Doe, J" <j@y.example>')),
                 cc=tuple(parse_addresses("c@y.example")), bcc=tuple(parse_addresses(
                     "b@y.example")), subject="Lab results ✓", body_mode=BodyMode.TEXT,
                 text="Hello\nthere").evolve(**kw)


def test_create_update_fetch_with_attachments(fake: FakeDataMotion, make: Make) -> None:
    adapter = make()
    files = MemoryFiles()
    att = files.add("scan.pdf", b"%PDF scan")
    ref = adapter.create(_draft(attachments=(att,)), files, "m")
    stored = fake.messages[int(ref.remote_id)]
    assert stored["To"] == ["j@y.example"] and stored["Cc"] == ["c@y.example"]
    assert stored["Bcc"] == ["b@y.example"] and stored["From"] == "alice@acme.example"
    assert stored["TextBody"] == "Hello\nthere"
    assert stored["HtmlBody"] == "<p>Hello<br>there</p>"
    assert base64.b64decode(stored["Attachments"][0]["AttachmentBase64"]) == b"%PDF scan"
    assert fake.logons == 1
    remote = adapter.fetch(ref.remote_id)
    assert remote.version == ref.version and remote.attachment_names == ("scan.pdf",)
    new = adapter.update(ref, _draft(subject="Lab results v2"), None, files, "m")
    assert new.remote_id == ref.remote_id and new.version != ref.version
    assert fake.messages[int(ref.remote_id)]["Attachments"] == []  # replaced
    assert adapter.fetch(ref.remote_id).version == new.version


def test_expired_session_logs_on_again_once(fake: FakeDataMotion, make: Make) -> None:
    adapter = make()
    adapter.create(_draft(), MemoryFiles(), "m")
    fake.expire_sessions()
    adapter.create(_draft(), MemoryFiles(), "m2")
    assert fake.logons == 2 and len(fake.messages) == 2


def test_wrong_password_is_auth_with_the_service_words(make: Make) -> None:
    with pytest.raises(SyncError) as caught:
        make(password="WRONG-SECRET-PW").test()
    err = caught.value
    assert err.kind is SyncErrorKind.AUTH
    assert err.service_message == "User credentials are invalid."
    assert "WRONG-SECRET-PW" not in str(err) + err.service_message


def test_size_limit_401_is_validation_not_auth(fake: FakeDataMotion, make: Make) -> None:
    adapter = make(timeout=30.0)  # 43 MB of JSON: seconds on a loaded machine

    class BigFiles(MemoryFiles):
        def read_bytes(self, sha256: str) -> bytes:
            return b"x" * (32 * 1024 * 1024 + 1)

    big = Attachment("video.mp4", 32 * 1024 * 1024 + 1, "video/mp4", "0" * 64)
    with pytest.raises(SyncError) as caught:
        adapter.create(_draft(attachments=(big,)), BigFiles(), "m")
    err = caught.value
    assert err.kind is SyncErrorKind.VALIDATION and err.field == "attachments"
    assert err.service_message == "File sizes greater than 32 MB are not supported."
    assert fake.messages == {}
    assert [p.code for p in adapter.check(_draft(attachments=(big,)))] == [
        "attachments_too_large"]


def test_invalid_recipient_401_is_validation_on_that_field(make: Make) -> None:
    adapter = make()
    draft = _draft(cc=(parse_addresses("ok@y.example")[0].__class__("bad@nodot", ""),))
    with pytest.raises(SyncError) as caught:
        adapter.create(draft, MemoryFiles(), "m")
    assert caught.value.kind is SyncErrorKind.VALIDATION and caught.value.field == "cc"
    assert caught.value.service_message == "Recipient Invalid - Cc recipient is bad@nodot."


def test_documented_400s(make: Make) -> None:
    adapter = make()
    with pytest.raises(SyncError) as caught:
        adapter.create(_draft(to=()), MemoryFiles(), "m")
    assert caught.value.service_message == "The To field is required."
    assert caught.value.field == "to" and caught.value.kind is SyncErrorKind.VALIDATION
    with pytest.raises(SyncError) as caught:
        adapter.create(_draft(subject="x" * 256), MemoryFiles(), "m")
    assert caught.value.service_message == "The Subject exceeds maximum length."
    assert caught.value.field == "subject"


def test_send_then_edit_is_a_conflict_and_unknown_ids_are_refused(fake: FakeDataMotion,
                                                                  make: Make) -> None:
    adapter = make()
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    adapter.send(ref.remote_id)
    assert fake.messages[int(ref.remote_id)]["folder"] == 2
    with pytest.raises(SyncError) as caught:
        adapter.update(ref, _draft(), None, MemoryFiles(), "m")
    assert caught.value.kind is SyncErrorKind.CONFLICT
    assert caught.value.service_message == f"Message '{ref.remote_id}' is not in the Drafts " \
        "Folder."
    with pytest.raises(SyncError) as caught:
        adapter.send("999999")
    assert caught.value.kind is SyncErrorKind.VALIDATION and caught.value.status == 401
    with pytest.raises(SyncError) as caught:
        adapter.fetch("999999")
    assert caught.value.kind is SyncErrorKind.NOT_FOUND


def test_delete_and_version_tracking(fake: FakeDataMotion, make: Make) -> None:
    adapter = make()
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    fake.touch(int(ref.remote_id), Subject="changed in the web app")
    assert adapter.fetch(ref.remote_id).version != ref.version
    adapter.delete(ref.remote_id)
    assert fake.messages == {}


def test_a_lost_save_is_found_in_the_drafts_folder_across_pages(fake: FakeDataMotion,
                                                                 make: Make) -> None:
    fake.page_size = 2
    adapter = make()
    for n in range(5):  # other drafts, some with the same subject
        adapter.create(_draft(text=f"other {n}"), MemoryFiles(), f"o{n}")
    fake.inject("lost", match="SaveDraft")
    with pytest.raises(SyncError) as caught:
        adapter.create(_draft(), MemoryFiles(), "m")
    assert caught.value.kind is SyncErrorKind.TRANSIENT
    lost = max(fake.messages)
    found = adapter.find("m", _draft())
    assert found is not None and found.remote_id == str(lost)
    assert found.version == adapter.fetch(str(lost)).version
    summaries = [r.json() for r in fake.requests if r.path.endswith("GetMessageSummaries")]
    assert [s["LastMessageIDReceived"] for s in summaries] == [0, 1002, 1004]
    assert {d.remote_id for d in adapter.list_drafts()} == {str(i) for i in fake.messages}
    fake.messages.clear()
    assert adapter.find("m", _draft()) is None


@pytest.mark.parametrize("answer", [{}, {"Summaries": None, "MoreMessagesAvailable": False},
                                    {"MoreMessagesAvailable": False},
                                    {"Summaries": [{"Subject": "x"}],
                                     "MoreMessagesAvailable": False}])
def test_an_unknown_folder_listing_is_a_protocol_error_not_no_drafts(
        fake: FakeDataMotion, make: Make, monkeypatch: pytest.MonkeyPatch,
        answer: dict[str, object]) -> None:
    adapter = make()
    adapter.create(_draft(), MemoryFiles(), "m")
    monkeypatch.setattr(fake, "_summaries", lambda user, request: Reply(200, answer))
    with pytest.raises(SyncError) as caught:
        adapter.find("m", _draft())
    assert caught.value.kind is SyncErrorKind.PROTOCOL


def test_plain_text_error_bodies_are_understood(fake: FakeDataMotion, make: Make) -> None:
    fake.error_shape = "text"
    with pytest.raises(SyncError) as caught:
        make(password="nope").test()
    assert caught.value.service_message == "User credentials are invalid."


@pytest.mark.parametrize(("status", "kind"), [
    (403, SyncErrorKind.NOT_FOUND), (500, SyncErrorKind.TRANSIENT),
    (503, SyncErrorKind.TRANSIENT), (429, SyncErrorKind.RATE_LIMITED),
    (409, SyncErrorKind.CONFLICT), (404, SyncErrorKind.NOT_FOUND)])
def test_injected_statuses(fake: FakeDataMotion, make: Make, status: int,
                           kind: SyncErrorKind) -> None:
    adapter = make()
    adapter.test()
    fake.inject(status, match="SaveDraft")
    with pytest.raises(SyncError) as caught:
        adapter.create(_draft(), MemoryFiles(), "m")
    assert caught.value.kind is kind and fake.messages == {}


def test_injected_401_bad_session_recovers(fake: FakeDataMotion, make: Make) -> None:
    adapter = make()
    adapter.test()
    fake.inject(401, match="SaveDraft")
    adapter.create(_draft(), MemoryFiles(), "m")
    assert fake.logons == 2 and len(fake.messages) == 1


@pytest.mark.parametrize("fault", ["slow", "drop"])
def test_network_faults(fake: FakeDataMotion, make: Make, fault: str) -> None:
    fake.inject(fault)
    with pytest.raises(SyncError) as caught:
        make().test()
    assert caught.value.kind is SyncErrorKind.TRANSIENT


def test_check_reports_schedule_and_recipients(make: Make) -> None:
    draft = _draft(to=tuple(parse_addresses("nope")),
                   schedule=Schedule(NOW + timedelta(days=1), "UTC"))
    assert [(p.field, p.code) for p in make().check(draft)] == [
        ("to", "no_recipient"), ("to", "invalid_recipient")]  # a schedule is kept locally
