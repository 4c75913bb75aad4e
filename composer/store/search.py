"""Full-text search (FTS5) over subject, recipients and body, newest first, fast.

The FTS row id of a draft is a *save sequence*: every save moves the draft to a new,
higher row id (kept in ``drafts.fts_rowid``). FTS5 walks its matches in row id order,
so "newest 100 matches" stops after 100 hits even when a word appears in every one of
100,000 drafts. Deleted drafts are taken out of the index (and put back on undelete).
"""

from __future__ import annotations

import sqlite3


def fts_query(text: str) -> str | None:
    """User search text -> an FTS5 query: every word must appear (as a prefix)."""
    words = [w for w in text.replace('"', " ").split() if w]
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


def unindex(conn: sqlite3.Connection, draft_id: str) -> None:
    row = conn.execute("SELECT fts_rowid FROM drafts WHERE id = ?", (draft_id,)).fetchone()
    if row is not None and row[0] is not None:
        conn.execute("DELETE FROM drafts_fts WHERE rowid = ?", (row[0],))
        conn.execute("UPDATE drafts SET fts_rowid = NULL WHERE id = ?", (draft_id,))


def index(conn: sqlite3.Connection, draft_id: str, subject: str, recipients: str,
          body: str) -> None:
    """(Re)index a draft as the most recently saved one."""
    unindex(conn, draft_id)
    top = conn.execute("SELECT max(fts_rowid) FROM drafts").fetchone()[0]
    rowid = (top or 0) + 1
    conn.execute(
        "INSERT INTO drafts_fts(rowid, subject, recipients, body) VALUES (?, ?, ?, ?)",
        (rowid, subject, recipients, body),
    )
    conn.execute("UPDATE drafts SET fts_rowid = ? WHERE id = ?", (rowid, draft_id))


def matching_sql(query: str) -> tuple[str, list[object]]:
    """A sub-select of (fts rowid) for ``query``, newest first, to join on drafts."""
    return ("SELECT rowid FROM drafts_fts WHERE drafts_fts MATCH ? ORDER BY rowid DESC",
            [query])
