"""An in-memory ``AttachmentSource`` for adapter tests."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterator

from composer.domain.models import Attachment


class MemoryFiles:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def add(self, name: str, data: bytes, content_type: str | None = None) -> Attachment:
        digest = hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        ctype = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Attachment(name=name, size=len(data), content_type=ctype, sha256=digest)

    def read_bytes(self, sha256: str) -> bytes:
        return self.blobs[sha256]

    def iter_chunks(self, sha256: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        data = self.blobs[sha256]
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]
