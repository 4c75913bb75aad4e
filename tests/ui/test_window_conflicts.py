"""Every conflict the window shows can be resolved from the window, from either of the
two drafts it made (mine, and the copy of the service's version)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import Draft, utcnow
from composer.paths import Paths
from composer.secrets import SecretStore
from composer.settings import Settings, SettingsFile
from composer.store.drafts import DraftStore
from composer.store.sync_state import SyncStatus
from composer.sync.engine import SyncEngine
from composer.sync.service import AdapterPool
from tests.fakes.base import serve
from tests.fakes.exante import FakeExante
from tests.ui.conftest import open_window


@pytest.fixture
def conflicted(paths: Paths) -> Iterator[tuple[FakeExante, str, str]]:
    fake = FakeExante()
    with serve(fake) as url:
        SettingsFile(paths.settings_file).save(Settings(accounts=(Account(
            "Work", "exante", url,
            options={"from_account_id": "7d1f0a52-8a43-4c4e-9a57-1b2f4b8e9c01"}),),
            default_account="Work"))
        SecretStore().set("Work", "ex_live_testkey")
        store = DraftStore.open(paths.database)
        pool = AdapterPool(SettingsFile(paths.settings_file), SecretStore(), utcnow)
        try:
            mine = store.save(Draft(account="Work", subject="Offer",
                                    to=tuple(parse_addresses("ana@x.example")),
                                    html="<p>first</p>"))
            SyncEngine(store, pool, utcnow).run_once()
            [uid] = list(fake.drafts)
            fake.touch(uid, subject="Offer (theirs)")
            store.save(store.get(mine.id).evolve(subject="Offer (mine)"))
            SyncEngine(store, pool, utcnow).run_once()
            state = store.sync_states.get(mine.id)
            assert state is not None and state.state is SyncStatus.CONFLICT
            copy = next(s.id for s in store.summaries() if s.id != mine.id)
        finally:
            pool.close()
            store.close()
        yield fake, mine.id, copy


@pytest.mark.parametrize("open_which", ["mine", "theirs"])
def test_a_conflict_is_resolved_from_either_draft(
        qtbot: QtBot, paths: Paths, conflicted: tuple[FakeExante, str, str],
        open_which: str) -> None:
    from composer.ui.dialogs.conflict_dialog import ConflictDialog

    fake, mine, theirs = conflicted
    window = open_window(qtbot, paths)
    qtbot.waitUntil(lambda: window.model.row_of(mine) >= 0 and window.model.row_of(theirs)
                    >= 0, timeout=5000)
    wanted = mine if open_which == "mine" else theirs
    rect = window.list.visualRect(window.model.index(window.model.row_of(wanted)))
    qtbot.mouseClick(window.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.editor.draft is not None
                    and window.editor.draft.id == wanted, timeout=5000)
    qtbot.waitUntil(window.editor.conflict_button.isVisible, timeout=5000)
    qtbot.mouseClick(window.editor.conflict_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(getattr(window, "conflict_dialog", None),
                                       ConflictDialog), timeout=5000)
    dialog = window.conflict_dialog
    qtbot.waitUntil(dialog.isVisible)
    button = next(b for b in dialog.findChildren(type(window.editor.conflict_button))
                  if "mine" in b.text().lower())
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.save_status.text() == "Conflict resolved.", timeout=5000)
    store = DraftStore.open(paths.database)
    try:
        state = store.sync_states.get(mine)
        assert state is not None and state.state is not SyncStatus.CONFLICT
        assert store.get(mine).subject == "Offer (mine)"
    finally:
        store.close()
    qtbot.waitUntil(lambda: window.model.row_of(theirs) < 0, timeout=5000)
    window.close()
    store = DraftStore.open(paths.database)           # the next sync pass pushes mine
    pool = AdapterPool(SettingsFile(paths.settings_file), SecretStore(), utcnow)
    try:
        SyncEngine(store, pool, utcnow).run_once()
    finally:
        pool.close()
        store.close()
    assert [d["subject"] for d in fake.drafts.values()] == ["Offer (mine)"]
