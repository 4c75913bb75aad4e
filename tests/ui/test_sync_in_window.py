"""Sync in the window against the Exante fake over 127.0.0.1: a draft written in the
window is pushed, a send can be undone, and a scheduled send carries the right instant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from pytestqt.qtbot import QtBot

from composer.paths import Paths
from composer.secrets import SecretStore
from composer.settings import Settings, SettingsFile
from composer.store.drafts import DraftStore
from composer.store.sync_state import SyncStatus
from composer.ui.main_window import MainWindow
from tests.fakes.base import serve
from tests.fakes.exante import FakeExante
from tests.ui.conftest import open_window, wait_open


@pytest.fixture
def exante() -> Iterator[tuple[FakeExante, str]]:
    fake = FakeExante()
    with serve(fake) as url:
        yield fake, url


def _state(paths: Paths, draft_id: str) -> tuple[SyncStatus | None, str | None]:
    store = DraftStore.open(paths.database)
    try:
        state = store.sync_states.get(draft_id)
        return (state.state, state.remote_id) if state else (None, None)
    finally:
        store.close()


def test_write_sync_undo_send_and_scheduled_send(qtbot: QtBot, paths: Paths,
                                                 exante: tuple[FakeExante, str]) -> None:
    fake, url = exante
    from composer.domain.accounts import Account

    settings = SettingsFile(paths.settings_file)
    settings.save(Settings(accounts=(Account("Work", "exante", url, options={
        "from_account_id": "7d1f0a52-8a43-4c4e-9a57-1b2f4b8e9c01"}),),
        default_account="Work", undo_send_seconds=1))
    SecretStore().set("Work", "ex_live_testkey")
    window: MainWindow = open_window(qtbot, paths)
    window.attach_sync()
    assert window.sync is not None
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    window.new_draft()
    draft = wait_open(qtbot, window)
    assert window.editor.from_box.currentData() == "Work"
    window.editor.to.add_text("bob@x.example")
    qtbot.keyClicks(window.editor.subject, "Quarterly numbers")
    assert window.editor.schedule.choose(datetime(2031, 3, 30, 9, 15), "Europe/Berlin")
    window.sync.sync_now()

    def pushed() -> bool:
        state, remote = _state(paths, draft.id)
        return state is SyncStatus.SYNCED and remote in fake.drafts and \
            fake.drafts[remote]["subject"] == "Quarterly numbers"

    qtbot.waitUntil(pushed, timeout=10_000)
    remote = _state(paths, draft.id)[1]
    assert remote is not None
    assert fake.drafts[remote]["planned_send_at"] == "2031-03-30T07:15:00Z"

    window.send()
    qtbot.waitUntil(lambda: window.undo_button.isVisible(), timeout=5000)
    window.status.undo()
    qtbot.waitUntil(lambda: "cancelled" in window.save_status.text(), timeout=5000)
    assert fake.sent == []

    window.send()
    qtbot.waitUntil(lambda: fake.sent == [remote], timeout=10_000)
    qtbot.waitUntil(lambda: _state(paths, draft.id)[0] is SyncStatus.SENT, timeout=10_000)
    window.close()
