"""Recipient history: the addresses the user wrote to, for suggestions while typing.

``DraftStore.save`` records a draft's new recipients in its own transaction
(``remember_in``); the window reads suggestions and forgets an address on request.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from composer.domain.models import Draft
from composer.store.db import storage_errors, transaction


@dataclass(frozen=True)
class RecipientSuggestion:
    addr: str
    name: str
    use_count: int
    last_used: datetime


class Recipients:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def suggest(self, prefix: str, limit: int = 8) -> list[RecipientSuggestion]:
        """Addresses used before that start with ``prefix`` (address or name words),
        most used first, then most recent."""
        like = prefix.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with storage_errors():
            rows = self._conn.execute(
                "SELECT addr, name, use_count, last_used FROM recipient_history "
                "WHERE addr LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\' "
                "OR lower(name) LIKE ? ESCAPE '\\' "
                "ORDER BY use_count DESC, last_used DESC LIMIT ?",
                (like + "%", like + "%", "% " + like + "%", limit),
            ).fetchall()
        return [RecipientSuggestion(r[0], r[1], int(r[2]), datetime.fromisoformat(r[3]))
                for r in rows]

    def forget(self, addr: str) -> bool:
        with storage_errors(), transaction(self._conn):
            return self._conn.execute(
                "DELETE FROM recipient_history WHERE addr = ?", (addr.lower(),)
            ).rowcount > 0

    def remember_in(self, saved: Draft, previous: Draft | None, stamp: str) -> None:
        """Inside the caller's transaction (a save): count the recipients ``saved`` added
        since ``previous``."""
        before = {a.addr.lower() for a in previous.recipients() if a.valid} if previous else set()
        added = [a for a in saved.recipients() if a.valid and a.addr.lower() not in before]
        self._conn.executemany(
            "INSERT INTO recipient_history(addr, name, use_count, last_used) VALUES (?, ?, 1, ?) "
            "ON CONFLICT(addr) DO UPDATE SET use_count = use_count + 1, last_used = excluded."
            "last_used, name = CASE WHEN excluded.name != '' THEN excluded.name ELSE name END",
            [(a.addr.lower(), a.name, stamp) for a in added],
        )
