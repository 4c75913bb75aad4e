"""The draft cache on a real SQLite file: saves, revisions, outbox, search, history."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from composer.domain.addresses import parse_addresses
from composer.domain.models import BodyMode, Draft, DraftStatus
from composer.errors import InvalidInputError, NotFoundError
from composer.store.drafts import DraftStore
from composer.store.revisions import KEEP_RECENT
from composer.store.sync_state import SyncStatus
from tests.store.conftest import FakeClock


def _draft(**kw: object) -> Draft:
    base = Draft(
        to=tuple(parse_addresses('Bob <bob@example.org>, "Doe, J" <j@example.org>')),
        subject="Quarterly report",
        body_mode=BodyMode.HTML,
        html="<p>Numbers <b>attached</b></p>",
    )
    return base.evolve(**kw)


def test_save_and_reopen_returns_every_field(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "d.sqlite3"
    store = DraftStore.open(path, clock)
    draft = _draft(context={"customer_uuid": "c-1"}, cc=tuple(parse_addresses("not an address")))
    saved = store.save(draft)
    store.close()
    again = DraftStore.open(path, clock)
    loaded = again.get(draft.id)
    again.close()
    assert loaded == saved
    assert loaded.revision == 1
    assert loaded.cc[0].valid is False and loaded.cc[0].raw == "not an address"


def test_unchanged_content_makes_no_new_revision(store: DraftStore) -> None:
    first = store.save(_draft())
    second = store.save(first.evolve(updated_at=first.updated_at))
    assert second.revision == 1
    changed = store.save(first.evolve(subject="Quarterly report v2"))
    assert changed.revision == 2
    assert [r.revision for r in store.revisions.history(first.id)] == [2, 1]


def test_subject_with_newline_is_refused_and_nothing_changes(store: DraftStore) -> None:
    saved = store.save(_draft())
    with pytest.raises(InvalidInputError):
        store.save(saved.evolve(subject="Hi\r\nBcc: evil@example.org"))
    assert store.get(saved.id).subject == "Quarterly report"
    assert len(store.revisions.history(saved.id)) == 1


def test_local_draft_has_no_outbox_entry_account_draft_coalesces(store: DraftStore) -> None:
    local = store.save(_draft())
    assert store.outbox.pending_for(local.id) == []
    synced = store.save(_draft(account="work"))
    for n in range(5):
        synced = store.save(synced.evolve(subject=f"edit {n}"))
    entries = store.outbox.pending_for(synced.id)
    assert len(entries) == 1
    assert entries[0].revision == synced.revision == 6
    state = store.sync_states.get(synced.id)
    assert state is not None and state.state is SyncStatus.PENDING


def test_save_while_push_in_flight_queues_a_second_push(store: DraftStore) -> None:
    d = store.save(_draft(account="work"))
    [entry] = store.outbox.pending_for(d.id)
    assert store.outbox.claim(entry.id)
    d = store.save(d.evolve(subject="newer"))
    entries = store.outbox.pending_for(d.id)
    assert [e.revision for e in entries] == [1, 2]
    assert store.outbox.reset_in_flight() == 1


def test_list_newest_first_and_search_all_fields(store: DraftStore, clock: FakeClock) -> None:
    a = store.save(_draft(subject="Budget 2027", html="<p>the <i>plan</i></p>"))
    b = store.save(_draft(subject="Lunch", to=tuple(parse_addresses("carol@example.org")),
                          body_mode=BodyMode.TEXT, html="", text="Pizza at noon, café?"))
    c = store.save(_draft(subject="Other"))
    assert [s.id for s in store.summaries()] == [c.id, b.id, a.id]
    assert [s.id for s in store.summaries(search="budg")] == [a.id]
    assert [s.id for s in store.summaries(search="plan")] == [a.id]
    assert [s.id for s in store.summaries(search="carol")] == [b.id]
    assert [s.id for s in store.summaries(search="cafe")] == [b.id]  # diacritics folded
    assert [s.id for s in store.summaries(search='pizza "noon')] == [b.id]
    assert store.summaries(search="nothing-like-this") == []
    assert store.count() == 3 and store.count(search="lunch") == 1


def test_delete_is_a_tombstone_and_undoable(store: DraftStore) -> None:
    d = store.save(_draft())
    store.delete(d.id)
    assert store.summaries() == []
    with pytest.raises(NotFoundError):
        store.get(d.id)
    assert [s.id for s in store.summaries(deleted=True)] == [d.id]
    store.undelete(d.id)
    assert store.get(d.id) == d


def test_delete_of_synced_draft_queues_remote_delete(store: DraftStore) -> None:
    d = store.save(_draft(account="work"))
    state = store.sync_states.get(d.id)
    assert state is not None
    store.sync_states.put(state.evolve(remote_id="r-1", state=SyncStatus.SYNCED))
    store.delete(d.id)
    ops = [e.op.value for e in store.outbox.pending_for(d.id)]
    assert ops == ["delete"]  # the pending push was dropped: nothing left to push
    store.purge(d.id)
    assert store.summaries(deleted=True) == []


def test_history_keeps_recent_and_thins_old(store: DraftStore, clock: FakeClock) -> None:
    d = store.save(_draft())
    for n in range(99):
        clock.advance(minutes=10)
        d = store.save(d.evolve(subject=f"edit {n}"))
    history = store.revisions.history(d.id)
    revisions = [h.revision for h in history]
    assert revisions[:KEEP_RECENT] == list(range(100, 100 - KEEP_RECENT, -1))
    assert len(history) < 100
    # older history is thinned to about one per hour, never dropped entirely
    older = history[KEEP_RECENT:]
    assert older and len({h.saved_at.replace(minute=0, second=0, microsecond=0)
                          for h in older}) >= len(older) - 1


def test_restore_is_a_new_revision(store: DraftStore) -> None:
    d = store.save(_draft(subject="first"))
    d = store.save(d.evolve(subject="second"))
    restored = store.restore(d.id, 1)
    assert restored.subject == "first" and restored.revision == 3
    assert [h.subject for h in store.revisions.history(d.id)] == ["first", "second", "first"]
    with pytest.raises(NotFoundError):
        store.restore(d.id, 42)


def test_recipient_history_orders_by_use_and_can_forget(store: DraftStore) -> None:
    for n in range(3):
        store.save(Draft(to=tuple(parse_addresses("Bob Builder <bob@example.org>")),
                         subject=f"{n}"))
    store.save(Draft(to=tuple(parse_addresses("bea@example.org")), subject="x"))
    suggestions = store.recipients.suggest("b")
    assert [s.addr for s in suggestions] == ["bob@example.org", "bea@example.org"]
    assert suggestions[0].use_count == 3 and suggestions[0].name == "Bob Builder"
    assert [s.addr for s in store.recipients.suggest("build")] == ["bob@example.org"]
    assert store.recipients.forget("BOB@example.org") is True
    assert [s.addr for s in store.recipients.suggest("b")] == ["bea@example.org"]


def test_disk_full_keeps_previous_revision(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "full.sqlite3"
    store = DraftStore.open(path, clock)
    saved = store.save(_draft(html="<p>kept</p>"))
    pages = store.connection.execute("PRAGMA page_count").fetchone()[0]
    store.connection.execute(f"PRAGMA max_page_count={pages + 1}")
    from composer.errors import StorageError, StorageProblem

    with pytest.raises(StorageError) as caught:
        store.save(saved.evolve(html="<p>" + "x" * 400_000 + "</p>"))
    assert caught.value.problem is StorageProblem.DISK_FULL
    assert "disk is full" in str(caught.value)
    store.close()
    again = DraftStore.open(path, clock)
    assert again.get(saved.id) == saved
    assert again.integrity_ok()
    again.close()


def test_status_change_is_recorded(store: DraftStore) -> None:
    d = store.save(_draft())
    sent = store.set_status(d.id, DraftStatus.SENT)
    assert sent.status is DraftStatus.SENT and sent.revision == 2


def test_database_is_wal_full_sync_with_foreign_keys(store: DraftStore) -> None:
    conn = store.connection
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO revisions(draft_id, revision, saved_at, data) "
                     "VALUES ('nope', 1, 'x', '{}')")


def test_old_tombstones_of_never_synced_drafts_are_purged(store: DraftStore,
                                                          clock: FakeClock) -> None:
    old = store.save(_draft(subject="old"))
    synced = store.save(_draft(subject="synced", account="work"))
    state = store.sync_states.get(synced.id)
    assert state is not None
    store.sync_states.put(state.evolve(remote_id="r-9"))
    store.delete(old.id)
    store.delete(synced.id)
    clock.advance(days=10)
    assert store.purge_old_tombstones() == 0
    clock.advance(days=25)
    assert store.purge_old_tombstones() == 1
    assert [s.subject for s in store.summaries(deleted=True)] == ["synced"]  # waits for its service
