"""Logging: a rotating file in the log folder, quiet HTTP libraries, secrets redacted.

httpx logs request URLs at INFO and httpcore logs headers at DEBUG, so both are held at
WARNING; a filter also masks anything that looks like a credential in any record.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

_SECRET = re.compile(
    r"(?i)(authorization|x-session-key|reb-apikey|password|token|api[_-]?key|secret)"
    r"(\"?\s*[:=]\s*\"?)([^\s\",;]+)"
)


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
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True
    )
    handler._composer = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "hpack"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
