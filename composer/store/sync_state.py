"""Per-draft sync bookkeeping: where the draft stands with its service."""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import datetime

from composer.store.db import storage_errors, transaction


class SyncStatus(enum.StrEnum):
    LOCAL = "local"          # not on any service (no account, or not pushed yet)
    PENDING = "pending"      # a change waits in the outbox
    SYNCING = "syncing"
    SYNCED = "synced"
    CONFLICT = "conflict"    # the service's copy changed too (both kept), or it was
                             # deleted there (last_error_kind DELETED_ON_SERVICE)
    FAILED = "failed"        # see last_error / last_error_kind
    SENT = "sent"


#: ``last_error_kind`` of a CONFLICT whose other side is a delete made on the service
DELETED_ON_SERVICE = "deleted_on_service"


@dataclass(frozen=True)
class SyncState:
    draft_id: str
    account: str
    state: SyncStatus = SyncStatus.LOCAL
    remote_id: str | None = None
    remote_version: str | None = None
    pushed_revision: int | None = None
    #: the draft as last pushed (JSON); while there is no remote copy and a create is
    #: pending: what that create sent, to find its copy after a later local edit
    pushed_data: str | None = None
    marker: str | None = None
    create_pending: bool = False
    last_error: str | None = None
    last_error_kind: str | None = None
    last_error_field: str | None = None
    retry_at: datetime | None = None
    last_synced_at: datetime | None = None

    @classmethod
    def first(cls, draft_id: str, account: str) -> SyncState:
        """Where a draft never synced to ``account`` stands: its marker is its id."""
        return cls(draft_id=draft_id, account=account, marker=draft_id)

    def evolve(self, **changes: object) -> SyncState:
        return replace(self, **changes)  # type: ignore[arg-type]


_COLUMNS = [f.name for f in fields(SyncState)]
# An upsert, not INSERT OR REPLACE: the row is updated in place instead of deleted and
# inserted again under a new rowid (which writes the old and the new table page and the
# key's index page: more pages per commit, in every save and every sync result).
_UPSERT = (
    f"INSERT INTO sync_state({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)}) "
    f"ON CONFLICT(draft_id) DO UPDATE SET "
    f"{', '.join(f'{c} = excluded.{c}' for c in _COLUMNS if c != 'draft_id')}"
)


def select_columns(alias: str) -> str:
    """The columns of a sync state, in ``state_from_row`` order, for a query naming the
    table ``alias``."""
    return ", ".join(f"{alias}.{c}" for c in _COLUMNS)


def state_from_row(row: sqlite3.Row | tuple[object, ...]) -> SyncState:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["state"] = SyncStatus(str(values["state"]))
    values["create_pending"] = bool(values["create_pending"])
    for key in ("retry_at", "last_synced_at"):
        if values[key]:
            values[key] = datetime.fromisoformat(str(values[key]))
    return SyncState(**values)


def _to_row(s: SyncState) -> tuple[object, ...]:
    out: list[object] = []
    for name in _COLUMNS:
        value = getattr(s, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, bool):
            value = int(value)
        out.append(value)
    return tuple(out)


class SyncStates:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, draft_id: str) -> SyncState | None:
        row = self._conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM sync_state WHERE draft_id = ?", (draft_id,)
        ).fetchone()
        return None if row is None else state_from_row(row)

    def put(self, state: SyncState) -> None:
        with storage_errors(), transaction(self._conn):
            self.put_in(self._conn, state)

    @staticmethod
    def put_in(conn: sqlite3.Connection, state: SyncState) -> None:
        """Inside the caller's transaction."""
        conn.execute(_UPSERT, _to_row(state))

    @staticmethod
    def put_all_in(conn: sqlite3.Connection, states: Iterable[SyncState]) -> None:
        """Inside the caller's transaction."""
        conn.executemany(_UPSERT, [_to_row(s) for s in states])

    def all_for_account(self, account: str) -> list[SyncState]:
        rows = self._conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM sync_state WHERE account = ?", (account,)
        ).fetchall()
        return [state_from_row(r) for r in rows]
