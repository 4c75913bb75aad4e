"""The draft cache: every save is one transaction of draft row + revision + outbox entry.

``DraftStore`` is used from one thread at a time (the GUI's storage worker, the sync
worker and the command line each open their own). Reads never parse the JSON of every
draft: ``summaries`` and search use the summary columns and the FTS index.

The store keeps the draft life cycle and composes the rest on its one connection:
``blobs`` (attachment files), ``outbox``, ``sync_states``, ``revisions`` (history),
``recipients`` (recipient history) and ``claims`` (the sync engine's outbox claims).
A save calls their in-transaction methods, so it stays one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from composer.domain.addresses import check_header_text
from composer.domain.context import check_context
from composer.domain.models import Draft, DraftStatus, utcnow
from composer.errors import AttachmentError, AttachmentProblem, NotFoundError
from composer.store import migrations
from composer.store import search as fts
from composer.store.blobs import BlobStore, Progress
from composer.store.claims import Claims
from composer.store.codec import (
    body_search_text,
    draft_from_json,
    draft_to_json,
    recipients_summary,
    strip_tags,
)
from composer.store.db import connect, storage_errors, transaction
from composer.store.outbox import Op, Outbox, enqueue, enqueue_push
from composer.store.recipients import Recipients
from composer.store.revisions import KEEP_RECENT, Revisions
from composer.store.sync_state import SyncState, SyncStates, SyncStatus

Clock = Callable[[], datetime]

@dataclass(frozen=True)
class DraftSummary:
    """One row of the draft list: enough to show it, without loading the body."""

    id: str
    subject: str
    recipients: str
    account: str | None
    status: DraftStatus
    updated_at: datetime
    revision: int
    send_at: datetime | None
    attachment_count: int
    sync: SyncStatus | None
    sync_error: str | None
    sync_error_kind: str | None = None
    retry_at: datetime | None = None
    sync_field: str | None = None
    last_synced_at: datetime | None = None
    #: the zone the send-later time was chosen in (shown in it, named)
    send_tz: str | None = None


_SUMMARY_COLUMNS = (
    "d.id, d.subject, d.recipients, d.account, d.status, d.updated_at, d.revision, "
    "json_extract(d.data, '$.send_at'), json_array_length(d.data, '$.attachments'), "
    "s.state, s.last_error, s.last_error_kind, s.retry_at, s.last_error_field, s.last_synced_at, "
    "json_extract(d.data, '$.tz')"
)


def _summary(row: tuple[object, ...]) -> DraftSummary:
    return DraftSummary(
        id=str(row[0]),
        subject=str(row[1]),
        recipients=str(row[2]),
        account=None if row[3] is None else str(row[3]),
        status=DraftStatus(str(row[4])),
        updated_at=datetime.fromisoformat(str(row[5])),
        revision=int(row[6]),  # type: ignore[call-overload]
        send_at=datetime.fromisoformat(str(row[7])) if row[7] else None,
        attachment_count=int(row[8] or 0),  # type: ignore[call-overload]
        sync=SyncStatus(str(row[9])) if row[9] else None,
        sync_error=None if row[10] is None else str(row[10]),
        sync_error_kind=None if row[11] is None else str(row[11]),
        retry_at=datetime.fromisoformat(str(row[12])) if row[12] else None,
        sync_field=None if row[13] is None else str(row[13]),
        last_synced_at=datetime.fromisoformat(str(row[14])) if row[14] else None,
        send_tz=str(row[15]) if row[15] else None,
    )


class DraftStore:
    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock = utcnow) -> None:
        self._conn = conn
        self.path = path
        self._clock = clock
        self.blobs = BlobStore(conn)
        self.outbox = Outbox(conn)
        self.sync_states = SyncStates(conn)
        self.revisions = Revisions(conn)
        self.recipients = Recipients(conn)
        self.claims = Claims(conn)

    @classmethod
    def open(cls, path: Path, clock: Clock = utcnow) -> DraftStore:
        """Open and migrate. A damaged file raises StorageError(CORRUPT): use
        ``composer.store.recovery.open_store`` to move it aside and recover."""
        with storage_errors():
            conn = connect(path)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                migrations.migrate(conn)
            except BaseException:
                conn.close()
                raise
        return cls(conn, path, clock)

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn

    def close(self) -> None:
        self._conn.close()

    def _now(self) -> datetime:
        return self._clock()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Several store operations as one transaction: all of them, or (on any error,
        a crash included) none. The operations inside nest as savepoints."""
        with storage_errors(), transaction(self._conn):
            yield

    # -- reading ------------------------------------------------------------------------
    def get(self, draft_id: str, *, include_deleted: bool = False) -> Draft:
        with storage_errors():
            row = self._conn.execute(
                "SELECT data, deleted_at FROM drafts WHERE id = ?", (draft_id,)
            ).fetchone()
        if row is None or (row[1] is not None and not include_deleted):
            raise NotFoundError("draft", draft_id)
        return draft_from_json(str(row[0]))

    def exists(self, draft_id: str) -> bool:
        with storage_errors():
            return self._conn.execute(
                "SELECT 1 FROM drafts WHERE id = ? AND deleted_at IS NULL", (draft_id,)
            ).fetchone() is not None

    def summaries(
        self, *, search: str | None = None, limit: int = 100, offset: int = 0,
        deleted: bool = False, status: DraftStatus | None = None,
    ) -> list[DraftSummary]:
        """Newest first; ``search`` matches subject, recipients and body (all words)."""
        query = fts.fts_query(search) if search else None
        if query is not None and not deleted:
            return self._search(query, limit, offset, status)
        # (searching deleted drafts is rare: a plain filter is fine there)
        where = ["d.deleted_at IS NOT NULL" if deleted else "d.deleted_at IS NULL"]
        params: list[object] = []
        if status is not None:
            where.append("d.status = ?")
            params.append(status.value)
        if query is not None:
            where.append("d.fts_rowid IN (SELECT rowid FROM drafts_fts WHERE drafts_fts MATCH ?)")
            params.append(query)
        sql = (
            f"SELECT {_SUMMARY_COLUMNS} FROM drafts d LEFT JOIN sync_state s ON s.draft_id = d.id "
            f"WHERE {' AND '.join(where)} ORDER BY d.updated_at DESC LIMIT ? OFFSET ?"
        )
        with storage_errors():
            rows = self._conn.execute(sql, (*params, limit, offset)).fetchall()
        return [_summary(r) for r in rows]

    def _search(self, query: str, limit: int, offset: int,
                status: DraftStatus | None) -> list[DraftSummary]:
        """Matches in save order, newest first: stops after ``limit`` hits (see search.py)."""
        out: list[DraftSummary] = []
        skipped = 0
        batch = max(limit, 50)
        position = 0
        sub, params = fts.matching_sql(query)
        with storage_errors():
            while len(out) < limit:
                rows = self._conn.execute(
                    f"SELECT {_SUMMARY_COLUMNS} FROM ({sub} LIMIT ? OFFSET ?) f "
                    "JOIN drafts d ON d.fts_rowid = f.rowid "
                    "LEFT JOIN sync_state s ON s.draft_id = d.id "
                    "WHERE d.deleted_at IS NULL ORDER BY f.rowid DESC",
                    (*params, batch, position),
                ).fetchall()
                if not rows:
                    break
                position += batch
                for row in rows:
                    summary = _summary(row)
                    if status is not None and summary.status is not status:
                        continue
                    if skipped < offset:
                        skipped += 1
                        continue
                    out.append(summary)
                    if len(out) == limit:
                        break
        return out

    def summary(self, draft_id: str) -> DraftSummary:
        with storage_errors():
            row = self._conn.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM drafts d LEFT JOIN sync_state s "
                "ON s.draft_id = d.id WHERE d.id = ?",
                (draft_id,),
            ).fetchone()
        if row is None:
            raise NotFoundError("draft", draft_id)
        return _summary(row)

    def count(self, *, search: str | None = None, status: DraftStatus | None = None) -> int:
        where = ["deleted_at IS NULL"]
        params: list[object] = []
        if status is not None:
            where.append("status = ?")
            params.append(status.value)
        query = fts.fts_query(search) if search else None
        if query is not None:
            where.append("fts_rowid IN (SELECT rowid FROM drafts_fts WHERE drafts_fts MATCH ?)")
            params.append(query)
        with storage_errors():
            row = self._conn.execute(
                f"SELECT count(*) FROM drafts WHERE {' AND '.join(where)}", params
            ).fetchone()
        return int(row[0])

    # -- writing ------------------------------------------------------------------------
    def save(self, draft: Draft) -> Draft:
        """Store ``draft`` as a new revision (a no-op when nothing the user wrote changed).

        One transaction: draft row, revision, search index, recipient history, outbox.
        """
        check_header_text("subject", draft.subject)
        check_header_text("from", draft.from_addr)
        check_context(draft.context)
        for sha in {a.sha256 for a in draft.attachments}:
            if not self.blobs.exists(sha):
                raise AttachmentError(AttachmentProblem.NOT_ATTACHED, sha[:12])
        with storage_errors(), transaction(self._conn):
            row = self._conn.execute(
                "SELECT data, deleted_at FROM drafts WHERE id = ?", (draft.id,)
            ).fetchone()
            current = draft_from_json(str(row[0])) if row is not None else None
            if current is not None and row[1] is None and \
                    current.content_key() == draft.content_key() and \
                    current.status == draft.status:
                return current
            now = self._now()
            saved = draft.evolve(
                revision=(current.revision if current else 0) + 1,
                updated_at=now,
                created_at=current.created_at if current else draft.created_at,
            )
            self._write(saved, current, now)
        return saved

    def _write(self, saved: Draft, previous: Draft | None, now: datetime) -> None:
        data = draft_to_json(saved)
        stamp = now.isoformat()
        recipients = recipients_summary(saved)
        if previous is None:
            self._conn.execute(
                "INSERT INTO drafts(id, revision, status, account, subject, recipients, "
                "created_at, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (saved.id, saved.revision, saved.status.value, saved.account, saved.subject,
                 recipients, saved.created_at.isoformat(), stamp, data),
            )
        else:
            self._conn.execute(
                "UPDATE drafts SET revision = ?, status = ?, account = ?, subject = ?, "
                "recipients = ?, updated_at = ?, deleted_at = NULL, data = ? WHERE id = ?",
                (saved.revision, saved.status.value, saved.account, saved.subject, recipients,
                 stamp, data, saved.id),
            )
        fts.index(self._conn, saved.id, saved.subject, recipients, body_search_text(saved))
        self._conn.execute(
            "INSERT INTO revisions(draft_id, revision, saved_at, data) VALUES (?, ?, ?, ?)",
            (saved.id, saved.revision, stamp, data),
        )
        self._conn.executemany(
            "INSERT OR IGNORE INTO revision_blobs(draft_id, revision, sha256) VALUES (?, ?, ?)",
            [(saved.id, saved.revision, a.sha256) for a in saved.attachments],
        )
        self.recipients.remember_in(saved, previous, stamp)
        self._track_sync(saved, previous, stamp)
        if saved.revision > KEEP_RECENT and saved.revision % 10 == 0:
            self.revisions.thin_in(saved.id, now)

    def _track_sync(self, saved: Draft, previous: Draft | None, stamp: str) -> None:
        if saved.status is not DraftStatus.DRAFT:
            return
        state = self.sync_states.get(saved.id)
        if saved.account is None:
            if state is not None and state.remote_id is None:
                self._conn.execute("DELETE FROM sync_state WHERE draft_id = ?", (saved.id,))
            return
        if state is not None and state.account != saved.account and state.remote_id:
            # The draft moved to another account: the copy on the old service is left
            # there (it is the user's data on that service) and the draft starts afresh
            # on the new one.
            state = None
        if state is None:
            if not _has_content(saved):
                return  # a new empty draft stays here until something is written in it
            state = SyncState.first(saved.id, saved.account)
        elif state.state is SyncStatus.CONFLICT:
            return  # edits wait until the user resolves the conflict (sync/conflicts.py)
        SyncStates.put_in(self._conn, state.evolve(state=SyncStatus.PENDING))
        enqueue_push(self._conn, saved.id, saved.revision, stamp)

    def attach_file(self, draft_id: str, path: Path, progress: Progress | None = None) -> Draft:
        """Add a file to a saved draft. Refused files change nothing."""
        draft = self.get(draft_id)
        attachment = self.blobs.put_file(path, progress=progress)
        return self.save(draft.evolve(attachments=(*draft.attachments, attachment)))

    def remove_attachment(self, draft_id: str, name: str) -> Draft:
        draft = self.get(draft_id)
        remaining = tuple(a for a in draft.attachments if a.name != name)
        if len(remaining) == len(draft.attachments):
            raise AttachmentError(AttachmentProblem.NOT_ATTACHED, name)
        return self.save(draft.evolve(attachments=remaining))

    def delete(self, draft_id: str) -> None:
        """Tombstone: hidden at once, restorable, purged once the service confirms."""
        with storage_errors(), transaction(self._conn):
            row = self._conn.execute(
                "SELECT deleted_at FROM drafts WHERE id = ?", (draft_id,)
            ).fetchone()
            if row is None or row[0] is not None:
                raise NotFoundError("draft", draft_id)
            stamp = self._now().isoformat()
            self._conn.execute(
                "UPDATE drafts SET deleted_at = ? WHERE id = ?", (stamp, draft_id)
            )
            state = self.sync_states.get(draft_id)
            if state is not None and (state.remote_id or state.create_pending):
                enqueue(self._conn, draft_id, Op.DELETE, stamp)
            else:
                self._conn.execute(
                    "DELETE FROM outbox WHERE draft_id = ? AND state = 'pending'", (draft_id,)
                )

    def undelete(self, draft_id: str) -> Draft:
        """Undo a delete: the draft comes back as it was (and is pushed again if needed)."""
        draft = self.get(draft_id, include_deleted=True)
        with storage_errors(), transaction(self._conn):
            self._conn.execute("UPDATE drafts SET deleted_at = NULL WHERE id = ?", (draft_id,))
            self._conn.execute(
                "DELETE FROM outbox WHERE draft_id = ? AND op = 'delete' AND state = 'pending'",
                (draft_id,),
            )
            state = self.sync_states.get(draft_id)
            if draft.account is not None and state is not None:
                stamp = self._now().isoformat()
                enqueue_push(self._conn, draft_id, draft.revision, stamp)
        return draft

    def purge(self, draft_id: str) -> None:
        """Remove a tombstoned draft for good (after the service confirmed the delete)."""
        with storage_errors(), transaction(self._conn):
            row = self._conn.execute(
                "SELECT 1 FROM drafts WHERE id = ? AND deleted_at IS NOT NULL", (draft_id,)
            ).fetchone()
            if row is None:
                return
            fts.unindex(self._conn, draft_id)
            self._conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
            self._conn.execute("DELETE FROM outbox WHERE draft_id = ?", (draft_id,))

    def purge_old_tombstones(self, older_than: timedelta = timedelta(days=30)) -> int:
        """Drop deleted drafts no service needs to confirm, once they are old enough
        that nobody will undo the delete."""
        cutoff = (self._now() - older_than).isoformat()
        with storage_errors():
            rows = self._conn.execute(
                "SELECT d.id FROM drafts d LEFT JOIN sync_state s ON s.draft_id = d.id "
                "WHERE d.deleted_at IS NOT NULL AND d.deleted_at < ? AND "
                "(s.draft_id IS NULL OR (s.remote_id IS NULL AND s.create_pending = 0))",
                (cutoff,),
            ).fetchall()
        for (draft_id,) in rows:
            self.purge(draft_id)
        return len(rows)

    def set_status(self, draft_id: str, status: DraftStatus) -> Draft:
        """Record a status change (sending, sent) as a revision of its own."""
        draft = self.get(draft_id)
        return self.save(draft.evolve(status=status))

    def enqueue(self, draft_id: str, op: Op) -> None:
        with storage_errors(), transaction(self._conn):
            enqueue(self._conn, draft_id, op, self._now().isoformat())

    def save_as_synced(self, draft: Draft, state: SyncState) -> Draft:
        """Store the service's version of a draft: the draft saved, its outbox entries
        closed (nothing of it is to be pushed) and ``state`` recorded as matching the
        saved revision, in one transaction. Returns the saved draft."""
        with storage_errors(), transaction(self._conn):
            saved = self.save(draft)
            self._conn.execute("DELETE FROM outbox WHERE draft_id = ?", (saved.id,))
            SyncStates.put_in(self._conn, state.evolve(
                draft_id=saved.id, pushed_revision=saved.revision,
                pushed_data=draft_to_json(saved)))
        return saved

    def push_again(self, state: SyncState, revision: int) -> None:
        """Record ``state`` and queue a push of the draft's ``revision``, together."""
        with storage_errors(), transaction(self._conn):
            SyncStates.put_in(self._conn, state)
            enqueue_push(self._conn, state.draft_id, revision, self._now().isoformat())

    def scheduled_sends(self) -> list[tuple[str, str | None, datetime]]:
        """(draft id, account, send time) of live drafts with a send-later time and no
        send queued yet, earliest first."""
        with storage_errors():
            rows = self._conn.execute(
                "SELECT d.id, d.account, json_extract(d.data, '$.send_at') FROM drafts d "
                "WHERE d.deleted_at IS NULL AND d.status = 'draft' "
                "AND json_extract(d.data, '$.send_at') IS NOT NULL "
                "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.draft_id = d.id "
                "AND o.op = 'send') ORDER BY json_extract(d.data, '$.send_at')"
            ).fetchall()
        return [(str(i), None if a is None else str(a), datetime.fromisoformat(str(w)))
                for i, a, w in rows]

    # -- history (reading it: ``self.revisions``) ----------------------------------------
    def restore(self, draft_id: str, revision: int) -> Draft:
        """Make an older revision current again (as a new revision: nothing is lost)."""
        current = self.get(draft_id)
        old = self.revisions.revision(draft_id, revision)
        restored = old.evolve(status=current.status, revision=current.revision)
        saved = self.save(restored)
        if saved.revision == current.revision:  # identical content: still record the restore
            return current
        return saved

    # -- maintenance --------------------------------------------------------------------
    def sqlite_version(self) -> str:
        """The SQLite library's version, as the self-test reports it."""
        with storage_errors():
            return str(self._conn.execute("SELECT sqlite_version()").fetchone()[0])

    def integrity_ok(self) -> bool:
        with storage_errors():
            row = self._conn.execute("PRAGMA quick_check").fetchone()
        return row is not None and row[0] == "ok"


def _has_content(draft: Draft) -> bool:
    """Anything the user wrote or chose: recipients, subject, body, files, a schedule."""
    return bool(draft.to or draft.cc or draft.bcc or draft.subject.strip() or
                draft.text.strip() or strip_tags(draft.html).strip() or draft.attachments or
                draft.schedule is not None)
