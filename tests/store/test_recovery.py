"""A damaged or foreign database file is moved aside and what can be read is recovered."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from composer.domain.models import Draft
from composer.store.drafts import DraftStore
from composer.store.recovery import open_store
from tests.store.conftest import FakeClock

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_non_database_file_is_moved_aside_not_deleted(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "drafts.sqlite3"
    junk = os.urandom(50_000)
    path.write_bytes(junk)
    store, report = open_store(path, clock)
    assert report is not None
    assert report.moved_to.exists() and report.moved_to.read_bytes() == junk
    assert ".damaged-" in report.moved_to.name
    assert report.drafts_recovered == 0
    saved = store.save(Draft(subject="life goes on"))
    assert store.get(saved.id).subject == "life goes on"
    store.close()


def test_damaged_pages_lose_only_their_rows(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "drafts.sqlite3"
    store = DraftStore.open(path, clock)
    ids = [store.save(Draft(subject=f"draft {n}", html="<p>" + "body " * 400 + "</p>")).id
           for n in range(60)]
    store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(path.read_bytes())
    page = 8192
    # Smash a few pages in the middle of the file (not page 1, the schema).
    for p in (len(data) // page // 2, len(data) // page // 2 + 1):
        data[p * page : (p + 1) * page] = b"\xff" * page
    path.write_bytes(bytes(data))

    recovered, report = open_store(path, clock)
    if report is None:  # the smashed pages happened to be free pages: nothing lost
        assert recovered.count() == 60
        recovered.close()
        return
    assert report.moved_to.exists()
    survivors = {s.id for s in recovered.summaries(limit=1000)}
    assert survivors <= set(ids)
    assert len(survivors) >= 30
    for draft_id in survivors:
        assert recovered.get(draft_id).subject.startswith("draft ")
    assert recovered.integrity_ok()
    recovered.close()


def test_migrates_a_real_version_1_database(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "drafts.sqlite3"
    shutil.copy(FIXTURES / "drafts-v1.sqlite3", path)
    store = DraftStore.open(path, clock)
    assert store.connection.execute("PRAGMA user_version").fetchone()[0] == 2
    rows = store.summaries()
    assert [r.subject for r in rows] == ["Second draft", "Lunch on Friday?"]
    assert [r.subject for r in store.summaries(search="pizza")] == ["Lunch on Friday?"]
    lunch = store.get(rows[1].id)
    assert lunch.attachments[0].name == "menu.txt"
    assert store.blobs.read_bytes(lunch.attachments[0].sha256) == b"Pizza, pasta, salad\n"
    assert [h.revision for h in store.revisions.history(lunch.id)] == [2, 1]
    edited = store.save(lunch.evolve(subject="Lunch on Saturday?"))
    assert edited.revision == 3
    store.close()
