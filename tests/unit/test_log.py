"""The log file: secrets masked, size capped with a few older files kept."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from composer.log import CappedFileHandler, setup_logging


@pytest.fixture
def handler(tmp_path: Path) -> Iterator[CappedFileHandler]:
    h = CappedFileHandler(tmp_path / "composer.log", max_bytes=2_000, backups=2)
    h.setFormatter(logging.Formatter("%(message)s"))
    yield h
    h.close()


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, message, None, None)


def test_the_log_starts_a_new_file_past_its_cap_and_keeps_two_older(
        tmp_path: Path, handler: CappedFileHandler) -> None:
    for n in range(200):
        handler.emit(_record(f"line {n:03d} " + "x" * 40))
    handler.flush()
    files = sorted(p.name for p in tmp_path.glob("composer.log*"))
    assert files == ["composer.log", "composer.log.1", "composer.log.2"]
    for name in files:
        assert (tmp_path / name).stat().st_size <= 2_000 + 60
    newest = (tmp_path / "composer.log").read_text(encoding="utf-8").splitlines()
    older = (tmp_path / "composer.log.1").read_text(encoding="utf-8").splitlines()
    assert newest[-1].startswith("line 199")
    # Nothing in between is lost: .1 ends right where the current file begins.
    assert int(older[-1].split()[1]) + 1 == int(newest[0].split()[1])


def test_appends_to_the_file_a_previous_run_left(tmp_path: Path) -> None:
    log_file = tmp_path / "composer.log"
    log_file.write_text("from before\n", encoding="utf-8")
    h = CappedFileHandler(log_file)
    h.setFormatter(logging.Formatter("%(message)s"))
    h.emit(_record("now"))
    h.close()
    assert log_file.read_text(encoding="utf-8") == "from before\nnow\n"


def test_credentials_are_masked_in_what_is_written(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "composer.log"
    setup_logging(log_file)
    try:
        logging.getLogger("composer.test").warning(
            "push failed: Authorization: Bearer-abc123 and api_key=ex_live_SECRET")
    finally:
        for h in [h for h in logging.getLogger().handlers if getattr(h, "_composer", False)]:
            logging.getLogger().removeHandler(h)
            h.close()
    text = log_file.read_text(encoding="utf-8")
    assert "ex_live_SECRET" not in text and "Bearer-abc123" not in text
    assert "[redacted]" in text
