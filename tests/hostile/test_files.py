"""Exports never write through a link or into a device; imports never block or read
without bound."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from composer.errors import InvalidInputError
from composer.store.files import read_file, write_file
from tests.hostile.conftest import Cli, Unchanged, assert_refused


def test_export_replaces_a_regular_file_atomically(cli: Cli, tmp_path: Path) -> None:
    draft_id = cli.new("--subject", "hello", "--to", "a@x.test")
    out = tmp_path / "out.eml"
    out.write_bytes(b"old")
    cli.ok("draft", "export", draft_id, "--eml", str(out))
    assert b"Subject: hello" in out.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []


def test_a_planted_part_symlink_is_never_written_through(cli: Cli, tmp_path: Path) -> None:
    draft_id = cli.new("--subject", "hello")
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    (tmp_path / "out.eml.part").symlink_to(victim)
    for n in range(20):  # the temporary names are random: plant likely ones too
        (tmp_path / f".out.eml.{n:012x}.part").symlink_to(victim)
    cli.ok("draft", "export", draft_id, "--eml", str(tmp_path / "out.eml"))
    assert victim.read_bytes() == b"precious"
    assert b"Subject: hello" in (tmp_path / "out.eml").read_bytes()


@pytest.mark.parametrize("kind", ["symlink", "fifo", "dir", "device"])
def test_export_refuses_targets_that_are_not_regular_files(
        cli: Cli, tmp_path: Path, kind: str) -> None:
    draft_id = cli.new("--subject", "hello")
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    target = tmp_path / "target.eml"
    if kind == "symlink":
        target.symlink_to(victim)
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "dir":
        target.mkdir()
    else:
        target = Path("/dev/null")
    with Unchanged(cli.data):
        assert_refused(cli("draft", "export", draft_id, "--eml", str(target)), code=1)
    assert victim.read_bytes() == b"precious"
    if kind == "symlink":
        assert target.is_symlink()
    if kind == "fifo":
        assert target.exists() and not target.is_file()


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dir", "missing", "symlink-to-fifo"])
def test_import_refuses_what_is_not_a_regular_file_without_blocking(
        cli: Cli, tmp_path: Path, kind: str) -> None:
    cli.new("--subject", "already here")
    path = tmp_path / "in.eml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path = Path("/dev/zero")
    elif kind == "dir":
        path.mkdir()
    elif kind == "symlink-to-fifo":
        os.mkfifo(tmp_path / "pipe")
        path.symlink_to(tmp_path / "pipe")
    with Unchanged(cli.data):
        assert_refused(cli("draft", "import", str(path)), code=1)


def test_read_stops_at_the_limit_before_reading_it_all(tmp_path: Path) -> None:
    big = tmp_path / "big.eml"
    with big.open("wb") as f:
        f.truncate(50 * 2**20)  # sparse: 50 MB that cost nothing to make
    with pytest.raises(InvalidInputError, match="larger than"):
        read_file(big, 2**20)
    small = tmp_path / "small"
    small.write_bytes(b"x" * 10)
    assert read_file(small, 10) == b"x" * 10
    with pytest.raises(InvalidInputError):
        read_file(small, 9)


def test_write_file_leaves_no_temporary_file_when_it_fails(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    with pytest.raises(InvalidInputError):
        write_file(folder / "missing-dir" / "x.eml", b"data")
    assert list(folder.iterdir()) == []
