"""Store operations compose: a transaction inside another is a savepoint, so several
operations commit together or not at all."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from composer.store.db import transaction


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = sqlite3.connect(tmp_path / "t.sqlite3", isolation_level=None)
    c.execute("CREATE TABLE t (v TEXT)")
    return c


def _values(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT v FROM t ORDER BY v")]


def test_an_inner_failure_undoes_only_the_inner_work(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES ('outer')")
        with pytest.raises(ValueError), transaction(conn):
            conn.execute("INSERT INTO t VALUES ('inner')")
            raise ValueError
        assert conn.in_transaction
    assert _values(conn) == ["outer"]


def test_an_outer_failure_undoes_the_inner_work_too(conn: sqlite3.Connection) -> None:
    with pytest.raises(ValueError), transaction(conn):
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES ('inner')")
        raise ValueError
    assert _values(conn) == [] and not conn.in_transaction


def test_nested_work_commits_with_the_outer_transaction(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES ('a')")
            with transaction(conn):
                conn.execute("INSERT INTO t VALUES ('b')")
        other = sqlite3.connect(conn.execute("PRAGMA database_list").fetchone()[2])
        assert other.execute("SELECT count(*) FROM t").fetchone()[0] == 0  # not yet
        other.close()
    assert _values(conn) == ["a", "b"]
