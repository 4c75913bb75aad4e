"""What the window shows is what is stored (issue 9), driven with keys and clicks as a
person drives it; each test reads back the cache on disk."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from composer.domain.models import Draft
from composer.paths import Paths
from composer.store.drafts import DraftStore
from composer.ui.main_window import MainWindow
from tests.ui.conftest import open_window, wait_open, wait_saved

CTRL = Qt.KeyboardModifier.ControlModifier


def _seeded(qtbot: QtBot, paths: Paths, draft: Draft) -> MainWindow:
    store = DraftStore.open(paths.database)
    try:
        store.save(draft)
    finally:
        store.close()
    window = open_window(qtbot, paths)
    wait_open(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def _click_body(qtbot: QtBot, window: MainWindow) -> None:
    body = window.editor.rich
    qtbot.mouseClick(body.viewport(), Qt.MouseButton.LeftButton, pos=body.viewport().rect()
                     .center())
    qtbot.waitUntil(body.hasFocus)
    qtbot.keyClick(body, Qt.Key.Key_End, CTRL)


def test_undo_and_redo_after_an_autosave_are_stored(qtbot: QtBot, paths: Paths) -> None:
    window = _seeded(qtbot, paths, Draft(subject="Plans", html="<p>Original words</p>"))
    _click_body(qtbot, window)
    body = window.editor.rich
    qtbot.keyClicks(body, " and a secret")
    wait_saved(qtbot, window, lambda d: "secret" in d.html)
    qtbot.keyClick(body, Qt.Key.Key_Z, CTRL)
    assert "secret" not in body.toPlainText()
    saved = wait_saved(qtbot, window, lambda d: "secret" not in d.html)
    assert "Original words" in saved.html
    qtbot.waitUntil(lambda: window.save_status.text() == "Saved")
    qtbot.keySequence(body, QKeySequence.StandardKey.Redo)
    assert "secret" in body.toPlainText()
    wait_saved(qtbot, window, lambda d: "and a secret" in d.html)
    window.close()


def test_paste_and_formatting_alone_are_stored(qtbot: QtBot, paths: Paths) -> None:
    window = _seeded(qtbot, paths, Draft(subject="Plans", html="<p>Original words</p>"))
    _click_body(qtbot, window)
    body = window.editor.rich
    QGuiApplication.clipboard().setText(" pasted text")
    qtbot.keySequence(body, QKeySequence.StandardKey.Paste)
    wait_saved(qtbot, window, lambda d: "pasted text" in d.html)
    qtbot.keyClick(body, Qt.Key.Key_A, CTRL)
    window.editor.bold_action.trigger()       # the toolbar's B, clicked
    wait_saved(qtbot, window, lambda d: "font-weight:700" in d.html)
    qtbot.keyClick(body, Qt.Key.Key_Z, CTRL)  # undo the bold only: stored without it
    wait_saved(qtbot, window, lambda d: "font-weight:700" not in d.html and "pasted" in d.html)
    window.close()
