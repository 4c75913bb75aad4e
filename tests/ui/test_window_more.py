"""Autocomplete, no remote content, accessibility, launch, crash recovery."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QMimeData, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from composer.domain.addresses import parse_addresses
from composer.domain.mailto import parse_mailto
from composer.domain.models import Draft, utcnow
from composer.paths import Paths
from composer.settings import SettingsFile
from composer.store.drafts import DraftStore
from composer.ui.main_window import MainWindow
from composer.ui.widgets.body_editor import SafeTextEdit
from composer.ui.wiring import build_window
from tests.ui.conftest import open_window, wait_open

ROOT = Path(__file__).resolve().parents[2]


def test_autocomplete_most_used_first_and_forget(qtbot: QtBot, paths: Paths) -> None:
    store = DraftStore.open(paths.database)
    for n in range(3):
        store.save(Draft(to=tuple(parse_addresses("Bob Builder <bob@x.test>")), subject=str(n)))
    store.save(Draft(to=tuple(parse_addresses("bea@x.test")), subject="b"))
    store.close()
    window = open_window(qtbot, paths)
    qtbot.waitUntil(lambda: len(window.recipients.known) == 2, timeout=5000)
    assert window.suggest("b") == [("bob@x.test", "Bob Builder"), ("bea@x.test", "")]
    assert window.suggest("build") == [("bob@x.test", "Bob Builder")]
    window.editor.to.forget_requested.emit("bob@x.test")
    assert window.suggest("b") == [("bea@x.test", "")]

    def forgotten() -> bool:
        s = DraftStore.open(paths.database)
        try:
            return [r.addr for r in s.recipients.suggest("b")] == ["bea@x.test"]
        finally:
            s.close()

    qtbot.waitUntil(forgotten, timeout=5000)
    window.close()


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def counting_server() -> Iterator[str]:
    _Counter.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_editor_never_loads_remote_content(qtbot: QtBot, counting_server: str) -> None:
    html = (f'<html><head><link rel="stylesheet" href="{counting_server}/style.css">'
            f'<style>p {{ background: url({counting_server}/bg.png); }}</style></head>'
            f'<body><p style="background-image:url({counting_server}/inline.png)">Hi</p>'
            f'<img src="{counting_server}/pixel.gif"><img src="//127.0.0.1/x.gif"></body></html>')
    editor = SafeTextEdit()
    qtbot.addWidget(editor)
    editor.show()
    editor.setHtml(html)                      # loading raw HTML directly
    editor.set_safe_html(html)                # the app's own path
    mime = QMimeData()
    mime.setHtml(html)
    editor.insertFromMimeData(mime)           # pasting
    editor.grab()                             # paint it
    for _ in range(20):
        QCoreApplication.processEvents()
    qtbot.wait(300)
    assert _Counter.hits == []


def test_every_focusable_control_has_an_accessible_name(qtbot: QtBot,
                                                        window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    window.new_draft()
    wait_open(qtbot, window)
    window.editor.to.add_text("a@x.test, broken@")
    window.editor.reveal(window.editor.cc)
    window.editor.reveal(window.editor.bcc)
    unnamed = []
    for widget in window.findChildren(QWidget):
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isVisibleTo(window):
            continue
        if widget.objectName().startswith("qt_") or type(widget).__name__ in (
                "QScrollBar", "QSplitterHandle", "QToolBarExtension", "QCalendarWidget"):
            continue
        name = widget.accessibleName()
        if not name:
            parent = widget.parentWidget()
            # Line edits inside combo boxes and spin boxes are named by their owner.
            if parent is not None and parent.accessibleName() and type(parent).__name__ in (
                    "QComboBox", "QDateTimeEdit", "QSpinBox"):
                continue
            unnamed.append(f"{type(widget).__name__}({widget.objectName()})")
    assert unnamed == []


def test_after_first_frame_work_runs_once_shown_or_not(qtbot: QtBot, paths: Paths) -> None:
    shown = open_window(qtbot, paths)
    fired: list[str] = []
    shown.first_painted.connect(lambda: fired.append("shown"))
    qtbot.waitUntil(lambda: fired == ["shown"], timeout=5000)
    buttons = [shown.toolbar.widgetForAction(a) for a in shown.toolbar.actions()]
    assert [b.accessibleName() for b in buttons if b is not None][:3] == ["New", "Send",
                                                                          "Attach"]
    # A window that never paints (started minimized) still gets there, once.
    hidden = build_window(paths, SettingsFile(paths.settings_file), utcnow)
    qtbot.addWidget(hidden)
    with qtbot.waitSignal(hidden.first_painted, timeout=10_000):
        pass
    qtbot.wait(50)
    assert fired == ["shown"]
    shown.close()
    hidden.close()


def test_mailto_links() -> None:
    f = parse_mailto("mailto:a@x.test,b@x.test?cc=c%40x.test&subject=Hello%20W%C3%B6rld"
                     "&body=Line%201%0D%0ALine%202&to=d@x.test&bcc=e@x.test")
    assert f.to == ["a@x.test", "b@x.test", "d@x.test"] and f.cc == ["c@x.test"]
    assert f.bcc == ["e@x.test"] and f.subject == "Hello Wörld"
    assert f.body == "Line 1\nLine 2"
    assert parse_mailto("mailto:?subject=only").to == []


def _run(args: list[str], data: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    return subprocess.run([sys.executable, "-m", "composer", "--data-dir", str(data), *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
                          **kw)  # type: ignore[call-overload]


def test_smoke_test_and_prefilled_mailto_draft(tmp_path: Path) -> None:
    data = tmp_path / "d"
    done = _run(["--smoke-test", "mailto:bob@x.test?subject=From%20a%20link&body=Hi"], data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("smoke test: painted ")
    listed = json.loads(_run(["draft", "list", "--json"], data).stdout)
    assert [d["subject"] for d in listed] == ["From a link"]
    shown = json.loads(_run(["draft", "show", listed[0]["id"], "--json"], data).stdout)
    assert shown["to"] == ["bob@x.test"] and shown["text"] == "Hi"


def test_qt_arguments_reach_qt(tmp_path: Path) -> None:
    done = _run(["--smoke-test", "-reverse", "-style", "fusion", "-platform", "offscreen"],
                tmp_path / "d")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("smoke test: painted ")
