"""macOS open events (a mailto: link clicked, an .eml opened while the app runs) reach the
running window as a new draft."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from composer.domain.eml import draft_to_eml
from composer.domain.models import Address, Draft
from composer.ui.file_open import install_file_open_filter
from composer.ui.launch import open_request
from composer.ui.main_window import MainWindow
from tests.ui.conftest import wait_saved


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app


def test_events_before_the_window_wait_and_later_ones_go_straight_through(
        qtbot: QtBot, tmp_path: Path) -> None:
    app = _app()
    event_filter = install_file_open_filter(app)
    try:
        got: list[str] = []
        QApplication.sendEvent(app, QFileOpenEvent(QUrl("mailto:ann@x.test?subject=Early")))
        assert got == []
        event_filter.set_handler(got.append)
        assert got == ["mailto:ann@x.test?subject=Early"]
        eml = tmp_path / "note.eml"
        QApplication.sendEvent(app, QFileOpenEvent(str(eml)))
        QApplication.sendEvent(app, QFileOpenEvent(QUrl.fromLocalFile(str(eml))))
        assert got[1:] == [str(eml), str(eml)]
    finally:
        app.removeEventFilter(event_filter)
        event_filter.deleteLater()


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_a_link_and_a_file_opened_while_running_become_drafts_in_the_window(
        qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    app = _app()
    event_filter = install_file_open_filter(app)
    event_filter.set_handler(lambda request: open_request(window, {"mailto": request}))
    try:
        QApplication.sendEvent(
            app, QFileOpenEvent(QUrl("mailto:bob@x.test?subject=From%20a%20link")))
        qtbot.waitUntil(lambda: window.editor.draft is not None   # not the first-start draft
                        and window.editor.draft.subject == "From a link", timeout=5000)
        saved = wait_saved(qtbot, window, lambda d: d.subject == "From a link")
        assert [a.addr for a in saved.to] == ["bob@x.test"]
        eml = tmp_path / "note.eml"
        eml.write_bytes(draft_to_eml(Draft(to=(Address("cy@x.test"),), subject="From a file",
                                           text="hello"), lambda _: b""))
        QApplication.sendEvent(app, QFileOpenEvent(str(eml)))
        qtbot.waitUntil(lambda: window.editor.draft is not None
                        and window.editor.draft.subject == "From a file", timeout=5000)
        saved = wait_saved(qtbot, window, lambda d: d.subject == "From a file")
        assert [a.addr for a in saved.to] == ["cy@x.test"]
    finally:
        app.removeEventFilter(event_filter)
        event_filter.deleteLater()


def test_hostile_requests_keep_only_strings(qtbot: QtBot, window: MainWindow) -> None:
    from composer.ui.single_instance import request_args

    args = request_args({"mailto": 5, "to": ["a@x.test", 3, None], "cc": "b@x.test",
                         "subject": ["x"], "attach": {"a": 1}})
    assert (args.mailto, args.to, args.cc, args.subject, args.attach) == (
        None, ["a@x.test"], [], None, [])
