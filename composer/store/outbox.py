"""The outbox: what sync must do, written in the same transaction as the local change.

Entries are ``push`` (send the newest revision), ``delete`` and ``send``. Per draft they
run in order; several saves before a push coalesce into one pending ``push`` of the newest
revision. An entry is ``pending`` or ``in_flight``; it is removed once done. Entries left
``in_flight`` by a crash go back to ``pending`` when the engine starts.
"""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from composer.store.db import storage_errors, transaction


class Op(enum.StrEnum):
    PUSH = "push"
    DELETE = "delete"
    SEND = "send"


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    draft_id: str
    op: Op
    revision: int | None
    attempts: int
    not_before: datetime | None
    last_error: str | None
    #: the account it syncs to: the sync state's, else the draft's (None: neither left)
    account: str | None = None


#: ``not_before`` of an entry parked until the draft or the app changes (an answer this
#: version of the app could not understand): far in the future, never due by the clock
PARKED = datetime(9999, 1, 1, tzinfo=UTC)


def enqueue_push(conn: sqlite3.Connection, draft_id: str, revision: int, now: str) -> None:
    """Inside the caller's transaction: coalesce with a pending push or add one (a parked
    push is due again: the draft changed)."""
    cur = conn.execute(
        "UPDATE outbox SET revision = ?, not_before = CASE WHEN not_before >= ? THEN NULL "
        "ELSE not_before END WHERE draft_id = ? AND op = 'push' AND state = 'pending'"
        " AND id = (SELECT max(id) FROM outbox WHERE draft_id = ?)",
        (revision, PARKED.isoformat(), draft_id, draft_id),
    )
    if cur.rowcount == 0:
        conn.execute(
            "INSERT INTO outbox(draft_id, op, revision, created_at) VALUES (?, 'push', ?, ?)",
            (draft_id, revision, now),
        )


def enqueue(conn: sqlite3.Connection, draft_id: str, op: Op, now: str) -> None:
    """Inside the caller's transaction: add a delete or send (pending pushes before a delete
    are dropped: there is nothing left to push)."""
    if op is Op.DELETE:
        conn.execute(
            "DELETE FROM outbox WHERE draft_id = ? AND state = 'pending' AND op != 'delete'",
            (draft_id,),
        )
    conn.execute(
        "INSERT INTO outbox(draft_id, op, created_at) VALUES (?, ?, ?)", (draft_id, op.value, now)
    )


def claim_in(conn: sqlite3.Connection, entry_id: int) -> bool:
    """Inside the caller's transaction: pending -> in flight (one more attempt)."""
    return conn.execute(
        "UPDATE outbox SET state = 'in_flight', attempts = attempts + 1 "
        "WHERE id = ? AND state = 'pending'",
        (entry_id,),
    ).rowcount == 1


def unclaim_in(conn: sqlite3.Connection, entry_id: int) -> None:
    """Inside the caller's transaction: undo a claim whose work never started (back to
    pending, the attempt not counted)."""
    conn.execute(
        "UPDATE outbox SET state = 'pending', attempts = max(attempts - 1, 0) "
        "WHERE id = ? AND state = 'in_flight'",
        (entry_id,),
    )


# The entry's columns, and its account (a sync state's account wins over the draft's).
_SELECT = (
    "SELECT o.id, o.draft_id, o.op, o.revision, o.attempts, o.not_before, o.last_error, "
    "coalesce(s.account, d.account) FROM outbox o "
    "LEFT JOIN sync_state s ON s.draft_id = o.draft_id LEFT JOIN drafts d ON d.id = o.draft_id "
)


def _entry(row: tuple[object, ...]) -> OutboxEntry:
    not_before = datetime.fromisoformat(str(row[5])) if row[5] else None
    return OutboxEntry(
        id=int(row[0]),  # type: ignore[call-overload]
        draft_id=str(row[1]),
        op=Op(str(row[2])),
        revision=None if row[3] is None else int(row[3]),  # type: ignore[call-overload]
        attempts=int(row[4]),  # type: ignore[call-overload]
        not_before=not_before,
        last_error=None if row[6] is None else str(row[6]),
        account=None if row[7] is None else str(row[7]),
    )


class Outbox:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def reset_in_flight(self) -> int:
        with storage_errors(), transaction(self._conn):
            return self._conn.execute(
                "UPDATE outbox SET state = 'pending' WHERE state = 'in_flight'"
            ).rowcount

    def ready(self, now: datetime, accounts: set[str] | None = None) -> list[OutboxEntry]:
        """The first pending entry of each draft that is due, oldest first."""
        rows = self._conn.execute(
            _SELECT + "WHERE o.id IN (SELECT min(id) FROM outbox GROUP BY draft_id) "
            "AND o.state = 'pending' ORDER BY o.id"
        ).fetchall()
        entries = [_entry(r) for r in rows]
        return [e for e in entries if e.not_before is None or e.not_before <= now]

    def claim(self, entry_id: int) -> bool:
        with storage_errors(), transaction(self._conn):
            return claim_in(self._conn, entry_id)

    def complete(self, entry_id: int) -> None:
        with storage_errors(), transaction(self._conn):
            self._conn.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))

    def release(self, entry_id: int, *, not_before: datetime | None, error: str | None) -> None:
        """Back to pending (retry later, or wait for the draft to change)."""
        with storage_errors(), transaction(self._conn):
            self._conn.execute(
                "UPDATE outbox SET state = 'pending', not_before = ?, last_error = ? WHERE id = ?",
                (not_before.isoformat() if not_before else None, error, entry_id),
            )

    def park(self, entry_id: int, *, tag: str, error: str) -> None:
        """Back to pending, due only when the draft changes or ``unpark`` is called with
        another ``tag`` (e.g. the app's version) than the one recorded here."""
        self.release(entry_id, not_before=PARKED, error=f"{tag}: {error}")

    def unpark(self, keep_tag: str) -> int:
        """Make parked entries due again, except those parked under ``keep_tag``."""
        with storage_errors(), transaction(self._conn):
            return self._conn.execute(
                "UPDATE outbox SET not_before = NULL WHERE not_before >= ? "
                "AND (last_error IS NULL OR substr(last_error, 1, ?) != ?)",
                (PARKED.isoformat(), len(keep_tag) + 2, keep_tag + ": "),
            ).rowcount

    def pending_for(self, draft_id: str) -> list[OutboxEntry]:
        rows = self._conn.execute(
            _SELECT + "WHERE o.draft_id = ? ORDER BY o.id", (draft_id,)
        ).fetchall()
        return [_entry(r) for r in rows]

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def count_by_account(self) -> dict[str, int]:
        rows = self._conn.execute(
            "SELECT d.account, count(*) FROM outbox o JOIN drafts d ON d.id = o.draft_id "
            "WHERE d.account IS NOT NULL GROUP BY d.account"
        ).fetchall()
        return {str(r[0]): int(r[1]) for r in rows}
