"""Opening the cache safely: a damaged or foreign file is moved aside, never destroyed.

If the file at the data path cannot be opened as our database, it is renamed to
``<name>.damaged-<UTC timestamp>`` (with its ``-wal``/``-shm``), a fresh database is
created, and every row that can still be read from the damaged copy is copied into it,
table by table, row by row (a bad page loses the rows on it, not the rest). The caller
gets a ``RecoveryReport`` to tell the user what happened.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from composer.domain.models import utcnow
from composer.errors import StorageError, StorageProblem
from composer.store.drafts import DraftStore
from composer.store.migrations import LATEST, reindex_all

Clock = Callable[[], datetime]

# Tables copied back, parents first; drafts_fts is rebuilt from the drafts.
_TABLES = ["drafts", "revisions", "blobs", "revision_blobs", "recipient_history", "outbox",
           "sync_state"]


@dataclass(frozen=True)
class RecoveryReport:
    moved_to: Path
    reason: str
    drafts_recovered: int
    rows_recovered: int
    rows_lost: int


def open_store(path: Path, clock: Clock = utcnow) -> tuple[DraftStore, RecoveryReport | None]:
    try:
        return DraftStore.open(path, clock), None
    except StorageError as exc:
        if exc.problem is not StorageProblem.CORRUPT:
            raise
        reason = str(exc.__cause__ or exc)
    moved = _move_aside(path, clock())
    store = DraftStore.open(path, clock)
    recovered, lost = _salvage(moved, store)
    drafts = store.count()
    return store, RecoveryReport(moved, reason, drafts, recovered, lost)


def _move_aside(path: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        n += 1
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def _salvage(damaged: Path, store: DraftStore) -> tuple[int, int]:
    """Copy what can be read; returns (rows recovered, rows known lost)."""
    try:
        src = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
    except sqlite3.Error:
        return 0, 0
    recovered = lost = 0
    dst = store.connection
    try:
        try:
            version = int(src.execute("PRAGMA user_version").fetchone()[0])
            names = {r[0] for r in src.execute("SELECT name FROM sqlite_master")}
        except sqlite3.Error:
            return 0, 0
        if version < 1 or version > LATEST:
            return 0, 0
        dst.execute("BEGIN IMMEDIATE")
        for table in _TABLES:
            if table not in names:
                continue
            r, lo = _copy_table(src, dst, table)
            recovered += r
            lost += lo
        _reindex(dst)
        dst.execute("COMMIT")
    finally:
        src.close()
    return recovered, lost


def _copy_table(src: sqlite3.Connection, dst: sqlite3.Connection, table: str) -> tuple[int, int]:
    try:
        columns = [r[1] for r in dst.execute(f"PRAGMA table_info({table})")]
        src_columns = {r[1] for r in src.execute(f"PRAGMA table_info({table})")}
    except sqlite3.Error:
        return 0, 0
    columns = [c for c in columns if c in src_columns]
    cols = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    recovered = lost = 0
    keyed = table in ("blobs", "outbox", "drafts")
    if keyed:
        try:
            bounds = src.execute(f"SELECT min(rowid), max(rowid) FROM {table}").fetchone()
        except sqlite3.Error:
            bounds = None
        if bounds and bounds[0] is not None:
            for rowid in range(int(bounds[0]), int(bounds[1]) + 1):
                try:
                    row = src.execute(
                        f"SELECT {cols} FROM {table} WHERE rowid = ?", (rowid,)
                    ).fetchone()
                except sqlite3.Error:
                    lost += 1
                    continue
                if row is None:
                    continue
                if _insert(dst, table, cols, marks, row):
                    recovered += 1
                else:
                    lost += 1
            return recovered, lost
    try:
        cursor = src.execute(f"SELECT {cols} FROM {table}")
        while True:
            try:
                row = cursor.fetchone()
            except sqlite3.Error:
                lost += 1
                break
            if row is None:
                break
            if _insert(dst, table, cols, marks, row):
                recovered += 1
            else:
                lost += 1
    except sqlite3.Error:
        lost += 1
    return recovered, lost


def _insert(dst: sqlite3.Connection, table: str, cols: str, marks: str, row: tuple[object, ...]
            ) -> bool:
    try:
        dst.execute(f"INSERT OR IGNORE INTO {table}({cols}) VALUES ({marks})", row)
    except sqlite3.Error:
        return False
    return True


def _reindex(dst: sqlite3.Connection) -> None:
    reindex_all(dst)
