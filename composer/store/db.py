"""Opening the draft cache: pragmas, explicit transactions, and typed storage errors.

Durability: WAL with ``synchronous=FULL`` (each commit is synced, so a saved draft
survives a power cut, not only a crash), ``fullfsync`` on macOS, foreign keys on, a
busy timeout for the second connection (the sync worker), and owner-only permissions.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from composer.errors import InvalidInputError, StorageError, StorageProblem

BUSY_TIMEOUT_MS = 5000
PAGE_SIZE = 8192


def storage_problem(exc: sqlite3.Error) -> StorageProblem:
    text = str(exc).lower()
    if "disk is full" in text or "database or disk is full" in text or "sqlite_full" in text:
        return StorageProblem.DISK_FULL
    if "locked" in text or "busy" in text:
        return StorageProblem.LOCKED
    if "readonly" in text or "read-only" in text:
        return StorageProblem.READ_ONLY
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return StorageProblem.CORRUPT
    if "no such column" in text or "no such table" in text or "vtable constructor" in text \
            or "unsupported file format" in text or "could not decode to utf-8" in text:
        # The app's own schema lost a table or column, or text it wrote as UTF-8 no
        # longer decodes: damaged (a schema change is a migration, and the tests run every
        # query against the migrated schema).
        return StorageProblem.CORRUPT
    return StorageProblem.IO


@contextmanager
def storage_errors() -> Iterator[None]:
    """Map sqlite3 failures to StorageError (the transaction has been rolled back)."""
    try:
        yield
    except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
        if isinstance(exc, sqlite3.IntegrityError):
            raise
        raise StorageError(storage_problem(exc)) from exc
    except UnicodeDecodeError as exc:
        # Text the app wrote as UTF-8 no longer decodes: the file is damaged.
        raise StorageError(StorageProblem.CORRUPT, "stored text is not UTF-8") from exc


SQLITE_MAGIC = b"SQLite format 3\x00"


def _check_place(path: Path) -> bool:
    """True if there is no database yet. Something other than a regular file where the
    database belongs (a folder, a FIFO, ...) is refused with a clear message."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return True
    if not stat.S_ISREG(mode):
        what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise InvalidInputError(
            "data-dir", f"{path} is {what}, where the draft database should be; move it "
            "away or choose another data folder (--data-dir)")
    return False


def _check_ours(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse another application's SQLite database before anything is written to it
    (not even the switch to WAL): it is left exactly as it was."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {str(r[0]) for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    if (version == 0 and tables) or (version > 0 and "drafts" not in tables):
        raise InvalidInputError(
            "data-dir", f"{path} is another application's SQLite database (it has no Mail "
            "Composer drafts); it was left untouched; choose another data folder "
            "(--data-dir)")


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the database file with the app's pragmas."""
    new = _check_place(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not new:
        with open(path, "rb") as head:
            magic = head.read(len(SQLITE_MAGIC))
        if magic and magic != SQLITE_MAGIC:
            raise sqlite3.DatabaseError("file is not a database")
    conn = sqlite3.connect(
        str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
        check_same_thread=False,
    )
    try:
        if new:
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
            if os.name == "posix":
                os.chmod(path, 0o600)
        else:
            _check_ours(conn, path)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot enable WAL (journal_mode={mode})")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA journal_size_limit=8388608")
        if sys.platform == "darwin":
            conn.execute("PRAGMA fullfsync=ON")
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any error. Inside a transaction
    already, a savepoint: the inner work commits with the outer one, or not at all."""
    nested = conn.in_transaction
    if nested:
        with _savepoint(conn):
            yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


@contextmanager
def _savepoint(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("SAVEPOINT nested")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK TO nested")
            conn.execute("RELEASE nested")
        raise
    else:
        conn.execute("RELEASE nested")


def checkpoint(conn: sqlite3.Connection) -> None:
    """Fold the WAL back into the database and truncate it (after large writes)."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
