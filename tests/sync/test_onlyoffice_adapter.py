"""ONLYOFFICE adapter against its fake over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import Attachment, BodyMode, Draft, Importance
from composer.sync.adapters.onlyoffice import OnlyofficeAdapter
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import make_client
from tests.fakes.base import serve
from tests.fakes.onlyoffice import FakeOnlyoffice
from tests.sync.files import MemoryFiles

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
Make = Callable[..., OnlyofficeAdapter]


@pytest.fixture
def fake() -> FakeOnlyoffice:
    return FakeOnlyoffice()


@pytest.fixture
def make(fake: FakeOnlyoffice, closing: Callable[[OnlyofficeAdapter], None]) -> Iterator[Make]:
    with serve(fake) as url:
        def build(password: str = "office-pass",
                  address: str = "alice@acme.example") -> OnlyofficeAdapter:
            account = Account("office", "onlyoffice", url, username="alice@acme.example",
                              address=address)
            adapter = OnlyofficeAdapter(account, password,
                                        make_client(url, timeout=httpx.Timeout(1.0)),
                                        lambda: NOW)
            closing(adapter)
            return adapter
        yield build


def _draft(**kw: object) -> Draft:
    return Draft(to=tuple(parse_addresses('"Doe, J" <j@y.example>, bob@x.example')),
                 cc=tuple(parse_addresses("c@x.example")), subject="Budget ✓",
                 body_mode=BodyMode.HTML, html="<p>See <b>numbers</b></p>",
                 importance=Importance.HIGH).evolve(**kw)


def test_create_uploads_then_references_attachments(fake: FakeOnlyoffice, make: Make) -> None:
    files = MemoryFiles()
    a = files.add("budget.xlsx", b"PK sheet")
    b = files.add("notes.txt", b"remember")
    adapter = make()
    ref = adapter.create(_draft(attachments=(a, b)), files, "m")
    stored = fake.messages[int(ref.remote_id)]
    assert stored["To"] == ['"Doe, J" <j@y.example>', "bob@x.example"]
    assert stored["From"] == "alice@acme.example" and stored["Important"] is True
    assert stored["HtmlBody"] == "<p>See <b>numbers</b></p>"
    assert [fake.files[f]["data"] for f in stored["Attachments"]] == [b"PK sheet", b"remember"]
    remote = adapter.fetch(ref.remote_id)
    assert remote.version == ref.version
    assert remote.to == ("j@y.example", "bob@x.example")  # parsed back from "a, b"
    assert remote.attachment_names == ("budget.xlsx", "notes.txt")
    assert fake.count("POST", "attachment/add") == 2


def test_update_uploads_only_new_files_and_drops_removed_ones(fake: FakeOnlyoffice,
                                                              make: Make) -> None:
    files = MemoryFiles()
    a = files.add("a.txt", b"aaa")
    b = files.add("b.txt", b"bbb")
    adapter = make()
    ref = adapter.create(_draft(attachments=(a,)), files, "m")
    new = adapter.update(ref, _draft(attachments=(b,), subject="v2"), None, files, "m")
    stored = fake.messages[int(ref.remote_id)]
    assert [fake.files[f]["fileName"] for f in stored["Attachments"]] == ["b.txt"]
    assert fake.count("POST", "attachment/add") == 2
    adapter.update(new, _draft(attachments=(b,), subject="v3"), None, files, "m")
    assert fake.count("POST", "attachment/add") == 2  # b.txt was already there


def test_text_draft_is_sent_as_html(fake: FakeOnlyoffice, make: Make) -> None:
    ref = make().create(_draft(body_mode=BodyMode.TEXT, html="", text="a < b\nc"),
                        MemoryFiles(), "m")
    assert fake.messages[int(ref.remote_id)]["HtmlBody"] == "<p>a &lt; b<br>c</p>"


def test_find_after_lost_create_and_listing(fake: FakeOnlyoffice, make: Make) -> None:
    adapter = make()
    for n in range(30):
        adapter.create(_draft(subject=f"other {n}"), MemoryFiles(), f"o{n}")
    fake.inject("lost", match="drafts/save")
    with pytest.raises(SyncError) as caught:
        adapter.create(_draft(), MemoryFiles(), "m")
    assert caught.value.kind is SyncErrorKind.TRANSIENT
    found = adapter.find("m", _draft())
    assert found is not None and fake.messages[int(found.remote_id)]["Subject"] == "Budget ✓"
    assert len(adapter.list_drafts()) == 31  # two pages of 25


def test_limits_are_checked_before_the_push(make: Make) -> None:
    big = Attachment("huge.bin", 26 * 1024 * 1024, "application/octet-stream", "0" * 64)
    problems = make().check(_draft(attachments=(big,), html="<p>" + "x" * 524_300 + "</p>"))
    assert [(p.field, p.code) for p in problems] == [
        ("attachments", "attachments_too_large"), ("body", "body_too_long")]
    assert "25.0 MB" in problems[0].message


def test_service_limits_and_mailbox_errors_keep_the_words(fake: FakeOnlyoffice,
                                                          make: Make) -> None:
    with pytest.raises(SyncError) as caught:
        make(address="stranger@else.example").create(_draft(), MemoryFiles(), "m")
    assert caught.value.kind is SyncErrorKind.VALIDATION and caught.value.field == "from"
    assert caught.value.service_message == "Mailbox not found"
    with pytest.raises(SyncError) as caught:
        make().create(_draft(html="<p>" + "x" * 524_300 + "</p>"), MemoryFiles(), "m")
    assert caught.value.service_message == "Message body exceeded limit (512 KB)"
    assert caught.value.status == 403 and caught.value.field == "body"


def test_sent_draft_cannot_be_saved_and_missing_is_not_found(fake: FakeOnlyoffice,
                                                            make: Make) -> None:
    adapter = make()
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    adapter.send(ref.remote_id)
    assert fake.messages[int(ref.remote_id)]["Folder"] == 2
    assert adapter.fetch(ref.remote_id).status == "sent"
    with pytest.raises(SyncError) as caught:
        adapter.update(ref, _draft(subject="late"), None, MemoryFiles(), "m")
    assert caught.value.kind is SyncErrorKind.CONFLICT
    assert caught.value.service_message == "Saving emails is permitted only in the Drafts folder"
    with pytest.raises(SyncError) as caught:
        adapter.fetch("77777")
    assert caught.value.kind is SyncErrorKind.NOT_FOUND
    assert caught.value.service_message == "Message with 77777 wasn't found."


def test_delete_moves_to_trash(fake: FakeOnlyoffice, make: Make) -> None:
    adapter = make()
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    adapter.delete(ref.remote_id)
    assert fake.messages[int(ref.remote_id)]["Folder"] == 4
    assert adapter.list_drafts() == []


def test_version_changes_when_edited_in_the_portal(fake: FakeOnlyoffice, make: Make) -> None:
    adapter = make()
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    fake.touch(int(ref.remote_id), Subject="edited in the portal")
    assert adapter.fetch(ref.remote_id).version != ref.version


def test_expired_token_signs_in_again_and_bad_password_is_auth(fake: FakeOnlyoffice,
                                                               make: Make) -> None:
    adapter = make()
    adapter.create(_draft(), MemoryFiles(), "m")
    fake.tokens.clear()
    adapter.create(_draft(), MemoryFiles(), "m2")
    assert len(fake.messages) == 2
    with pytest.raises(SyncError) as caught:
        make(password="WRONG-OFFICE-PW").test()
    assert caught.value.kind is SyncErrorKind.AUTH
    assert caught.value.service_message == "User authentication failed"
    assert "WRONG-OFFICE-PW" not in str(caught.value) + caught.value.service_message


@pytest.mark.parametrize(("status", "kind"), [
    (403, SyncErrorKind.FORBIDDEN), (404, SyncErrorKind.NOT_FOUND),
    (400, SyncErrorKind.VALIDATION), (429, SyncErrorKind.RATE_LIMITED),
    (500, SyncErrorKind.TRANSIENT), (503, SyncErrorKind.TRANSIENT)])
def test_injected_statuses(fake: FakeOnlyoffice, make: Make, status: int,
                           kind: SyncErrorKind) -> None:
    adapter = make()
    adapter.test()
    fake.inject(status, match="drafts/save")
    with pytest.raises(SyncError) as caught:
        adapter.create(_draft(), MemoryFiles(), "m")
    assert caught.value.kind is kind and fake.messages == {}


@pytest.mark.parametrize("fault", ["slow", "drop"])
def test_network_faults(fake: FakeOnlyoffice, make: Make, fault: str) -> None:
    fake.inject(fault)
    with pytest.raises(SyncError) as caught:
        make().test()
    assert caught.value.kind is SyncErrorKind.TRANSIENT
