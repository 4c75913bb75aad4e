"""The IMAP adapter against a real Dovecot (and an aiosmtpd submission server): what ends
up in the Drafts and Sent folders, what the SMTP server received, the typed errors."""

from __future__ import annotations

import email
import email.policy

import pytest
from hypothesis import given
from hypothesis import strategies as st
from imapclient import IMAPClient

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.eml import eml_to_draft
from composer.domain.models import Draft
from composer.sync.adapters.base import RemoteRef
from composer.sync.adapters.imap import ImapAdapter, for_submission
from composer.sync.errors import SyncError, SyncErrorKind
from tests.servers.dovecot import APPEND_LIMIT, Dovecot, MailUser
from tests.servers.fixtures import MakeAdapter
from tests.servers.smtp import SmtpServer
from tests.sync.files import MemoryFiles


def _draft(subject: str = "Quarterly numbers", revision: int = 1) -> Draft:
    return Draft(account="mail", to=tuple(parse_addresses('"Bob B" <bob@example.org>')),
                 cc=tuple(parse_addresses("carol@example.org")),
                 bcc=tuple(parse_addresses("secret@example.org")),
                 subject=subject, html="<p>Numbers <b>attached</b></p>", revision=revision)


def _drafts(client: IMAPClient) -> dict[int, bytes]:
    client.select_folder("Drafts")
    uids = client.search(["NOT", "DELETED"])
    return {int(u): item[b"BODY[]"]
            for u, item in client.fetch(uids, [b"BODY.PEEK[]"]).items()} if uids else {}


def _subjects(client: IMAPClient) -> list[str]:
    return sorted(eml_to_draft(data).draft.subject for data in _drafts(client).values())


def test_create_appends_the_eml_with_draft_flag_and_marker(
        adapter: ImapAdapter, other_client: IMAPClient) -> None:
    files = MemoryFiles()
    report = files.add("report.pdf", b"%PDF-1.4 numbers")
    draft = _draft().evolve(attachments=(report,))
    ref = adapter.create(draft, files, "marker-1")
    assert ref.remote_id == "marker:marker-1"
    [(uid, data)] = _drafts(other_client).items()
    flags = other_client.get_flags([uid])[uid]
    assert b"\\Draft" in flags
    parsed = eml_to_draft(data)
    assert parsed.draft.subject == "Quarterly numbers"
    assert [a.addr for a in parsed.draft.bcc] == ["secret@example.org"]  # a draft keeps Bcc
    assert parsed.files[0][1] == b"%PDF-1.4 numbers"
    headers = email.message_from_bytes(data, policy=email.policy.default)
    assert headers["X-Composer-Marker"] == "marker-1"
    assert headers["X-Composer-Revision"] == "1"
    assert headers["From"] == "Me Myself <me@example.test>"
    assert adapter.fetch(ref.remote_id).version == ref.version


def test_update_replaces_the_copy_and_returns_a_new_ref(
        adapter: ImapAdapter, other_client: IMAPClient) -> None:
    files = MemoryFiles()
    first = adapter.create(_draft("one"), files, "m")
    second = adapter.update(first, _draft("two", revision=2), None, files, "m")
    assert second.version != first.version
    assert _subjects(other_client) == ["two"]
    assert adapter.fetch(second.remote_id).version == second.version


def test_drafts_folder_is_created_when_missing(adapter: ImapAdapter,
                                               other_client: IMAPClient) -> None:
    assert "Drafts" not in [name for _, _, name in other_client.list_folders()]
    adapter.create(_draft(), MemoryFiles(), "m")
    folders = {name: flags for flags, _, name in other_client.list_folders()}
    assert b"\\Drafts" in folders["Drafts"]


def test_unicode_headers_survive_the_round_trip(adapter: ImapAdapter) -> None:
    draft = _draft("Grüße, Zoë").evolve(to=tuple(parse_addresses('"Jörg, M" <j@x.test>')))
    ref = adapter.create(draft, MemoryFiles(), "m")
    remote = adapter.fetch(ref.remote_id)
    assert remote.subject == "Grüße, Zoë"
    assert remote.to == ('"Jörg, M" <j@x.test>',)


def test_failed_delete_leaves_a_copy_that_the_next_pass_removes(
        adapter: ImapAdapter, other_client: IMAPClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    files = MemoryFiles()
    first = adapter.create(_draft("one"), files, "m")

    def refuse(uids: list[int]) -> None:
        raise SyncError(SyncErrorKind.TRANSIENT, "delete lost")

    with monkeypatch.context() as patch:
        patch.setattr(adapter, "_expunge", refuse)
        second = adapter.update(first, _draft("two", revision=2), None, files, "m")
    assert _subjects(other_client) == ["one", "two"]  # the delete failed: two copies
    remote = adapter.fetch(second.remote_id)  # the next pass looks at the draft
    assert remote.version == second.version and remote.subject == "two"
    assert _subjects(other_client) == ["two"]


def test_identical_copies_converge_to_one(adapter: ImapAdapter,
                                          other_client: IMAPClient) -> None:
    files = MemoryFiles()
    adapter.create(_draft(), files, "m")
    adapter.create(_draft(), files, "m")  # e.g. a create retried after a lost answer
    assert len(_drafts(other_client)) == 2
    assert adapter.find("m", _draft()) is not None
    assert len(_drafts(other_client)) == 1


def test_another_clients_edit_changes_the_version(
        adapter: ImapAdapter, other_client: IMAPClient) -> None:
    ref = adapter.create(_draft("mine"), MemoryFiles(), "m")
    [(uid, data)] = _drafts(other_client).items()
    # The phone edits the draft: appends its version (keeping our headers, with its own
    # Message-ID) and deletes ours.
    theirs = data.replace(b"Subject: mine", b"Subject: theirs").replace(
        b"@mail-composer.invalid>", b"@phone.example>")
    other_client.append("Drafts", theirs, flags=[b"\\Draft"])
    other_client.delete_messages([uid])
    other_client.uid_expunge([uid])
    remote = adapter.fetch(ref.remote_id)
    assert remote.version != ref.version
    assert remote.subject == "theirs"


def test_another_clients_copy_with_our_marker_is_never_deleted(
        adapter: ImapAdapter, other_client: IMAPClient) -> None:
    adapter.create(_draft("mine"), MemoryFiles(), "m")
    [data] = _drafts(other_client).values()
    theirs = data.replace(b"Subject: mine", b"Subject: theirs").replace(
        b"@mail-composer.invalid>", b"@phone.example>")
    other_client.append("Drafts", theirs, flags=[b"\\Draft"])  # saved as new, ours kept
    found = adapter.find("m", _draft("mine"))
    assert found is not None
    assert adapter.fetch(found.remote_id).subject == "theirs"
    assert _subjects(other_client) == ["mine", "theirs"]


def test_reading_a_draft_does_not_change_its_version(
        adapter: ImapAdapter, other_client: IMAPClient) -> None:
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    [uid] = _drafts(other_client)
    other_client.add_flags([uid], [b"\\Seen"])  # another client opened it
    assert adapter.fetch(ref.remote_id).version == ref.version


def test_list_drafts_maps_other_clients_drafts(adapter: ImapAdapter,
                                               other_client: IMAPClient) -> None:
    adapter.create(_draft("ours"), MemoryFiles(), "m")
    assert len(adapter.list_drafts()) == 1
    other_client.append("Drafts", b"From: me@example.test\r\nTo: ann@example.org\r\n"
                        b"Subject: from the phone\r\n\r\nWritten on the bus\r\n",
                        flags=[b"\\Draft"])
    listed = {r.subject: r for r in adapter.list_drafts()}
    assert set(listed) == {"ours", "from the phone"}
    assert listed["ours"].marker == "m" and listed["ours"].remote_id == "marker:m"
    phone = listed["from the phone"]
    assert phone.marker is None and phone.remote_id.startswith("uid:")
    assert phone.to == ("ann@example.org",) and phone.text == "Written on the bus"
    # Unchanged folder (CONDSTORE): the same listing without reading it again.
    assert {r.subject for r in adapter.list_drafts()} == set(listed)


def test_updating_a_pulled_draft_replaces_the_foreign_copy(
        adapter: ImapAdapter, other_client: IMAPClient) -> None:
    adapter.test()  # finds (creates) the Drafts folder
    other_client.append("Drafts", b"Subject: from the phone\r\n\r\nhello\r\n",
                        flags=[b"\\Draft"])
    [phone] = adapter.list_drafts()
    ref = RemoteRef(phone.remote_id, phone.version)
    new = adapter.update(ref, _draft("edited here"), None, MemoryFiles(), "local-id")
    assert new.remote_id == "marker:local-id"
    assert _subjects(other_client) == ["edited here"]


def test_delete_removes_every_copy(adapter: ImapAdapter, other_client: IMAPClient) -> None:
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    adapter.delete(ref.remote_id)
    assert _drafts(other_client) == {}
    with pytest.raises(SyncError) as err:
        adapter.fetch(ref.remote_id)
    assert err.value.kind is SyncErrorKind.NOT_FOUND


def test_send_submits_without_bcc_then_files_in_sent(
        adapter: ImapAdapter, other_client: IMAPClient, smtp_server: SmtpServer) -> None:
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    adapter.send(ref.remote_id)
    [received] = smtp_server.received
    assert received.mail_from == "me@example.test"
    assert sorted(received.rcpt_tos) == ["bob@example.org", "carol@example.org",
                                         "secret@example.org"]
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    assert message["Bcc"] is None and b"secret@example.org" not in received.data
    assert not [k for k in message if k.lower().startswith("x-composer")]
    assert message["Subject"] == "Quarterly numbers"
    assert _drafts(other_client) == {}
    other_client.select_folder("Sent")
    [sent_uid] = other_client.search(["ALL"])
    stored = other_client.fetch([sent_uid], [b"BODY.PEEK[]"])[sent_uid][b"BODY[]"]
    assert stored == received.data
    # A retry (its answer was lost) neither submits nor files it again.
    with pytest.raises(SyncError) as err:
        adapter.send(ref.remote_id)
    assert err.value.kind is SyncErrorKind.NOT_FOUND
    assert len(smtp_server.received) == 1


def test_send_retry_after_submission_does_not_submit_twice(
        adapter: ImapAdapter, other_client: IMAPClient, smtp_server: SmtpServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    real = adapter._expunge

    def crash(uids: list[int]) -> None:
        raise SyncError(SyncErrorKind.TRANSIENT, "connection lost")

    monkeypatch.setattr(adapter, "_expunge", crash)
    with pytest.raises(SyncError):
        adapter.send(ref.remote_id)
    monkeypatch.setattr(adapter, "_expunge", real)
    adapter.send(ref.remote_id)
    assert len(smtp_server.received) == 1
    assert _drafts(other_client) == {}
    other_client.select_folder("Sent")
    assert len(other_client.search(["ALL"])) == 1


def test_save_sent_off_keeps_nothing_in_sent(
        make_adapter: MakeAdapter, account: Account, other_client: IMAPClient,
        smtp_server: SmtpServer) -> None:
    adapter = make_adapter(Account(**{**account.__dict__, "options": {
        **account.options, "save_sent": "no"}}))
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    adapter.send(ref.remote_id)
    assert len(smtp_server.received) == 1
    assert "Sent" not in [name for _, _, name in other_client.list_folders()]


def test_smtp_size_limit_refuses_before_sending(
        make_adapter: MakeAdapter, account: Account, certificate: object,
        imap_user: MailUser) -> None:
    from tests.servers.dovecot import TestCertificate

    assert isinstance(certificate, TestCertificate)
    small = SmtpServer(certificate.server_context(), imap_user.name, imap_user.password,
                       size_limit=2000)
    small.start()
    try:
        adapter = make_adapter(Account(**{**account.__dict__, "options": {
            **account.options, "smtp_port": str(small.port)}}))
        ref = adapter.create(_draft().evolve(text="x" * 5000, html=""), MemoryFiles(), "m")
        with pytest.raises(SyncError) as err:
            adapter.send(ref.remote_id)
        assert err.value.kind is SyncErrorKind.VALIDATION
        assert small.received == []
    finally:
        small.stop()


def test_implicit_tls_smtp(make_adapter: MakeAdapter, account: Account, certificate: object,
                           imap_user: MailUser) -> None:
    from tests.servers.dovecot import TestCertificate

    assert isinstance(certificate, TestCertificate)
    server = SmtpServer(certificate.server_context(), imap_user.name, imap_user.password,
                        implicit_tls=True)
    server.start()
    try:
        adapter = make_adapter(Account(**{**account.__dict__, "options": {
            **account.options, "smtp_port": str(server.port), "smtp_security": "tls"}}))
        ref = adapter.create(_draft(), MemoryFiles(), "m")
        adapter.send(ref.remote_id)
        assert len(server.received) == 1
    finally:
        server.stop()


def test_wrong_password_is_an_auth_error_without_the_password(
        make_adapter: MakeAdapter) -> None:
    adapter = make_adapter(secret="hunter2-wrong")
    with pytest.raises(SyncError) as err:
        adapter.create(_draft(), MemoryFiles(), "m")
    assert err.value.kind is SyncErrorKind.AUTH
    assert not err.value.request_sent
    text = f"{err.value} {err.value.message} {err.value.service_message}"
    assert "hunter2" not in text and "IMAP server 127.0.0.1" in text


def test_over_quota_is_a_validation_error(dovecot: Dovecot, make_adapter: MakeAdapter,
                                          account: Account) -> None:
    tiny = dovecot.add_user(quota=True)
    adapter = make_adapter(Account(**{**account.__dict__, "username": tiny.name}),
                           secret=tiny.password)
    with pytest.raises(SyncError) as err:
        adapter.create(_draft().evolve(text="x" * 5000, html=""), MemoryFiles(), "m")
    assert err.value.kind is SyncErrorKind.VALIDATION
    assert "OVERQUOTA" in err.value.service_message


def test_appendlimit_is_honoured_before_sending(adapter: ImapAdapter,
                                                other_client: IMAPClient) -> None:
    files = MemoryFiles()
    big = files.add("big.bin", b"\0" * (APPEND_LIMIT + 1))
    draft = _draft().evolve(attachments=(big,))
    adapter.test()  # connected once: the limit is known
    assert adapter.append_limit == APPEND_LIMIT
    [problem] = adapter.check(draft)
    assert problem.field == "attachments" and "APPENDLIMIT" in problem.message
    with pytest.raises(SyncError) as err:
        adapter.create(draft, files, "m")
    assert err.value.kind is SyncErrorKind.VALIDATION and not err.value.request_sent
    assert _drafts(other_client) == {}


def test_server_refusing_a_too_big_message_is_a_validation_error(
        adapter: ImapAdapter) -> None:
    files = MemoryFiles()
    big = files.add("big.bin", b"\0" * (APPEND_LIMIT + 1))
    adapter.test()
    adapter.append_limit = None  # as if the server did not advertise it
    with pytest.raises(SyncError) as err:
        adapter._append(b"Subject: big\r\n\r\n" + b"a" * (APPEND_LIMIT + 10), "m")
    assert err.value.kind is SyncErrorKind.VALIDATION
    assert "[LIMIT]" in err.value.service_message
    del big


def test_test_names_both_servers(adapter: ImapAdapter) -> None:
    text = adapter.test()
    assert "IMAP 127.0.0.1" in text and "signed in" in text and "SMTP 127.0.0.1" in text


def test_starttls_on_the_plain_port(make_adapter: MakeAdapter, account: Account,
                                    dovecot: Dovecot, other_client: IMAPClient) -> None:
    adapter = make_adapter(Account(**{**account.__dict__, "options": {
        **account.options, "imap_port": str(dovecot.imap_port),
        "imap_security": "starttls"}}))
    adapter.create(_draft(), MemoryFiles(), "m")
    assert _subjects(other_client) == ["Quarterly numbers"]


_header_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


@given(to=st.emails(), bcc=st.emails(), subject=_header_text, body=st.binary(max_size=200))
def test_submission_never_carries_bcc_and_keeps_the_body(to: str, bcc: str, subject: str,
                                                         body: bytes) -> None:
    head = (f"X-Composer-Marker: m\r\nTo: {to}\r\nBcc: {bcc},\r\n"
            f"\tfolded@example.org\r\nSubject: {subject}\r\n").encode()
    data = head + b"\r\n" + body
    message, recipients = for_submission(data)
    header, _, rest = message.partition(b"\r\n\r\n")
    assert b"Bcc:" not in header and b"X-Composer" not in header
    assert b"folded@example.org" not in header
    assert rest == data.partition(b"\r\n\r\n")[2]  # the body bytes as stored
    # (addresses as validated: the domain lower-cased)
    assert {to.lower(), bcc.lower(), "folded@example.org"} <= {r.lower() for r in recipients}


def test_send_retry_after_the_flag_was_lost_does_not_submit_twice(
        adapter: ImapAdapter, other_client: IMAPClient, smtp_server: SmtpServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ref = adapter.create(_draft(), MemoryFiles(), "m")
    connection = adapter._imap
    assert connection is not None
    real = connection.add_flags

    def drop(uids: list[int], flags: list[bytes], silent: bool = False) -> object:
        if b"$Submitted" in flags:
            raise OSError("connection reset")  # submitted, but the flag never got there
        return real(uids, flags, silent=silent)

    monkeypatch.setattr(connection, "add_flags", drop)
    with pytest.raises(SyncError) as err:
        adapter.send(ref.remote_id)
    assert err.value.kind is SyncErrorKind.TRANSIENT
    adapter.send(ref.remote_id)  # the retry: a new connection
    assert len(smtp_server.received) == 1
    assert _drafts(other_client) == {}


def test_listing_again_reads_only_new_messages(adapter: ImapAdapter,
                                               other_client: IMAPClient) -> None:
    assert adapter.list_drafts() == []  # an empty folder
    for n in range(3):
        adapter.create(_draft(f"ours {n}"), MemoryFiles(), f"m{n}")
    assert len(adapter.list_drafts()) == 3
    other_client.append("Drafts", b"Subject: from the phone\r\n\r\nhi\r\n", flags=[b"\\Draft"])
    connection = adapter._imap
    assert connection is not None
    asked: list[tuple[object, tuple[bytes, ...]]] = []
    real = connection.fetch

    def spy(messages: object, data: list[bytes], *args: object, **kwargs: object) -> object:
        asked.append((messages, tuple(data)))
        return real(messages, data, *args, **kwargs)

    connection.fetch = spy
    listed = adapter.list_drafts()
    assert sorted(r.subject for r in listed) == ["from the phone", "ours 0", "ours 1", "ours 2"]
    bodies = [m for m, data in asked if b"BODY.PEEK[]" in data]
    assert len(bodies) == 1 and len(bodies[0]) == 1  # type: ignore[arg-type]


def test_envelope_recipients_never_come_from_a_misparsed_header() -> None:
    # A draft written by another client reaches ``send`` as it is stored. The CVE-2023-27043
    # form reads as two recipients to email.utils.getaddresses; it is not an address at
    # all. An encoded name with a comma is one recipient; a name that looks like an
    # address is a name.
    data = (b"From: me@x.example\r\nTo: alice@example.org)<bob@example.org>, "
            b"=?utf-8?b?LMKq?= <c@example.org>\r\n"
            b'Cc: "d@evil.example" <d@example.org>\r\nSubject: x\r\n\r\nbody\r\n')
    _, recipients = for_submission(data)
    assert recipients == ["c@example.org", "d@example.org"]


def test_international_recipients_reach_the_envelope_in_the_form_servers_take(
        adapter: ImapAdapter, smtp_server: SmtpServer, other_client: IMAPClient) -> None:
    draft = _draft().evolve(to=tuple(parse_addresses(
        '"Zoë, Ops" <ops@bücher.example>, zoë@example.org')), cc=(), bcc=())
    ref = adapter.create(draft, MemoryFiles(), "m")
    stored = adapter.fetch(ref.remote_id)
    assert stored.to == ('"Zoë, Ops" <ops@bücher.example>', "zoë@example.org")
    adapter.send(ref.remote_id)
    [received] = smtp_server.received
    # The domain in its ASCII (IDNA) form; a non-ASCII mailbox name has none (SMTPUTF8).
    assert sorted(received.rcpt_tos) == ["ops@xn--bcher-kva.example", "zoë@example.org"]
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    assert [a.display_name for a in message["To"].addresses] == ["Zoë, Ops", ""]
