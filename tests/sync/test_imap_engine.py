"""The sync engine with a real draft cache and the IMAP adapter against a real Dovecot:
lost APPEND answers, a server restart, another client's edit, sending: the Drafts folder
ends with exactly one copy of each draft."""

from __future__ import annotations

import os
import random
from collections import Counter

import pytest
from imapclient import IMAPClient

from composer.domain.addresses import parse_addresses
from composer.domain.eml import eml_to_draft
from composer.domain.models import Draft, DraftStatus
from composer.store.drafts import DraftStore
from composer.store.outbox import Op
from composer.store.sync_state import SyncStatus
from composer.sync import conflicts
from composer.sync.adapters.imap import ImapAdapter
from composer.sync.engine import SyncEngine
from tests.servers.dovecot import Dovecot, MailUser, TestCertificate
from tests.servers.proxy import LosingProxy
from tests.servers.smtp import SmtpServer
from tests.store.conftest import FakeClock


def _engine(store: DraftStore, adapter: ImapAdapter, clock: FakeClock) -> SyncEngine:
    return SyncEngine(store, lambda name: adapter, clock, random.Random(3))


def _draft(subject: str) -> Draft:
    return Draft(account="mail", to=tuple(parse_addresses("bob@example.org")),
                 bcc=tuple(parse_addresses("hidden@example.org")),
                 subject=subject, html=f"<p>{subject}</p>")


def _folder(client: IMAPClient, name: str = "Drafts") -> list[bytes]:
    client.select_folder(name)
    client.noop()
    uids = client.search(["NOT", "DELETED"])
    return [item[b"BODY[]"] for item in client.fetch(uids, [b"BODY.PEEK[]"]).values()] \
        if uids else []


def _drafts_by_id(client: IMAPClient) -> Counter[str]:
    """How many copies of each local draft are in the Drafts folder."""
    return Counter(eml_to_draft(m).original_id or "" for m in _folder(client))


def _run_until_clean(engine: SyncEngine, clock: FakeClock, passes: int = 6) -> None:
    for _ in range(passes):
        report = engine.run_once()
        if report.clean:
            return
        clock.advance(hours=1)
    raise AssertionError(f"not clean after {passes} passes: {report}")


def test_lost_append_answer_is_found_by_message_id(proxied: ImapAdapter, proxy: LosingProxy,
                                                   other_client: IMAPClient) -> None:
    from tests.sync.files import MemoryFiles

    proxied.test()
    proxy.lose_append_answer()
    ref = proxied.create(_draft("lost answer"), MemoryFiles(), "m")
    assert proxy.lost == 1
    assert ref.remote_id == "marker:m"
    assert len(_folder(other_client)) == 1
    assert proxied.fetch(ref.remote_id).version == ref.version


def test_lost_append_answer_then_server_away_makes_no_duplicate(
        proxied: ImapAdapter, proxy: LosingProxy, store: DraftStore, clock: FakeClock,
        other_client: IMAPClient) -> None:
    engine = _engine(store, proxied, clock)
    proxied.test()
    d = store.save(_draft("one copy only"))
    proxy.lose_append_answer(then_refuse=True)
    report = engine.run_once()
    assert proxy.lost == 1 and report.pushed == 0 and report.waiting == 1
    state = store.sync_states.get(d.id)
    assert state is not None and state.create_pending
    proxy.heal()
    clock.advance(hours=1)
    _run_until_clean(engine, clock)
    assert _drafts_by_id(other_client) == {d.id: 1}
    state = store.sync_states.get(d.id)
    assert state is not None and state.state is SyncStatus.SYNCED


def test_lost_update_answer_then_edit_converges_to_one_copy(
        proxied: ImapAdapter, proxy: LosingProxy, store: DraftStore, clock: FakeClock,
        other_client: IMAPClient) -> None:
    engine = _engine(store, proxied, clock)
    d = store.save(_draft("v1"))
    _run_until_clean(engine, clock)
    d = store.save(store.get(d.id).evolve(subject="v2"))
    proxy.lose_append_answer(then_refuse=True)
    engine.run_once()
    proxy.heal()
    clock.advance(hours=1)
    engine.run_once()
    store.save(store.get(d.id).evolve(subject="v3"))
    _run_until_clean(engine, clock)
    assert _drafts_by_id(other_client) == {d.id: 1}
    [message] = _folder(other_client)
    assert eml_to_draft(message).draft.subject == "v3"
    # Our own lost update was not taken for someone else's edit.
    state = store.sync_states.get(d.id)
    assert state is not None and state.state is SyncStatus.SYNCED
    assert [x.subject for x in store.summaries()] == ["v3"]


def test_engine_pushes_edits_and_deletes_with_no_duplicates(
        adapter: ImapAdapter, store: DraftStore, clock: FakeClock,
        other_client: IMAPClient) -> None:
    engine = _engine(store, adapter, clock)
    drafts = [store.save(_draft(f"draft {n}")) for n in range(6)]
    _run_until_clean(engine, clock)
    for round_ in range(2):
        for d in drafts[:4]:
            store.save(store.get(d.id).evolve(subject=f"{d.subject} edit {round_}"))
        _run_until_clean(engine, clock)
    store.delete(drafts[5].id)
    _run_until_clean(engine, clock)
    copies = _drafts_by_id(other_client)
    assert copies == {d.id: 1 for d in drafts[:5]}
    subjects = sorted(eml_to_draft(m).draft.subject for m in _folder(other_client))
    assert subjects == sorted(store.get(d.id).subject for d in drafts[:5])


def test_server_restart_mid_sync_makes_no_duplicates(
        adapter: ImapAdapter, dovecot: Dovecot, store: DraftStore, clock: FakeClock,
        imap_user: MailUser, certificate: TestCertificate) -> None:
    engine = _engine(store, adapter, clock)
    drafts = [store.save(_draft(f"draft {n}")) for n in range(8)]
    engine.run_once(max_entries=3)
    dovecot.restart()  # the adapter's connection dies under it
    for d in drafts[:3]:
        store.save(store.get(d.id).evolve(subject=d.subject + " edited"))
    _run_until_clean(engine, clock)
    client = IMAPClient("127.0.0.1", port=dovecot.imaps_port, ssl=True,
                        ssl_context=certificate.context(), timeout=10)
    client.login(imap_user.name, imap_user.password)
    try:
        assert _drafts_by_id(client) == {d.id: 1 for d in drafts}
    finally:
        client.logout()


def test_another_clients_edit_is_a_conflict_kept_side_by_side(
        adapter: ImapAdapter, store: DraftStore, clock: FakeClock,
        other_client: IMAPClient) -> None:
    engine = _engine(store, adapter, clock)
    d = store.save(_draft("mine"))
    _run_until_clean(engine, clock)
    [message] = _folder(other_client)
    [uid] = other_client.search(["NOT", "DELETED"])
    theirs = message.replace(b"Subject: mine", b"Subject: edited on the phone").replace(
        b"@mail-composer.invalid>", b"@phone.example>")
    other_client.append("Drafts", theirs, flags=[b"\\Draft"])
    other_client.delete_messages([uid])
    other_client.uid_expunge([uid])
    store.save(store.get(d.id).evolve(subject="mine, edited here"))
    report = engine.run_once()
    assert report.conflicts == 1
    state = store.sync_states.get(d.id)
    assert state is not None and state.state is SyncStatus.CONFLICT
    subjects = {x.subject for x in store.summaries()}
    assert {"mine, edited here", "edited on the phone"} <= subjects
    # Nothing of ours overwrote the phone's copy.
    assert [eml_to_draft(m).draft.subject for m in _folder(other_client)] == \
        ["edited on the phone"]


def test_a_draft_deleted_by_another_client_asks_before_it_is_saved_again(
        adapter: ImapAdapter, store: DraftStore, clock: FakeClock,
        other_client: IMAPClient) -> None:
    engine = _engine(store, adapter, clock)
    d = store.save(_draft("mine"))
    _run_until_clean(engine, clock)
    other_client.select_folder("Drafts")
    [uid] = other_client.search(["NOT", "DELETED"])
    other_client.delete_messages([uid])       # deleted on the phone
    other_client.uid_expunge([uid])
    store.save(store.get(d.id).evolve(subject="mine, edited here"))
    report = engine.run_once()
    assert report.conflicts == 1 and report.pushed == 0
    assert _folder(other_client) == []       # not re-created behind the user's back
    assert conflicts.deleted_on_service(store, d.id)
    conflicts.save_again(store, d.id)         # the user chose to keep it there
    _run_until_clean(engine, clock)
    assert [eml_to_draft(m).draft.subject for m in _folder(other_client)] == \
        ["mine, edited here"]


def test_pull_imports_drafts_written_elsewhere_once(
        adapter: ImapAdapter, store: DraftStore, clock: FakeClock,
        other_client: IMAPClient) -> None:
    engine = _engine(store, adapter, clock)
    store.save(_draft("ours"))
    _run_until_clean(engine, clock)
    other_client.append("Drafts", b"To: ann@example.org\r\nSubject: from the phone\r\n\r\n"
                        b"Written on the bus\r\n", flags=[b"\\Draft"])
    assert engine.pull("mail") == 1
    assert engine.pull("mail") == 0
    pulled = [x for x in store.summaries() if x.subject == "from the phone"]
    assert len(pulled) == 1
    full = store.get(pulled[0].id)
    assert full.text == "Written on the bus"
    # Editing it here replaces the phone's copy with ours: still one copy.
    store.save(full.evolve(subject="from the phone, finished here"))
    _run_until_clean(engine, clock)
    assert sorted(eml_to_draft(m).draft.subject for m in _folder(other_client)) == \
        ["from the phone, finished here", "ours"]


def test_send_through_the_engine(adapter: ImapAdapter, store: DraftStore, clock: FakeClock,
                                 other_client: IMAPClient, smtp_server: SmtpServer) -> None:
    engine = _engine(store, adapter, clock)
    d = store.save(_draft("to send"))
    _run_until_clean(engine, clock)
    store.enqueue(d.id, Op.SEND)
    _run_until_clean(engine, clock)
    assert store.get(d.id).status is DraftStatus.SENT
    [received] = smtp_server.received
    assert b"hidden@example.org" not in received.data
    assert "hidden@example.org" in received.rcpt_tos
    assert _folder(other_client) == []
    assert len(_folder(other_client, "Sent")) == 1


# -- soak -------------------------------------------------------------------------------
# Random creates, edits and deletes with about 20% of the pushes losing their APPEND answer
# (half of those then finding the server unreachable for a pass), and the engine restarted
# half-way. At the end the Drafts folder holds exactly one copy of every live draft, with
# its last edit, and nothing of the deleted ones: 0 duplicates, 0 lost edits.
# COMPOSER_SOAK_OPS scales the run (a tenth of it here: each operation is a real APPEND).


@pytest.mark.parametrize("saves_per_pass", [1, 6])
def test_imap_fault_soak_leaves_one_copy_per_draft_with_its_last_edit(
        proxied: ImapAdapter, proxy: LosingProxy, store: DraftStore, clock: FakeClock,
        other_client: IMAPClient, saves_per_pass: int) -> None:
    """``saves_per_pass`` 6: new drafts pile up between passes (offline), so creates go
    out together in MULTIAPPEND commands, and lost answers hit those too."""
    ops = max(int(os.environ.get("COMPOSER_SOAK_OPS", "1000")) // 10, 40) * \
        (3 if saves_per_pass > 1 else 1)  # about as many passes (and losses) as one a pass
    rng = random.Random(1313)
    engine = SyncEngine(store, lambda name: proxied, clock, random.Random(5))
    live: list[str] = []
    deleted: set[str] = set()
    losses = 0
    for n in range(ops):
        if n == ops // 2:   # a restart: a new engine over the same cache
            engine = SyncEngine(store, lambda name: proxied, clock, random.Random(6))
        roll = rng.random()
        if roll < 0.4 or not live:
            live.append(store.save(_draft(f"soak {n}")).id)
        elif roll < 0.85:
            draft_id = rng.choice(live)
            store.save(store.get(draft_id).evolve(subject=f"soak {n} (edit of {draft_id[:8]})"))
        else:
            draft_id = live.pop(rng.randrange(len(live)))
            store.delete(draft_id)
            deleted.add(draft_id)
        if n % saves_per_pass:
            continue
        if rng.random() < 0.2:
            proxy.lose_append_answer(then_refuse=rng.random() < 0.5)
            losses += 1
        engine.run_once()
        proxy.heal()
        clock.advance(seconds=rng.choice((1, 5, 30)))
    _run_until_clean(engine, clock, passes=12)
    print(f"IMAP soak: {ops} operations, {saves_per_pass} a pass, {losses} answers armed "
          f"to be lost, {proxy.lost} lost ({proxy.appends} APPEND commands), {len(live)} "
          f"live, {len(deleted)} deleted")
    assert proxy.lost > 0
    assert _drafts_by_id(other_client) == {draft_id: 1 for draft_id in live}
    on_server = {(d.original_id, d.draft.subject)
                 for d in (eml_to_draft(m) for m in _folder(other_client))}
    assert on_server == {(draft_id, store.get(draft_id).subject) for draft_id in live}
