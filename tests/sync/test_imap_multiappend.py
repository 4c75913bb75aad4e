"""A backlog of new drafts goes to Dovecot in MULTIAPPEND commands (RFC 3502): one copy
each, refs the next update trusts, and every failure as safe as a single APPEND's."""

from __future__ import annotations

import random
from collections import Counter

from imapclient import IMAPClient

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.eml import eml_to_draft
from composer.domain.models import Draft
from composer.store.drafts import DraftStore
from composer.store.sync_state import SyncStatus
from composer.sync.adapters.base import RemoteRef
from composer.sync.adapters.imap import ImapAdapter
from composer.sync.engine import SyncEngine
from composer.sync.errors import SyncError, SyncErrorKind
from tests.servers.dovecot import Dovecot
from tests.servers.fixtures import MakeAdapter
from tests.servers.proxy import LosingProxy
from tests.store.conftest import FakeClock
from tests.sync.files import MemoryFiles


def _draft(n: int) -> Draft:
    return Draft(account="mail", to=tuple(parse_addresses(f"Bob {n} <bob{n}@example.org>")),
                 subject=f"Backlog {n} ünïcode", html=f"<p>Draft {n}</p>")


def _folder(client: IMAPClient) -> Counter[str]:
    """How many copies of each draft (by its id) the Drafts folder holds."""
    if not client.folder_exists("Drafts"):
        return Counter()
    client.select_folder("Drafts")
    client.noop()
    uids = client.search(["NOT", "DELETED"])
    bodies = client.fetch(uids, [b"BODY.PEEK[]"]).values() if uids else []
    return Counter(eml_to_draft(item[b"BODY[]"]).original_id or "" for item in bodies)


def test_create_many_stores_each_draft_once_in_one_command(
        proxied: ImapAdapter, proxy: LosingProxy, other_client: IMAPClient) -> None:
    drafts = [_draft(n) for n in range(5)]
    results = proxied.create_many([(d, d.id) for d in drafts], MemoryFiles())
    assert proxy.appends == 1
    assert all(isinstance(r, RemoteRef) for r in results)
    assert _folder(other_client) == {d.id: 1 for d in drafts}
    for d, ref in zip(drafts, results, strict=True):
        assert isinstance(ref, RemoteRef) and ref.remote_id == f"marker:{d.id}"
        # the version is the stored copy's: the next update sees no one else's edit
        assert proxied.fetch(ref.remote_id).version == ref.version
        assert proxied.fetch(ref.remote_id).subject == d.subject


def test_lost_multiappend_answer_finds_every_draft_again(
        proxied: ImapAdapter, proxy: LosingProxy, other_client: IMAPClient) -> None:
    drafts = [_draft(n) for n in range(3)]
    proxied.test()
    proxy.lose_append_answer()
    results = proxied.create_many([(d, d.id) for d in drafts], MemoryFiles())
    assert proxy.lost == 1
    assert [r.remote_id for r in results if isinstance(r, RemoteRef)] == \
        [f"marker:{d.id}" for d in drafts]
    assert _folder(other_client) == {d.id: 1 for d in drafts}
    for ref in results:
        assert isinstance(ref, RemoteRef)
        assert proxied.fetch(ref.remote_id).version == ref.version


def test_a_full_mailbox_gives_each_draft_its_own_answer(
        dovecot: Dovecot, make_adapter: MakeAdapter, account: Account) -> None:
    tiny = dovecot.add_user(quota=True)
    adapter = make_adapter(Account(**{**account.__dict__, "username": tiny.name}),
                           secret=tiny.password)
    drafts = [_draft(n).evolve(html="", text="x" * 600) for n in range(6)]
    results = adapter.create_many([(d, d.id) for d in drafts], MemoryFiles())
    saved = [r for r in results if isinstance(r, RemoteRef)]
    refused = [r for r in results if isinstance(r, SyncError)]
    # the first ones fit (each asked for on its own once the whole batch was refused)
    assert saved and refused and len(saved) + len(refused) == len(drafts)
    assert results[:len(saved)] == saved
    assert all(e.kind is SyncErrorKind.VALIDATION and "OVERQUOTA" in e.service_message
               for e in refused)
    assert {r.remote_id for r in saved} == {f"marker:{d.id}" for d in drafts[:len(saved)]}


def test_a_message_over_the_limit_is_refused_alone(adapter: ImapAdapter,
                                                   other_client: IMAPClient) -> None:
    from tests.servers.dovecot import APPEND_LIMIT

    files = MemoryFiles()
    big = files.add("big.bin", b"\0" * (APPEND_LIMIT + 1))
    drafts = [_draft(0), _draft(1).evolve(attachments=(big,)), _draft(2)]
    results = adapter.create_many([(d, d.id) for d in drafts], files)
    assert isinstance(results[0], RemoteRef) and isinstance(results[2], RemoteRef)
    err = results[1]
    assert isinstance(err, SyncError) and err.kind is SyncErrorKind.VALIDATION
    assert not err.request_sent and "APPENDLIMIT" in err.message
    assert _folder(other_client) == {drafts[0].id: 1, drafts[2].id: 1}


def test_without_multiappend_each_draft_is_appended_alone(
        proxied: ImapAdapter, proxy: LosingProxy, other_client: IMAPClient) -> None:
    proxied.test()
    proxied._caps.discard(b"MULTIAPPEND")  # as a server without RFC 3502 answers
    drafts = [_draft(n) for n in range(3)]
    results = proxied.create_many([(d, d.id) for d in drafts], MemoryFiles())
    assert all(isinstance(r, RemoteRef) for r in results)
    assert proxy.appends == 3
    assert _folder(other_client) == {d.id: 1 for d in drafts}


def test_wrong_password_refuses_all_and_sends_nothing(
        make_adapter: MakeAdapter, other_client: IMAPClient) -> None:
    adapter = make_adapter(secret="hunter2-wrong")
    drafts = [_draft(n) for n in range(3)]
    results = adapter.create_many([(d, d.id) for d in drafts], MemoryFiles())
    assert all(isinstance(r, SyncError) and r.kind is SyncErrorKind.AUTH
               and not r.request_sent and "hunter2" not in str(r) for r in results)
    assert _folder(other_client) == {}


def _engine(store: DraftStore, adapter: ImapAdapter, clock: FakeClock) -> SyncEngine:
    return SyncEngine(store, lambda name: adapter, clock, random.Random(5))


def test_engine_pushes_a_backlog_together_then_edits_replace_each_copy(
        proxied: ImapAdapter, proxy: LosingProxy, store: DraftStore, clock: FakeClock,
        other_client: IMAPClient) -> None:
    drafts = [store.save(_draft(n)) for n in range(40)]
    report = _engine(store, proxied, clock).run_once()
    assert report.pushed == 40 and report.clean, report
    assert proxy.appends == 2  # 32 drafts in one command (a batch), then 8
    assert _folder(other_client) == {d.id: 1 for d in drafts}
    for d in drafts[:3]:
        store.save(d.evolve(subject=d.subject + " (edited)"))
    report = _engine(store, proxied, clock).run_once()
    assert report.pushed == 3 and report.clean and report.conflicts == 0, report
    assert _folder(other_client) == {d.id: 1 for d in drafts}
    for d in drafts:
        state = store.sync_states.get(d.id)
        assert state is not None and state.state is SyncStatus.SYNCED
        assert proxied.fetch(state.remote_id or "").version == state.remote_version


def test_engine_lost_multiappend_answer_then_server_away_makes_no_duplicate(
        proxied: ImapAdapter, proxy: LosingProxy, store: DraftStore, clock: FakeClock,
        other_client: IMAPClient) -> None:
    drafts = [store.save(_draft(n)) for n in range(4)]
    engine = _engine(store, proxied, clock)
    proxied.test()
    proxy.lose_append_answer(then_refuse=True)
    report = engine.run_once()
    assert proxy.lost == 1 and report.pushed == 0 and report.waiting == 4
    assert all((s := store.sync_states.get(d.id)) is not None and s.create_pending
               for d in drafts)
    proxy.heal()
    for _ in range(6):
        clock.advance(hours=1)
        if engine.run_once().clean:
            break
    assert _folder(other_client) == {d.id: 1 for d in drafts}
    assert all((s := store.sync_states.get(d.id)) is not None
               and s.state is SyncStatus.SYNCED for d in drafts)
