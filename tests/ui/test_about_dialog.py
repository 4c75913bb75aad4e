"""Help → About shows versions and every licence notice shipped with the app."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from composer import __version__
from composer.ui.dialogs.about_dialog import AboutDialog, licence_files, show_about


def test_the_notices_of_qt_python_and_icu_ship_with_the_app() -> None:
    names = [p.name for p in licence_files()]
    assert names[:4] == ["README.txt", "LGPL-3.0.txt", "GPL-3.0.txt", "Python.txt"]
    assert {"ICU.txt", "Apache-2.0.txt", "bundled-libraries.txt"} <= set(names)
    lgpl = licence_files()[1].read_text(encoding="utf-8")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in lgpl and "Version 3" in lgpl


def test_about_box_shows_versions_and_the_chosen_licence(qtbot: QtBot) -> None:
    dialog = show_about()
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    summary = dialog.summary.text()
    assert __version__ in summary and "PySide6" in summary and "LGPL" in summary
    assert dialog.files.currentItem().text() == "README"
    row = [dialog.files.item(i).text() for i in range(dialog.files.count())].index("ICU")
    rect = dialog.files.visualItemRect(dialog.files.item(row))
    QTest.mouseClick(dialog.files.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, rect.center())
    assert "Unicode, Inc." in dialog.text.toPlainText()
    close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)
    with qtbot.waitSignal(dialog.finished):
        QTest.mouseClick(close, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_a_bundle_without_notices_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(folder=tmp_path / "none")
    qtbot.addWidget(dialog)
    assert dialog.files.count() == 0
    assert "missing" in dialog.text.toPlainText()
