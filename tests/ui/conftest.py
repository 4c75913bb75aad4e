"""The real main window on a temporary data folder, offscreen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from composer.domain.models import Draft, utcnow
from composer.paths import Paths, resolve_paths
from composer.settings import SettingsFile
from composer.store.drafts import DraftStore
from composer.ui.main_window import MainWindow
from composer.ui.wiring import build_window


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    p = resolve_paths(tmp_path / "data")
    p.ensure()
    return p


def open_window(qtbot: QtBot, paths: Paths) -> MainWindow:
    window = build_window(paths, SettingsFile(paths.settings_file), utcnow,
                          default_tz="Europe/Berlin")
    window.autosaver.set_delays(50, 200)
    qtbot.addWidget(window)
    window.resize(1100, 720)
    window.show()
    return window


@pytest.fixture
def window(qtbot: QtBot, paths: Paths) -> Iterator[MainWindow]:
    w = open_window(qtbot, paths)
    yield w
    w.close()


def wait_open(qtbot: QtBot, window: MainWindow) -> Draft:
    qtbot.waitUntil(lambda: window.editor.draft is not None, timeout=5000)
    draft = window.editor.draft
    assert draft is not None
    return draft


def wait_saved(qtbot: QtBot, window: MainWindow, check) -> Draft:  # type: ignore[no-untyped-def]
    """Wait until the cache on disk holds a version of the open draft passing ``check``."""
    draft_id = wait_open(qtbot, window).id
    found: list[Draft] = []

    def on_disk() -> bool:
        store = DraftStore.open(window.paths.database)
        try:
            d = store.get(draft_id)
        finally:
            store.close()
        if check(d):
            found.append(d)
            return True
        return False

    qtbot.waitUntil(on_disk, timeout=5000)
    return found[0]
