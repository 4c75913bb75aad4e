"""Which draft was open, so the next start (also after a crash) reopens it. A tiny JSON
file written atomically next to the settings."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


class Session:
    def __init__(self, path: Path) -> None:
        self.path = path

    def open_draft(self) -> str | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        value = data.get("open_draft") if isinstance(data, dict) else None
        return value if isinstance(value, str) else None

    def remember(self, draft_id: str | None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".session-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"open_draft": draft_id}, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
