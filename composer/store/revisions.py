"""A draft's history: its saved revisions, read back one by one, and thinned as it grows.

``DraftStore.save`` writes each revision in its own transaction and calls ``thin_in``
there; ``DraftStore.restore`` reads an old revision back through ``revision``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from composer.domain.models import Draft
from composer.errors import NotFoundError
from composer.store.codec import draft_from_json, strip_tags
from composer.store.db import storage_errors

#: revisions always kept per draft; older ones are thinned (see ``thin_in``)
KEEP_RECENT = 20
KEEP_OLD = 60


@dataclass(frozen=True)
class RevisionInfo:
    revision: int
    saved_at: datetime
    subject: str
    preview: str


class Revisions:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def history(self, draft_id: str) -> list[RevisionInfo]:
        """Newest first. A draft that is not stored (deleted ones are) raises NotFoundError."""
        with storage_errors():
            found = self._conn.execute(
                "SELECT 1 FROM drafts WHERE id = ?", (draft_id,)
            ).fetchone()
        if found is None:
            raise NotFoundError("draft", draft_id)
        with storage_errors():
            rows = self._conn.execute(
                "SELECT revision, saved_at, json_extract(data, '$.subject'), "
                "substr(coalesce(nullif(json_extract(data, '$.text'), ''), "
                "json_extract(data, '$.html')), 1, 400) "
                "FROM revisions WHERE draft_id = ? ORDER BY revision DESC",
                (draft_id,),
            ).fetchall()
        return [
            RevisionInfo(int(r[0]), datetime.fromisoformat(r[1]), str(r[2] or ""),
                         " ".join(strip_tags(str(r[3] or "")).split())[:200])
            for r in rows
        ]

    def revision(self, draft_id: str, revision: int) -> Draft:
        with storage_errors():
            row = self._conn.execute(
                "SELECT data FROM revisions WHERE draft_id = ? AND revision = ?",
                (draft_id, revision),
            ).fetchone()
        if row is None:
            raise NotFoundError("revision", f"{draft_id} #{revision}")
        return draft_from_json(str(row[0]))

    def thin_in(self, draft_id: str, now: datetime) -> None:
        """Inside the caller's transaction: keep the newest KEEP_RECENT revisions; of older
        ones keep one per hour for a day, one per day for a month, one per week before
        that, at most KEEP_OLD."""
        rows = self._conn.execute(
            "SELECT revision, saved_at FROM revisions WHERE draft_id = ? "
            "ORDER BY revision DESC LIMIT -1 OFFSET ?",
            (draft_id, KEEP_RECENT),
        ).fetchall()
        seen: set[tuple[str, int]] = set()
        drop: list[int] = []
        kept = 0
        for revision, saved_at in rows:
            age = now - datetime.fromisoformat(saved_at)
            if age <= timedelta(days=1):
                bucket = ("h", int(age.total_seconds() // 3600))
            elif age <= timedelta(days=30):
                bucket = ("d", age.days)
            else:
                bucket = ("w", age.days // 7)
            if bucket in seen or kept >= KEEP_OLD:
                drop.append(int(revision))
            else:
                seen.add(bucket)
                kept += 1
        self._conn.executemany(
            "DELETE FROM revisions WHERE draft_id = ? AND revision = ?",
            [(draft_id, r) for r in drop],
        )
