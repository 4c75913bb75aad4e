"""Logging: a size-capped file in the log folder, quiet HTTP libraries, secrets redacted.

httpx logs request URLs at INFO and httpcore logs headers at DEBUG, so both are held at
WARNING; a filter also masks anything that looks like a credential in any record.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

_SECRET = re.compile(
    r"(?i)(authorization|x-session-key|reb-apikey|password|token|api[_-]?key|secret)"
    r"(\"?\s*[:=]\s*\"?)([^\s\",;]+)"
)


MAX_LOG_BYTES = 1_000_000
LOG_BACKUPS = 3


class CappedFileHandler(logging.FileHandler):
    """Appends to ``path``; past ``max_bytes`` it starts a new file, keeping ``backups``
    older ones (``.1`` newest). The stdlib's RotatingFileHandler does the same, but
    importing ``logging.handlers`` pulls in socket, pickle and queue before the window's
    first frame; this is the part of it the app uses."""

    def __init__(self, path: Path, max_bytes: int = MAX_LOG_BYTES,
                 backups: int = LOG_BACKUPS) -> None:
        super().__init__(path, encoding="utf-8", delay=True)
        self.max_bytes, self.backups = max_bytes, backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is not None and self.stream.tell() >= self.max_bytes:
                self._rotate()
        except OSError:
            self.handleError(record)
        super().emit(record)

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
        self.stream = None  # reopened by emit (delay=True)
        for n in range(self.backups - 1, 0, -1):
            older = f"{self.baseFilename}.{n}"
            if os.path.exists(older):
                os.replace(older, f"{self.baseFilename}.{n + 1}")
        os.replace(self.baseFilename, f"{self.baseFilename}.1")


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def setup_logging(path: Path, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_composer", False)]:
        root.removeHandler(old)
        old.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = CappedFileHandler(path)
    handler._composer = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "hpack"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
