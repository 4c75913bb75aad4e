"""Opening the draft cache: pragmas, explicit transactions, and typed storage errors.

Durability: WAL with ``synchronous=FULL`` (each commit is synced, so a saved draft
survives a power cut, not only a crash), ``fullfsync`` on macOS, foreign keys on, a
busy timeout for the second connection (the sync worker), and owner-only permissions.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from composer.errors import StorageError, StorageProblem

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


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the database file with the app's pragmas."""
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
        check_same_thread=False,
    )
    try:
        if new:
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
            if os.name == "posix":
                os.chmod(path, 0o600)
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
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def checkpoint(conn: sqlite3.Connection) -> None:
    """Fold the WAL back into the database and truncate it (after large writes)."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
