"""Claiming outbox entries for sync: what a claim reads and writes in one transaction,
undoing a claim whose work never started, recording several results at once."""

from __future__ import annotations

from composer.domain.addresses import parse_addresses
from composer.domain.models import Draft
from composer.store.drafts import DraftStore
from composer.store.sync_state import SyncState, SyncStatus
from tests.store.conftest import FakeClock


def _draft(subject: str) -> Draft:
    return Draft(account="work", to=tuple(parse_addresses("bob@example.org")), subject=subject)


def _mark(state: SyncState | None) -> SyncState:
    assert state is not None
    return state.evolve(create_pending=True, state=SyncStatus.SYNCING)


def test_claim_takes_the_pending_entries_with_their_drafts_and_writes_the_marks(
    store: DraftStore, clock: FakeClock
) -> None:
    a, b, c = (store.save(_draft(s)) for s in ("a", "b", "c"))
    entries = store.outbox.ready(clock())
    assert [e.account for e in entries] == ["work"] * 3
    store.outbox.complete(entries[1].id)        # done meanwhile: not claimed
    store.save(_draft("not asked for"))

    claims = store.claims.claim(entries, lambda entry, draft, state, data: _mark(state)
                         if draft.id == a.id else None)

    assert [cl.entry.draft_id for cl in claims] == [a.id, c.id]
    assert [cl.draft for cl in claims] == [store.get(a.id), store.get(c.id)]
    assert all(cl.state is not None and not cl.state.create_pending for cl in claims)
    assert [cl.marked is not None for cl in claims] == [True, False]
    state = store.sync_states.get(a.id)
    assert state is not None and state.create_pending and state.state is SyncStatus.SYNCING
    state = store.sync_states.get(c.id)
    assert state is not None and not state.create_pending
    assert [e.attempts for e in store.outbox.pending_for(a.id)] == [1]
    assert store.outbox.pending_for(b.id) == []
    assert len(store.outbox.ready(clock())) == 1  # only the draft not asked for


def test_a_claimed_entry_whose_draft_is_gone_comes_back_without_a_draft(
    store: DraftStore, clock: FakeClock
) -> None:
    d = store.save(_draft("x"))
    [entry] = store.outbox.ready(clock())
    store.connection.execute("DELETE FROM drafts WHERE id = ?", (d.id,))
    [claim] = store.claims.claim([entry], lambda *_: None)
    assert claim.draft is None and claim.state is None


def test_unclaim_puts_entries_and_states_back_as_they_were(store: DraftStore,
                                                          clock: FakeClock) -> None:
    d = store.save(_draft("x"))
    before = store.sync_states.get(d.id)
    [entry] = store.outbox.ready(clock())
    claims = store.claims.claim([entry], lambda _e, _d, state, _data: _mark(state))
    store.claims.unclaim(claims)
    assert store.sync_states.get(d.id) == before
    [again] = store.outbox.ready(clock())
    assert again.id == entry.id and again.attempts == 0


def test_results_recorded_together_leave_a_newer_save_pending(store: DraftStore,
                                                             clock: FakeClock) -> None:
    a, b = store.save(_draft("a")), store.save(_draft("b"))
    claims = store.claims.claim(store.outbox.ready(clock()), lambda *_: None)
    b = store.save(b.evolve(subject="b, edited while it was being pushed"))
    results = []
    for claim in claims:
        assert claim.state is not None
        results.append((claim.entry.id, claim.state.evolve(
            state=SyncStatus.SYNCED, remote_id=f"r-{claim.entry.draft_id}")))
    store.claims.finish_all(results)
    state_a, state_b = store.sync_states.get(a.id), store.sync_states.get(b.id)
    assert state_a is not None and state_a.state is SyncStatus.SYNCED
    assert state_b is not None and state_b.state is SyncStatus.PENDING
    assert state_b.remote_id == f"r-{b.id}"
    assert [e.revision for e in store.outbox.pending_for(b.id)] == [b.revision]
    assert store.outbox.pending_for(a.id) == []
