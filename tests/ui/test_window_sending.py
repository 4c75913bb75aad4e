"""Sending from the window, typed and clicked as a person does, against the Exante fake
over 127.0.0.1: what the service received and what the cache holds are read back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolButton
from pytestqt.qtbot import QtBot

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import Draft, DraftStatus
from composer.paths import Paths
from composer.secrets import SecretStore
from composer.settings import Settings, SettingsFile
from composer.store.drafts import DraftStore
from composer.ui.main_window import MainWindow
from composer.ui.widgets.draft_list import SENT
from tests.fakes.base import serve
from tests.fakes.exante import FakeExante
from tests.ui.conftest import open_window, wait_open

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def exante(paths: Paths) -> Iterator[FakeExante]:
    fake = FakeExante()
    with serve(fake) as url:
        SettingsFile(paths.settings_file).save(Settings(accounts=(Account(
            "Work", "exante", url,
            options={"from_account_id": "7d1f0a52-8a43-4c4e-9a57-1b2f4b8e9c01"}),),
            default_account="Work", undo_send_seconds=1))
        SecretStore().set("Work", "ex_live_testkey")
        yield fake


def _stored(paths: Paths, draft_id: str) -> Draft:
    store = DraftStore.open(paths.database)
    try:
        return store.get(draft_id)
    finally:
        store.close()


def _active(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def test_a_synced_draft_open_at_start_is_sent_once_and_leaves_the_drafts(
        qtbot: QtBot, paths: Paths, exante: FakeExante) -> None:
    store = DraftStore.open(paths.database)
    try:
        seeded = store.save(Draft(account="Work", subject="Quarterly numbers",
                                  to=tuple(parse_addresses("bob@x.example")),
                                  html="<p>Numbers attached.</p>"))
    finally:
        store.close()
    window = open_window(qtbot, paths)
    wait_open(qtbot, window)
    window.attach_sync()                      # as launch does after the first frame
    qtbot.waitUntil(lambda: len(exante.drafts) == 1, timeout=10_000)
    assert window.send_action.isEnabled()     # not only after an edit
    _active(qtbot, window)
    qtbot.keyClick(window.editor.subject, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: len(exante.sent) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: window.save_status.text() == "Sent “Quarterly numbers”.",
                    timeout=10_000)
    assert _stored(paths, seeded.id).status is DraftStatus.SENT
    # Shown read-only, out of the drafts, and it cannot go twice.
    qtbot.waitUntil(lambda: window.editor.read_only, timeout=5000)
    qtbot.waitUntil(lambda: window.model.row_of(seeded.id) < 0, timeout=5000)
    assert window.editor.subject.isReadOnly() and not window.send_action.isEnabled()
    # Nothing on screen invites a change: no recipient input, no "×" on the chips, no
    # send-later time (it went), no "drop files here".
    editor = window.editor
    assert not editor.to.line_edit().isVisible()
    assert not any(b.isVisible() for b in editor.to.findChildren(QToolButton))
    assert not editor.schedule.isVisible()
    assert editor.attachments.meter.text() == "No attachments"
    qtbot.keyClicks(window.editor.rich, "more words")
    qtbot.keyClick(window.editor.subject, Qt.Key.Key_Return, CTRL)
    window.sync.sync_now()  # type: ignore[union-attr]
    qtbot.wait(300)
    assert exante.sent == [exante.sent[0]] and "more words" not in \
        _stored(paths, seeded.id).html
    # The Sent view lists it; "Edit as new draft" makes an editable copy in Drafts.
    tabs = window.views
    qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton, pos=tabs.tabRect(1).center())
    assert tabs.tabData(tabs.currentIndex()) == SENT
    assert window.pane.search.placeholderText() == "Search sent messages"
    qtbot.waitUntil(lambda: window.model.row_of(seeded.id) == 0, timeout=5000)
    qtbot.mouseClick(window.editor.read_only_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.editor.draft is not None
                    and window.editor.draft.id != seeded.id, timeout=5000)
    copy = window.editor.draft
    assert copy is not None and copy.subject == "Quarterly numbers"
    assert not window.editor.read_only and copy.status is DraftStatus.DRAFT
    assert editor.to.line_edit().isVisible() and editor.schedule.isVisible()
    assert all(b.isVisible() for b in editor.to.findChildren(QToolButton))
    window.close()


def test_ctrl_n_pushes_nothing_until_the_draft_has_content(
        qtbot: QtBot, paths: Paths, exante: FakeExante) -> None:
    window = open_window(qtbot, paths)
    window.attach_sync()
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    _active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    draft = wait_open(qtbot, window)
    qtbot.waitUntil(lambda: window.model.row_of(draft.id) >= 0, timeout=5000)
    window.sync.sync_now()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: window.sync is not None and not window.sync.running,
                    timeout=10_000)
    assert exante.drafts == {}
    qtbot.waitUntil(window.editor.to.line_edit().hasFocus)
    qtbot.keyClick(window.editor.to.line_edit(), Qt.Key.Key_Tab)
    qtbot.keyClicks(window.editor.subject, "Now it has a subject")
    qtbot.waitUntil(lambda: [d["subject"] for d in exante.drafts.values()]
                    == ["Now it has a subject"], timeout=10_000)
    window.close()
