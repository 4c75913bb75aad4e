"""Opening the cache safely: a damaged or foreign file is moved aside, never destroyed.

If the file at the data path cannot be opened as our database, it is renamed to
``<name>.damaged-<UTC timestamp>`` (with its ``-wal``/``-shm``), a fresh database is
created, and every row that can still be read from the damaged copy is copied into it,
table by table, row by row (a bad page loses the rows on it, not the rest). The caller
gets a ``RecoveryReport`` to tell the user what happened.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from composer.domain.models import utcnow
from composer.errors import StorageError, StorageProblem
from composer.store import pages
from composer.store.codec import draft_from_json, recipients_summary
from composer.store.drafts import DraftStore
from composer.store.migrations import LATEST, reindex_all

Clock = Callable[[], datetime]
#: What reading a damaged file can raise: SQLite's errors, and a UnicodeDecodeError when
#: SQLite's own message quotes damaged bytes.
_FAILED = (sqlite3.Error, UnicodeDecodeError)

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
    drafts_lost: int = 0


def open_store(path: Path, clock: Clock = utcnow) -> tuple[DraftStore, RecoveryReport | None]:
    try:
        return DraftStore.open(path, clock), None
    except StorageError as exc:
        if exc.problem is not StorageProblem.CORRUPT:
            raise
        reason = str(exc.__cause__ or exc)
    return _recover(path, clock, reason)


def recover_store(path: Path, clock: Clock = utcnow, reason: str = "damage found by a query"
                  ) -> tuple[DraftStore, RecoveryReport]:
    """For damage found after opening (a query failed with CORRUPT): close the store
    first, then call this to move the file aside, salvage it and open a fresh one."""
    return _recover(path, clock, reason)


def _recover(path: Path, clock: Clock, reason: str) -> tuple[DraftStore, RecoveryReport]:
    moved = _move_aside(path, clock())
    store = DraftStore.open(path, clock)
    recovered, lost, drafts_lost = _salvage(moved, store)
    drafts = store.count()
    return store, RecoveryReport(moved, reason, drafts, recovered, lost, drafts_lost)


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


def _salvage(damaged: Path, store: DraftStore) -> tuple[int, int, int]:
    """Copy what can be read; returns (rows recovered, rows known lost, drafts lost).

    First through SQL, table by table and row by row; then straight from the pages of
    the file (``pages.records``), for rows SQL could not reach: drafts (also rebuilt from
    their newest saved revision), revisions and attachment blobs."""
    dst = store.connection
    recovered, lost, expected = _salvage_sql(damaged, dst)
    dst.execute("BEGIN IMMEDIATE")
    try:
        found, known = _salvage_pages(damaged, dst)
        recovered += found
        _reindex(dst)
        dst.execute("COMMIT")
    except BaseException:
        dst.execute("ROLLBACK")
        raise
    drafts = int(dst.execute("SELECT count(*) FROM drafts").fetchone()[0])
    drafts_lost = max(expected, len(known | _ids(dst))) - drafts
    return recovered, lost, max(drafts_lost, 0)


def _ids(dst: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in dst.execute("SELECT id FROM drafts")}


def _salvage_sql(damaged: Path, dst: sqlite3.Connection) -> tuple[int, int, int]:
    """The SQL pass: (rows recovered, rows lost, drafts the damaged file says it has)."""
    try:
        src = sqlite3.connect(f"{damaged.absolute().as_uri()}?mode=ro", uri=True)
    except _FAILED:
        return 0, 0, 0
    # Damaged text is kept with U+FFFD rather than losing its row.
    src.text_factory = lambda raw: raw.decode("utf-8", "replace")
    recovered = lost = expected = 0
    try:
        try:
            version = int(src.execute("PRAGMA user_version").fetchone()[0])
            names = {r[0] for r in src.execute("SELECT name FROM sqlite_master")}
        except _FAILED:
            return 0, 0, 0
        if version < 1 or version > LATEST:
            return 0, 0, 0
        try:
            expected = int(src.execute("SELECT count(*) FROM drafts").fetchone()[0])
        except _FAILED:
            expected = 0
        dst.execute("BEGIN IMMEDIATE")
        try:
            for table in _TABLES:
                if table not in names:
                    continue
                r, lo = _copy_table(src, dst, table)
                recovered += r
                lost += lo
        except BaseException:
            dst.execute("ROLLBACK")
            raise
        dst.execute("COMMIT")
    finally:
        src.close()
    return recovered, lost, expected


def _salvage_pages(damaged: Path, dst: sqlite3.Connection) -> tuple[int, set[str]]:
    """The page pass: (rows added, ids of every draft seen in the file)."""
    newest: dict[str, tuple[int, str, str | None]] = {}  # id -> (revision, json, deleted_at)
    revisions: list[tuple[str, int, str, str]] = []
    blobs: list[tuple[str, int, bytes]] = []
    for record in pages.records(damaged):
        if len(record) == 4 and isinstance(record[1], str) and isinstance(record[3], bytes) \
                and len(record[1]) == 64 and isinstance(record[2], int):
            if hashlib.sha256(record[3]).hexdigest() == record[1]:
                blobs.append((record[1], record[2], record[3]))
            continue
        for value in record:
            if not (isinstance(value, str) and value.startswith('{"id":')):
                continue
            try:
                draft = draft_from_json(value)
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            is_row = len(record) >= 10 and record[0] == draft.id
            deleted = record[8] if is_row and isinstance(record[8], str) else None
            if len(record) == 4 and record[0] == draft.id and isinstance(record[1], int) \
                    and isinstance(record[2], str):
                revisions.append((draft.id, record[1], record[2], value))
            best = newest.get(draft.id)
            if best is None or draft.revision > best[0] or (
                    draft.revision == best[0] and is_row):
                newest[draft.id] = (draft.revision, value, deleted)
    added = 0
    have = _ids(dst)
    for draft_id, (_, data, deleted) in newest.items():
        if draft_id in have:
            continue
        draft = draft_from_json(data)
        dst.execute(
            "INSERT OR IGNORE INTO drafts(id, revision, status, account, subject, recipients, "
            "created_at, updated_at, deleted_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (draft.id, draft.revision, draft.status.value, draft.account, draft.subject,
             recipients_summary(draft), draft.created_at.isoformat(),
             draft.updated_at.isoformat(), deleted, data))
        dst.execute("INSERT OR IGNORE INTO revisions(draft_id, revision, saved_at, data) "
                    "VALUES (?, ?, ?, ?)", (draft.id, draft.revision,
                                            draft.updated_at.isoformat(), data))
        added += 1
    have = _ids(dst)
    for row in revisions:
        if row[0] in have:
            added += dst.execute("INSERT OR IGNORE INTO revisions(draft_id, revision, saved_at, "
                                 "data) VALUES (?, ?, ?, ?)", row).rowcount
    for sha, size, content in blobs:
        added += dst.execute("INSERT OR IGNORE INTO blobs(sha256, size, data) VALUES (?, ?, ?)",
                             (sha, size, content)).rowcount
    return added, set(newest)


def _copy_table(src: sqlite3.Connection, dst: sqlite3.Connection, table: str) -> tuple[int, int]:
    try:
        columns = [r[1] for r in dst.execute(f"PRAGMA table_info({table})")]
        src_columns = {r[1] for r in src.execute(f"PRAGMA table_info({table})")}
    except _FAILED:
        return 0, 0
    columns = [c for c in columns if c in src_columns]
    cols = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    recovered = lost = 0
    keyed = table in ("blobs", "outbox", "drafts")
    if keyed:
        try:
            bounds = src.execute(f"SELECT min(rowid), max(rowid) FROM {table}").fetchone()
        except _FAILED:
            bounds = None
        if bounds and bounds[0] is not None and int(bounds[1]) - int(bounds[0]) < 1_000_000:
            for rowid in range(int(bounds[0]), int(bounds[1]) + 1):
                try:
                    row = src.execute(
                        f"SELECT {cols} FROM {table} WHERE rowid = ?", (rowid,)
                    ).fetchone()
                except _FAILED:
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
            except _FAILED:
                lost += 1
                break
            if row is None:
                break
            if _insert(dst, table, cols, marks, row):
                recovered += 1
            else:
                lost += 1
    except _FAILED:
        lost += 1
    return recovered, lost


def _readable(table: str, cols: str, row: tuple[object, ...]) -> bool:
    """Whether a salvaged drafts or revisions row reads back as a draft (damaged text
    arrives with U+FFFD and may not): a row that would fail every later read is lost,
    not copied."""
    if table not in ("drafts", "revisions"):
        return True
    values = dict(zip(cols.split(", "), row, strict=True))
    try:
        draft = draft_from_json(str(values["data"]))
        if table == "drafts":
            if draft.id != values.get("id"):
                return False
            for stamp in ("created_at", "updated_at"):
                datetime.fromisoformat(str(values[stamp]))
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
        return False
    return True


def _insert(dst: sqlite3.Connection, table: str, cols: str, marks: str, row: tuple[object, ...]
            ) -> bool:
    if not _readable(table, cols, row):
        return False
    try:
        dst.execute(f"INSERT OR IGNORE INTO {table}({cols}) VALUES ({marks})", row)
    except _FAILED:
        return False
    return True


def _reindex(dst: sqlite3.Connection) -> None:
    reindex_all(dst)
