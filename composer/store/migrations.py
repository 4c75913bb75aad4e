"""Schema migrations on ``PRAGMA user_version``: one function per version, in order.

Each runs in one exclusive transaction together with the version bump, so a crash
mid-migration leaves the database at the previous version. Every version has a real
old database file in ``tests/fixtures/`` that the migration tests upgrade.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from composer.errors import StorageError, StorageProblem


def _run(conn: sqlite3.Connection, script: str) -> None:
    """Execute each statement inside the caller's transaction (``executescript`` would
    commit first, breaking the all-or-nothing migration)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _to_v1(conn: sqlite3.Connection) -> None:
    _run(conn,
        """
        CREATE TABLE drafts (
            id TEXT PRIMARY KEY,
            revision INTEGER NOT NULL,
            status TEXT NOT NULL,
            account TEXT,
            subject TEXT NOT NULL DEFAULT '',
            recipients TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT,
            data TEXT NOT NULL
        );
        CREATE INDEX drafts_by_updated ON drafts(updated_at DESC);
        CREATE TABLE revisions (
            draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            revision INTEGER NOT NULL,
            saved_at TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (draft_id, revision)
        ) WITHOUT ROWID;
        CREATE TABLE blobs (
            id INTEGER PRIMARY KEY,
            sha256 TEXT UNIQUE,
            size INTEGER NOT NULL,
            data BLOB NOT NULL
        );
        CREATE TABLE revision_blobs (
            draft_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            PRIMARY KEY (draft_id, revision, sha256),
            FOREIGN KEY (draft_id, revision) REFERENCES revisions(draft_id, revision)
                ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE INDEX revision_blobs_by_sha ON revision_blobs(sha256);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            draft_id TEXT NOT NULL,
            op TEXT NOT NULL,
            revision INTEGER,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            not_before TEXT,
            last_error TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX outbox_by_draft ON outbox(draft_id, id);
        CREATE TABLE recipient_history (
            addr TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            use_count INTEGER NOT NULL DEFAULT 0,
            last_used TEXT NOT NULL
        );
        """
    )


def _to_v2(conn: sqlite3.Connection) -> None:
    """Full-text search over subject, recipients and body; per-draft sync state."""
    _run(conn,
        """
        CREATE VIRTUAL TABLE drafts_fts USING fts5(
            subject, recipients, body, tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TABLE sync_state (
            draft_id TEXT PRIMARY KEY REFERENCES drafts(id) ON DELETE CASCADE,
            account TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'local',
            remote_id TEXT,
            remote_version TEXT,
            pushed_revision INTEGER,
            pushed_data TEXT,
            marker TEXT,
            create_pending INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_error_kind TEXT,
            last_error_field TEXT,
            retry_at TEXT,
            last_synced_at TEXT
        );
        CREATE INDEX drafts_live_by_updated ON drafts(updated_at DESC)
            WHERE deleted_at IS NULL;
        ALTER TABLE drafts ADD COLUMN fts_rowid INTEGER;
        CREATE UNIQUE INDEX drafts_by_fts_rowid ON drafts(fts_rowid);
        """
    )
    reindex_all(conn)


def reindex_all(conn: sqlite3.Connection) -> None:
    """Index every draft for search, oldest save first (see store/search.py)."""
    from composer.store.codec import search_text_from_json

    conn.execute("DELETE FROM drafts_fts")
    conn.execute("UPDATE drafts SET fts_rowid = NULL")
    rows = conn.execute(
        "SELECT id, subject, recipients, data FROM drafts ORDER BY updated_at, rowid"
    ).fetchall()
    for n, (draft_id, subject, recipients, data) in enumerate(rows, start=1):
        try:
            body = search_text_from_json(data)
        except (ValueError, KeyError, TypeError):
            body = ""
        conn.execute(
            "INSERT INTO drafts_fts(rowid, subject, recipients, body) VALUES (?, ?, ?, ?)",
            (n, subject, recipients, body),
        )
        conn.execute("UPDATE drafts SET fts_rowid = ? WHERE id = ?", (n, draft_id))


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_to_v1, _to_v2]
LATEST = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to ``LATEST``; returns the version found before migrating."""
    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if found < 0:
        raise StorageError(StorageProblem.CORRUPT, f"schema version {found}")
    if found > LATEST:
        raise StorageError(
            StorageProblem.READ_ONLY,
            f"the draft database was written by a newer Mail Composer (schema {found}, this "
            f"version knows {LATEST}); update the app",
        )
    for version in range(found + 1, LATEST + 1):
        conn.execute("BEGIN EXCLUSIVE")
        try:
            MIGRATIONS[version - 1](conn)
            conn.execute(f"PRAGMA user_version={version}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return found
