"""Outbox claims: the bookkeeping the sync engine does around an outbox entry's work.

``claim`` takes pending entries and reads what their work needs, ``unclaim`` undoes
claims whose work never started, ``finish``/``finish_all`` record what came of it; each
is one transaction on the connection the draft store shares (store.claims).

A class of its own, not DraftStore's: nothing here calls back into the draft store. The
claim reads each draft's stored JSON and its sync state itself, and writes only outbox
entries and sync states, so ``Claims`` needs the connection alone and there is no
circular reference. What the draft store writes to the outbox with a draft (``save``,
``delete``, ``enqueue``, ``save_as_synced``, ``push_again``) stays with the draft store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from composer.domain.models import Draft
from composer.store.codec import draft_from_json
from composer.store.db import storage_errors, transaction
from composer.store.outbox import OutboxEntry, claim_in, unclaim_in
from composer.store.sync_state import (
    SyncState,
    SyncStates,
    SyncStatus,
    select_columns,
    state_from_row,
)


@dataclass(frozen=True)
class Claim:
    """An outbox entry taken for sync, with what it needs, read in the claiming
    transaction (so a save from then on queues an entry of its own)."""

    entry: OutboxEntry
    draft: Draft | None          # None: the draft is gone
    state: SyncState | None      # the sync state as it was before the claim
    marked: SyncState | None     # the state written with the claim, if any
    data: str = ""               # the draft as stored (its JSON)


#: Given a claimed entry, its draft, its sync state and the draft as stored (JSON): a sync
#: state to write with the claim (the engine's create-pending mark), or None.
ClaimMark = Callable[[OutboxEntry, Draft, SyncState | None, str], SyncState | None]


def _chunks(ids: Sequence[str], size: int = 500) -> Iterator[tuple[Sequence[str], str]]:
    """``ids`` in slices small enough for one ``IN (...)`` (SQLite caps the parameters of a
    statement), each with its placeholders."""
    for start in range(0, len(ids), size):
        part = ids[start:start + size]
        yield part, ", ".join("?" for _ in part)


class Claims:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def claim(self, entries: Sequence[OutboxEntry], mark: ClaimMark, *,
              finished: Sequence[tuple[int, SyncState | None]] = ()) -> list[Claim]:
        """Claim the entries that are still pending and read their drafts and sync states,
        in one durable transaction; a state ``mark`` returns is written in it too. The
        ``finished`` results (as for ``finish_all``) are recorded first, in the same
        transaction."""
        claims: list[Claim] = []
        if not entries and not finished:
            return claims
        with storage_errors(), transaction(self._conn):
            self._finish_in(finished)
            # (done or dropped meanwhile, e.g. the draft was deleted: not claimed)
            claimed = [e for e in entries if claim_in(self._conn, e.id)]
            found = self._with_states([e.draft_id for e in claimed])
            for entry in claimed:
                if entry.draft_id not in found:
                    claims.append(Claim(entry, None, None, None))
                    continue
                data, state = found[entry.draft_id]
                draft = draft_from_json(data)
                claims.append(Claim(entry, draft, state, mark(entry, draft, state, data), data))
            SyncStates.put_all_in(self._conn, [c.marked for c in claims if c.marked])
        return claims

    def _with_states(self, draft_ids: Sequence[str]) -> dict[str, tuple[str, SyncState | None]]:
        """draft id -> (its JSON, its sync state), for those of ``draft_ids`` that exist."""
        out: dict[str, tuple[str, SyncState | None]] = {}
        for ids, marks in _chunks(draft_ids):
            rows = self._conn.execute(
                f"SELECT d.id, d.data, s.draft_id IS NOT NULL, {select_columns('s')} "
                f"FROM drafts d LEFT JOIN sync_state s ON s.draft_id = d.id "
                f"WHERE d.id IN ({marks})", ids,
            ).fetchall()
            for row in rows:
                out[str(row[0])] = (str(row[1]), state_from_row(row[3:]) if row[2] else None)
        return out

    def unclaim(self, claims: Iterable[Claim]) -> None:
        """Undo claims whose work never started: entries back to pending (the attempt not
        counted) and the states written with them back as they were. One transaction."""
        claims = list(claims)
        if not claims:
            return
        with storage_errors(), transaction(self._conn):
            for claim in claims:
                unclaim_in(self._conn, claim.entry.id)
                if claim.marked is not None:
                    if claim.state is None:
                        self._conn.execute(
                            "DELETE FROM sync_state WHERE draft_id = ?", (claim.entry.draft_id,))
                    else:
                        SyncStates.put_in(self._conn, claim.state)

    def finish(self, entry_id: int, state: SyncState | None) -> None:
        """An outbox entry is done: remove it and record the draft's sync state, together."""
        self.finish_all([(entry_id, state)])

    def finish_all(self, results: Sequence[tuple[int, SyncState | None]]) -> None:
        """Outbox entries are done: remove each and record its draft's sync state, all in
        one transaction."""
        with storage_errors(), transaction(self._conn):
            self._finish_in(results)

    def _finish_in(self, results: Sequence[tuple[int, SyncState | None]]) -> None:
        self._conn.executemany("DELETE FROM outbox WHERE id = ?", [(r[0],) for r in results])
        states = [state for _, state in results if state is not None]
        waiting = self._with_entries([s.draft_id for s in states])
        SyncStates.put_all_in(self._conn, [
            s.evolve(state=SyncStatus.PENDING)  # a newer save waits
            if s.draft_id in waiting and s.state is SyncStatus.SYNCED else s
            for s in states
        ])

    def _with_entries(self, draft_ids: Sequence[str]) -> set[str]:
        """Those of ``draft_ids`` with entries in the outbox."""
        out: set[str] = set()
        for ids, marks in _chunks(draft_ids):
            out.update(str(r[0]) for r in self._conn.execute(
                f"SELECT DISTINCT draft_id FROM outbox WHERE draft_id IN ({marks})", ids))
        return out
