"""The oracle every hostile case is held to: accepted safely and stored correctly, or
refused with one clear line (``mail-composer: error: ...``), exit status 1 or 2, no
traceback, the data folder unchanged, and ``PRAGMA integrity_check`` ok."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from composer.cli import run


@dataclass
class Result:
    code: int
    out: str
    err: str


class Cli:
    """``mail-composer --data-dir DATA ...`` in this process (fast), output captured."""

    def __init__(self, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data = data
        self.capsys = capsys

    def __call__(self, *args: str) -> Result:
        self.capsys.readouterr()
        code = run(["--data-dir", str(self.data), *args])
        out, err = self.capsys.readouterr()
        return Result(code, out, err)

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.code == 0, result.err
        assert "Traceback" not in result.err
        return result.out

    def new(self, *args: str) -> str:
        return self.ok("draft", "new", *args).strip()

    def show(self, draft_id: str) -> dict[str, object]:
        value = json.loads(self.ok("draft", "show", draft_id, "--json"))
        assert isinstance(value, dict)
        return value

    def ids(self) -> list[str]:
        return [d["id"] for d in json.loads(self.ok("draft", "list", "--json", "--limit",
                                                    "1000"))]


@pytest.fixture
def cli(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(data_dir, capsys)


def snapshot(folder: Path) -> dict[str, str]:
    """What the data folder holds (logs aside): file -> content hash. The database is
    read through SQLite (its bytes change with checkpoints, its content must not)."""
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or "logs" in path.parts or path.name.endswith(("-wal", "-shm")):
            continue
        rel = str(path.relative_to(folder))
        if path.name == "drafts.sqlite3":
            conn = sqlite3.connect(path)
            try:
                rows = [conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                        for t in ("drafts", "revisions", "blobs", "outbox", "sync_state")]
            finally:
                conn.close()
            out[rel] = hashlib.sha256(repr(rows).encode()).hexdigest()
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def integrity_ok(folder: Path) -> bool:
    path = folder / "drafts.sqlite3"
    if not path.is_file():
        return True
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def assert_refused(result: Result, *, code: int | None = None, words: str = "") -> None:
    """One error line with the app's prefix, the right exit status, no traceback."""
    assert result.code in (1, 2), (result.code, result.err)
    if code is not None:
        assert result.code == code, result.err
    lines = result.err.splitlines()
    errors = [line for line in lines if line.startswith("mail-composer: error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.err
    # (warnings about what was typed may come first, one line each)
    assert all(line.startswith(("mail-composer: warning: ", "mail-composer: note: "))
               for line in lines[:-1]), result.err
    assert "Traceback" not in result.err
    assert words.lower() in errors[0].lower(), errors[0]


class Unchanged:
    """``with Unchanged(folder):`` the block must leave the folder as it was, intact."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> None:
        self.before = snapshot(self.folder)

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            assert snapshot(self.folder) == self.before
            assert integrity_ok(self.folder)
