"""Kill -9 a process that is saving drafts, over and over; nothing acknowledged is lost.

The default run does 30 kills; set COMPOSER_SOAK_KILLS=300 for a longer soak.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from composer.store.drafts import DraftStore
from tests.store.durability_child import content_for

ROOT = Path(__file__).resolve().parents[2]


def test_sigkill_mid_save_never_loses_an_acknowledged_draft(tmp_path: Path) -> None:
    kills = int(os.environ.get("COMPOSER_SOAK_KILLS", "30"))
    rng = random.Random(20261123)
    path = tmp_path / "drafts.sqlite3"
    acknowledged: dict[str, int] = {}
    edited: set[str] = set()
    n = 0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(kills):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.store.durability_child", str(path), str(n)],
            stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env,
        )
        assert child.stdout is not None
        wanted = rng.randint(1, 25)
        seen = 0
        while seen < wanted:
            line = child.stdout.readline()
            if not line:
                break
            parts = line.split()
            if parts[0] == "saved":
                acknowledged[parts[1]] = int(parts[2])
                seen += 1
            else:
                edited.add(parts[1])
        child.send_signal(signal.SIGKILL)
        # Lines already written before the kill are acknowledged too.
        for line in child.stdout:
            parts = line.split()
            if parts and parts[0] == "saved":
                acknowledged[parts[1]] = int(parts[2])
            elif parts:
                edited.add(parts[1])
        child.stdout.close()
        child.wait()
        assert child.returncode == -signal.SIGKILL
        n = max(acknowledged.values(), default=n) + 1

    store = DraftStore.open(path)
    assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(acknowledged) >= kills
    for draft_id, number in acknowledged.items():
        draft = store.get(draft_id)
        subject, body = content_for(number, draft_id)
        assert draft.subject in (subject, subject + " (edited)")
        assert draft.html == body
        if draft_id in edited:
            assert draft.subject == subject + " (edited)"
    # Every outbox entry belongs to a draft that exists (no half-written rows).
    orphans = store.connection.execute(
        "SELECT count(*) FROM outbox WHERE draft_id NOT IN (SELECT id FROM drafts)"
    ).fetchone()[0]
    assert orphans == 0
    store.close()
