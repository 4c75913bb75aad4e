"""Attachment content: sha256-addressed blobs written and read in chunks.

A file is streamed into a ``zeroblob`` with ``Connection.blobopen`` while its sha256 is
computed, so attaching 32 MB holds one 1 MB chunk in memory, not the file. A blob that
already exists is not stored twice. The WAL is checkpointed after a large write.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from composer.domain.filenames import safe_filename
from composer.domain.models import MAX_ATTACHMENT_BYTES, Attachment
from composer.errors import AttachmentError, AttachmentProblem, NotFoundError
from composer.store.db import checkpoint, storage_errors, transaction

if TYPE_CHECKING:
    import hashlib

CHUNK = 1 << 20
#: checkpoint the WAL after writing a blob at least this big
CHECKPOINT_AFTER = 4 << 20

Progress = Callable[[int, int], None]


def _sha256(data: bytes = b"") -> hashlib._Hash:
    # Imported on first use (on the storage worker): loading OpenSSL for hashlib is a
    # noticeable part of the window's start-up otherwise.
    import hashlib

    return hashlib.sha256(data)


def guess_content_type(name: str) -> str:
    import mimetypes

    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


def check_file(path: Path, limit: int = MAX_ATTACHMENT_BYTES) -> int:
    """Refuse at once what cannot be attached; returns the size."""
    name = path.name or str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise AttachmentError(AttachmentProblem.MISSING, name) from None
    except PermissionError as exc:
        raise AttachmentError(AttachmentProblem.UNREADABLE, name, detail=exc.strerror or "")\
            from None
    except OSError as exc:
        raise AttachmentError(AttachmentProblem.UNREADABLE, name, detail=exc.strerror or "")\
            from None
    if stat.S_ISDIR(st.st_mode):
        raise AttachmentError(AttachmentProblem.DIRECTORY, name)
    if not stat.S_ISREG(st.st_mode):
        raise AttachmentError(AttachmentProblem.UNREADABLE, name, detail="not a regular file")
    if st.st_size > limit:
        raise AttachmentError(AttachmentProblem.TOO_LARGE, name, size=st.st_size, limit=limit)
    if st.st_size == 0:
        raise AttachmentError(AttachmentProblem.EMPTY, name)
    if not os.access(path, os.R_OK):
        raise AttachmentError(AttachmentProblem.UNREADABLE, name, detail="permission denied")
    return st.st_size


def _chunks(src: BinaryIO, name: str) -> Iterator[bytes]:
    while True:
        try:
            chunk = src.read(CHUNK)
        except OSError as exc:
            raise AttachmentError(
                AttachmentProblem.UNREADABLE, name, detail=exc.strerror or ""
            ) from None
        if not chunk:
            return
        yield chunk


class BlobStore:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def put_file(
        self, path: Path, *, progress: Progress | None = None, limit: int = MAX_ATTACHMENT_BYTES,
    ) -> Attachment:
        """Read ``path`` twice in chunks: once to hash it (a known file is not stored
        again), once into an incremental blob, checking it did not change in between.
        Never holds more than one chunk in memory (updating a row that holds the blob
        would make SQLite load all of it, so the row is written once, complete)."""
        size = check_file(path, limit)
        name = safe_filename(path.name)
        half = (lambda done, total: progress(done // 2, total)) if progress else None
        digest = self._hash_file(path, size, half)
        if not self.exists(digest):
            rest = (lambda done, total: progress((size + done) // 2, total)) if progress \
                else None
            with self._open(path) as src, storage_errors(), transaction(self._conn):
                self._stream(src, size, digest, path.name, rest)
            if size >= CHECKPOINT_AFTER:
                with storage_errors():
                    checkpoint(self._conn)
        if progress is not None:
            progress(size, size)
        return Attachment(name=name, size=size, content_type=guess_content_type(name),
                          sha256=digest)

    @staticmethod
    def _open(path: Path) -> BinaryIO:
        try:
            return path.open("rb")
        except OSError as exc:
            raise AttachmentError(
                AttachmentProblem.UNREADABLE, path.name, detail=exc.strerror or ""
            ) from None

    def _hash_file(self, path: Path, size: int, progress: Progress | None) -> str:
        hasher = _sha256()
        read = 0
        with self._open(path) as src:
            for chunk in _chunks(src, path.name):
                read += len(chunk)
                if read > size:
                    raise AttachmentError(AttachmentProblem.UNREADABLE, path.name,
                                          detail="the file grew while reading")
                hasher.update(chunk)
                if progress is not None:
                    progress(read, size)
        if read != size:
            raise AttachmentError(AttachmentProblem.UNREADABLE, path.name,
                                  detail="the file shrank while reading")
        return hasher.hexdigest()

    def _stream(self, src: BinaryIO, size: int, digest: str, name: str,
                progress: Progress | None) -> None:
        cur = self._conn.execute(
            "INSERT INTO blobs(sha256, size, data) VALUES (?, ?, zeroblob(?))",
            (digest, size, size),
        )
        rowid = cur.lastrowid
        assert rowid is not None
        hasher = _sha256()
        written = 0
        with self._conn.blobopen("blobs", "data", rowid) as blob:
            for chunk in _chunks(src, name):
                if written + len(chunk) > size:
                    break
                blob.write(chunk)
                hasher.update(chunk)
                written += len(chunk)
                if progress is not None:
                    progress(written, size)
        if written != size or hasher.hexdigest() != digest:
            raise AttachmentError(AttachmentProblem.UNREADABLE, name,
                                  detail="the file changed while it was being attached")

    def put_bytes(self, name: str, data: bytes, content_type: str | None = None) -> Attachment:
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise AttachmentError(
                AttachmentProblem.TOO_LARGE, name, size=len(data), limit=MAX_ATTACHMENT_BYTES
            )
        if not data:
            raise AttachmentError(AttachmentProblem.EMPTY, name)
        digest = _sha256(data).hexdigest()
        with storage_errors(), transaction(self._conn):
            self._conn.execute(
                "INSERT OR IGNORE INTO blobs(sha256, size, data) VALUES (?, ?, ?)",
                (digest, len(data), data),
            )
        safe = safe_filename(name)
        return Attachment(safe, len(data), content_type or guess_content_type(safe), digest)

    def _rowid(self, sha256: str) -> tuple[int, int]:
        row = self._conn.execute(
            "SELECT id, size FROM blobs WHERE sha256 = ?", (sha256,)
        ).fetchone()
        if row is None:
            raise NotFoundError("attachment content", sha256)
        return int(row[0]), int(row[1])

    def exists(self, sha256: str) -> bool:
        return self._conn.execute(
            "SELECT 1 FROM blobs WHERE sha256 = ?", (sha256,)
        ).fetchone() is not None

    def iter_chunks(self, sha256: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        rowid, size = self._rowid(sha256)
        with self._conn.blobopen("blobs", "data", rowid, readonly=True) as blob:
            offset = 0
            while offset < size:
                chunk = blob.read(chunk_size)
                if not chunk:
                    break
                offset += len(chunk)
                yield chunk

    def read_bytes(self, sha256: str) -> bytes:
        return b"".join(self.iter_chunks(sha256))

    def export(self, sha256: str, target: Path) -> None:
        """Write a blob to ``target`` (never through a link, never into a device: see
        ``composer.store.files``)."""
        from composer.store.files import atomic_writer

        with atomic_writer(target, "target") as out:
            for chunk in self.iter_chunks(sha256):
                out.write(chunk)

    def collect_garbage(self) -> int:
        """Delete blobs no revision refers to (e.g. left by a crash mid-attach)."""
        with storage_errors(), transaction(self._conn):
            cur = self._conn.execute(
                "DELETE FROM blobs WHERE sha256 IS NULL OR sha256 NOT IN "
                "(SELECT sha256 FROM revision_blobs)"
            )
            return cur.rowcount
