"""Conflict view (differences highlighted, three choices) and the settings dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import Draft
from composer.settings import Settings
from composer.ui.dialogs.conflict_dialog import ConflictDialog
from composer.ui.dialogs.settings_dialog import SettingsDialog


def test_conflict_dialog_highlights_differences_and_reports_the_choice(qtbot: QtBot) -> None:
    mine = Draft(to=tuple(parse_addresses("bob@x.test")), subject="Plan v2", html="<p>a</p>")
    theirs = mine.evolve(subject="Plan (edited online)", html="<p>b</p>")
    for choice, button in (("mine", "keep_mine"), ("theirs", "keep_theirs"),
                           ("both", "keep_both")):
        dialog = ConflictDialog(mine, theirs, "Work (Exante)")
        qtbot.addWidget(dialog)
        assert dialog.differing == ["Subject", "Body"]
        with qtbot.waitSignal(dialog.resolved) as blocker:
            qtbot.mouseClick(getattr(dialog, button), Qt.MouseButton.LeftButton)
        assert blocker.args == [choice]


def test_settings_dialog_round_trip(qtbot: QtBot) -> None:
    settings = Settings(accounts=(Account("Work", "exante", "https://dev.exante.app"),),
                        undo_send_seconds=10)
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.undo.setValue(25)
    dialog.account.setCurrentIndex(1)
    dialog.theme.setCurrentIndex(2)
    result = dialog.result_settings()
    assert result.undo_send_seconds == 25 and result.default_account == "Work"
    assert result.theme == "dark" and result.accounts == settings.accounts
    dialog.undo.setValue(99)
    assert dialog.result_settings().undo_send_seconds == 30
