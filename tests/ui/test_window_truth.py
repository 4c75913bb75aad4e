"""What the window shows is what is stored (issue 9), driven with keys and clicks as a
person drives it; each test reads back the cache on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QPushButton, QWidget
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


def _new_typed(qtbot: QtBot, window: MainWindow) -> Draft:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    draft = wait_open(qtbot, window)
    qtbot.waitUntil(lambda: window.editor.to.line_edit().hasFocus())
    return draft


def test_tab_from_to_makes_a_chip_and_moves_to_subject_then_body(qtbot: QtBot,
                                                                  window: MainWindow) -> None:
    _new_typed(qtbot, window)

    def typed(text: str) -> None:
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClicks(focused, text)

    def tab() -> None:
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)

    typed("ann@x.test")
    tab()
    typed("Hello")
    tab()
    typed("Body words")
    assert window.editor.rich.hasFocus()
    saved = wait_saved(qtbot, window, lambda d: "Body words" in d.html)
    assert [a.addr for a in saved.to] == ["ann@x.test"] and all(a.valid for a in saved.to)
    assert saved.subject == "Hello"
    assert [c.address.addr for c in window.editor.to.chip_widgets()] == ["ann@x.test"]


def test_an_address_typed_in_to_is_autosaved_before_it_is_a_chip(qtbot: QtBot,
                                                                  window: MainWindow) -> None:
    _new_typed(qtbot, window)
    qtbot.keyClicks(window.editor.to.line_edit(), "half@typed.test")
    saved = wait_saved(qtbot, window, lambda d: [a.addr for a in d.to] == ["half@typed.test"])
    assert window.editor.to.chip_widgets() == []   # still text in the field, and on disk
    assert saved.subject == ""


@pytest.mark.qt_log_ignore("does not support grabbing the keyboard",  # offscreen popups
                          "does not support raise")
def test_suggestions_quote_a_comma_name_and_skip_what_is_there(qtbot: QtBot,
                                                               paths: Paths) -> None:
    from composer.domain.addresses import parse_addresses

    window = _seeded(qtbot, paths, Draft(subject="Earlier", to=tuple(parse_addresses(
        '"Doe, J" <j@y.test>, Jo <jo@y.test>'))))
    qtbot.waitUntil(lambda: len(window.recipients.known) == 2)
    _new_typed(qtbot, window)
    edit = window.editor.to.line_edit()
    qtbot.keyClicks(edit, "Doe")
    popup = window.editor.to._popup
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    chips = window.editor.to.chip_widgets()
    assert [(c.address.name, c.address.addr) for c in chips] == [("Doe, J", "j@y.test")]
    qtbot.keyClicks(edit, "j")                # j@y.test is in the field: not offered
    qtbot.waitUntil(popup.isVisible)
    offered = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    assert offered == ["Jo <jo@y.test>"]
    qtbot.keyClick(popup, Qt.Key.Key_Escape)
    saved = wait_saved(qtbot, window, lambda d: len(d.to) >= 1)
    assert saved.to[0].name == "Doe, J" and saved.to[0].valid
    window.close()


def test_a_red_chip_shows_its_reason(qtbot: QtBot, window: MainWindow) -> None:
    _new_typed(qtbot, window)
    qtbot.keyClicks(window.editor.to.line_edit(), "not valid;")
    chip = window.editor.to.chip_widgets()[0]
    label = chip.findChild(QLabel)
    assert label is not None and label.isVisible()
    reason = chip.address.error
    assert reason and reason in label.text() and "not valid" in label.text()
    saved = wait_saved(qtbot, window, lambda d: len(d.to) == 1)
    assert saved.to[0].raw == "not valid" and not saved.to[0].valid


def test_ctrl_b_i_u_act_in_the_body_and_the_buttons_follow_the_cursor(
        qtbot: QtBot, paths: Paths) -> None:
    window = _seeded(qtbot, paths, Draft(subject="Fmt", html="<p>Start</p>"))
    _click_body(qtbot, window)
    body = window.editor.rich
    qtbot.keyClick(body, Qt.Key.Key_B, CTRL)
    qtbot.keyClick(body, Qt.Key.Key_I, CTRL)
    qtbot.keyClicks(body, " strong")
    assert window.editor.bold_action.isChecked() and window.editor.italic_action.isChecked()
    qtbot.keyClick(body, Qt.Key.Key_B, CTRL)
    qtbot.keyClick(body, Qt.Key.Key_I, CTRL)
    qtbot.keyClick(body, Qt.Key.Key_U, CTRL)
    qtbot.keyClicks(body, " under")
    saved = wait_saved(qtbot, window, lambda d: "under" in d.html)
    assert "font-weight:700; font-style:italic;\"> strong</span>" in saved.html
    assert "text-decoration: underline;\"> under</span>" in saved.html
    assert window.editor.underline_action.isChecked()
    assert not window.editor.bold_action.isChecked()
    qtbot.keyClick(body, Qt.Key.Key_Home)        # back at the plain start of the line
    assert not window.editor.underline_action.isChecked()
    window.close()


def _link_via_dialog(qtbot: QtBot, window: MainWindow, text: str, address: str) -> None:
    body = window.editor.rich
    window.activateWindow()                      # back from the last dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.waitUntil(body.hasFocus)
    qtbot.keyClick(body, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lambda: window.editor.link_dialog is not None
                    and window.editor.link_dialog.isVisible())
    dialog = window.editor.link_dialog
    assert dialog is not None
    dialog.activateWindow()                      # as the window manager does
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClicks(QApplication.focusWidget(), text)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), address)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    window.editor.link_dialog = None


def test_link_dialog_adds_a_scheme_and_typing_after_a_link_is_plain(
        qtbot: QtBot, paths: Paths) -> None:
    window = _seeded(qtbot, paths, Draft(subject="Links", html="<p>See </p>"))
    _click_body(qtbot, window)
    body = window.editor.rich
    _link_via_dialog(qtbot, window, "the docs", "example.com/x")
    qtbot.keyClicks(body, " after")
    qtbot.keyClick(body, Qt.Key.Key_Return)
    qtbot.keyClicks(body, "Mail ")
    _link_via_dialog(qtbot, window, "", "ann@x.test")
    qtbot.keyClick(body, Qt.Key.Key_Return)
    qtbot.keyClicks(body, "next line")
    saved = wait_saved(qtbot, window, lambda d: "next line" in d.html)
    assert '<a href="https://example.com/x">' in saved.html
    assert 'the docs</span></a> after' in saved.html or 'the docs</a> after' in saved.html
    assert '<a href="mailto:ann@x.test">' in saved.html
    assert saved.html.count("<a ") == 2
    tail = saved.html[saved.html.rindex("</a>"):]
    assert "next line" in tail                      # not inside the link
    window.close()


def test_attach_button_refusal_goes_away_and_the_row_shows_a_paperclip(
        qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    from composer.ui.widgets.draft_list import SUMMARY_ROLE

    draft = _new_typed(qtbot, window)
    big = tmp_path / "huge.bin"
    with big.open("wb") as f:
        f.truncate(33 * 1024 * 1024)              # over the 32 MB limit
    small = tmp_path / "notes.txt"
    small.write_text("some notes", encoding="utf-8")
    picked: list[Path] = [big]
    window.editor.pick_files = lambda: list(picked)
    button = next(b for b in window.editor.attachments.findChildren(QPushButton)
                  if b.text() == "Attach…")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    error = window.editor.attachments.error
    qtbot.waitUntil(error.isVisible, timeout=10_000)
    assert "huge.bin" in error.text()
    qtbot.keyClicks(window.editor.subject, "Notes")   # the user acts again
    assert not error.isVisible()
    picked[:] = [small]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    saved = wait_saved(qtbot, window, lambda d: len(d.attachments) == 1)
    assert saved.attachments[0].name == "notes.txt" and saved.subject == "Notes"

    def row_text() -> str:
        row = window.model.row_of(draft.id)
        if row < 0 or window.model.index(row).data(SUMMARY_ROLE).attachment_count != 1:
            return ""
        return str(window.model.index(row).data(Qt.ItemDataRole.AccessibleTextRole))

    qtbot.waitUntil(lambda: "1 attached" in row_text(), timeout=5000)


def test_list_rows_show_display_names(qtbot: QtBot, paths: Paths) -> None:
    from composer.domain.addresses import parse_addresses

    window = _seeded(qtbot, paths, Draft(subject="Names", to=tuple(parse_addresses(
        '"Doe, J" <j@y.test>, ann@x.test'))))
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    text = str(window.model.index(0).data(Qt.ItemDataRole.AccessibleTextRole))
    assert "to Doe, J, ann@x.test," in text and '"' not in text
    window.close()


def test_escape_clears_the_search_and_no_results_say_so(qtbot: QtBot, paths: Paths) -> None:
    window = _seeded(qtbot, paths, Draft(subject="Budget", html="<p>numbers</p>"))
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    qtbot.waitUntil(window.search.hasFocus)
    qtbot.keyClicks(window.search, "zebra")
    qtbot.waitUntil(lambda: window.no_results.isVisible(), timeout=5000)
    assert "zebra" in window.no_results.text() and window.model.rowCount() == 0
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == ""
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    assert not window.no_results.isVisible()
    window.close()


def _menu_item(qtbot: QtBot, window: MainWindow, menu_title: str, item: str) -> None:
    """Click a menu bar title, then an item of its menu, as a person does."""
    bar = window.menuBar()
    title = next(a for a in bar.actions() if a.text().replace("&", "") == menu_title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(title).center())
    menu = title.menu()
    assert isinstance(menu, QMenu)
    qtbot.waitUntil(menu.isVisible)
    action = next(a for a in menu.actions() if a.text().replace("&", "") == item)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible())


@pytest.mark.qt_log_ignore("does not support grabbing", "does not support raise")
def test_menu_bar_opens_and_saves_eml_and_reaches_deleted_drafts(
        qtbot: QtBot, paths: Paths, tmp_path: Path) -> None:
    from composer.domain.addresses import parse_addresses
    from composer.domain.eml import draft_to_eml, eml_to_draft
    from composer.ui.widgets.draft_list import DELETED

    window = _seeded(qtbot, paths, Draft(subject="Old one", html="<p>gone</p>"))
    old = wait_open(qtbot, window)
    assert [a.text().replace("&", "") for a in window.menuBar().actions()] == [
        "File", "Edit", "View", "Help"]
    incoming = tmp_path / "in.eml"
    incoming.write_bytes(draft_to_eml(Draft(subject="From a file", to=tuple(
        parse_addresses("zed@x.test")), html="<p>Imported body</p>"), lambda _: b""))
    window.eml.ask_open = lambda: incoming
    _menu_item(qtbot, window, "File", "Open .eml…")
    qtbot.waitUntil(lambda: window.editor.draft is not None
                    and window.editor.draft.subject == "From a file", timeout=5000)
    imported = window.editor.draft
    assert imported is not None
    store = DraftStore.open(paths.database)
    try:
        assert [a.addr for a in store.get(imported.id).to] == ["zed@x.test"]
    finally:
        store.close()
    qtbot.keyClicks(window.editor.subject, " (edited)")
    out = tmp_path / "out.eml"
    window.eml.ask_save = lambda suggested: out
    _menu_item(qtbot, window, "File", "Save as .eml…")
    qtbot.waitUntil(out.exists, timeout=5000)
    assert eml_to_draft(out.read_bytes()).draft.subject == "From a file (edited)"
    # Delete the old draft, then find it under View → Deleted drafts and restore it.
    store = DraftStore.open(paths.database)
    try:
        store.delete(old.id)
    finally:
        store.close()
    _menu_item(qtbot, window, "View", "Deleted drafts")
    assert window.model.view == DELETED
    qtbot.waitUntil(lambda: window.model.row_of(old.id) == 0, timeout=5000)
    rect = window.list.visualRect(window.model.index(0))
    qtbot.mouseClick(window.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.editor.read_only_button.isVisible(), timeout=5000)
    assert window.editor.read_only_button.text() == "Restore"
    qtbot.mouseClick(window.editor.read_only_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.row_of(old.id) >= 0
                    and window.model.view != DELETED, timeout=5000)
    assert not window.editor.read_only
    window.close()


@pytest.mark.qt_log_ignore("does not support grabbing", "does not support raise")
def test_settings_theme_dark_darkens_the_window_at_once_and_after_restart(
        qtbot: QtBot, paths: Paths) -> None:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QComboBox, QDialogButtonBox

    from composer.settings import SettingsFile
    from composer.ui.dialogs.settings_dialog import SettingsDialog
    from composer.ui.theme import apply_theme

    window = _seeded(qtbot, paths, Draft(subject="Theme"))

    def lightness(widget: QWidget) -> int:
        return widget.palette().color(QPalette.ColorRole.Window).lightness()

    try:
        _menu_item(qtbot, window, "Edit", "Settings")
        qtbot.waitUntil(lambda: any(isinstance(w, SettingsDialog) and w.isVisible()
                                    for w in QApplication.topLevelWidgets()))
        dialog = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, SettingsDialog) and w.isVisible())
        theme = next(c for c in dialog.findChildren(QComboBox) if c.accessibleName() == "Theme")
        theme.setFocus()
        qtbot.keyClicks(theme, "Dark")            # typing selects the item, as in any combo
        assert theme.currentData() == "dark"
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: lightness(window) < 80)
        assert lightness(window.editor.rich) < 80
        assert window.editor.rich.palette().color(QPalette.ColorRole.Text).lightness() > 180
        window.close()
        assert SettingsFile(paths.settings_file).load().theme == "dark"
        apply_theme("system")                     # a new process starts with the OS look
        apply_theme(SettingsFile(paths.settings_file).load().theme)   # ...as launch() does
        again = open_window(qtbot, paths)
        assert lightness(again) < 80
        again.close()
    finally:
        apply_theme("system")
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() >= 80


@pytest.mark.qt_log_ignore("does not support grabbing", "does not support raise")
def test_send_later_typed_date_dst_note_stays_and_one_time_everywhere(
        qtbot: QtBot, paths: Paths) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from composer.domain.models import utcnow

    window = _seeded(qtbot, paths, Draft(subject="Launch", html="<p>Go</p>"))
    draft = wait_open(qtbot, window)
    picker = window.editor.schedule
    field = picker.when.edit
    # No past days offered: the first day is today on the picker zone's calendar (in
    # Berlin it is already tomorrow from 23:00 UTC in winter), not today in UTC.
    today_there = utcnow().astimezone(ZoneInfo(picker.zone.currentText())).date()
    first = picker.when.calendar.minimumDate()
    assert (first.year(), first.month(), first.day()) == (
        today_there.year, today_there.month, today_there.day)
    assert picker.when.calendar.minimumDate().daysTo(
        picker.when.calendar.maximumDate()) > 300
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    qtbot.keyClick(field, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(field, "Sun 28 Mar 2027 02:45")   # in Berlin's daylight-saving gap
    qtbot.keyClick(field, Qt.Key.Key_Return)
    note = "does not exist"
    assert note in picker.status.text() and "Europe/Berlin" in picker.status.text()
    saved = wait_saved(qtbot, window, lambda d: d.schedule is not None)
    assert saved.schedule is not None
    assert saved.schedule.send_at == datetime(2027, 3, 28, 1, 45, tzinfo=UTC)
    assert saved.schedule.tz == "Europe/Berlin"
    assert field.text() == "Sun 28 Mar 2027 03:45"          # the fields show what is set
    qtbot.waitUntil(lambda: _row_words(window, draft.id), timeout=5000)  # the list row
    qtbot.keyClicks(window.editor.subject, " day")          # autosave and re-check run
    wait_saved(qtbot, window, lambda d: d.subject == "Launch day")
    qtbot.wait(1000)                                         # past the 800 ms re-check
    assert note in picker.status.text()                      # the note stays
    assert "Sun 28 Mar 2027 03:45 (Europe/Berlin)" in window.editor.sync_label.text()
    window.close()


def _row_words(window: MainWindow, draft_id: str) -> bool:
    from composer.ui.widgets.draft_list import SUMMARY_ROLE, short_sync_words

    row = window.model.row_of(draft_id)
    if row < 0:
        return False
    summary = window.model.index(row).data(SUMMARY_ROLE)
    return short_sync_words(summary) == "sends 28 Mar 03:45 Europe/Berlin"


@pytest.mark.qt_log_ignore("does not support grabbing", "does not support raise")
def test_a_send_later_preset_updates_the_fields(qtbot: QtBot, paths: Paths) -> None:
    window = _seeded(qtbot, paths, Draft(subject="Preset", html="<p>x</p>"))
    picker = window.editor.schedule
    before = picker.when.edit.text()
    menu = picker.presets.menu()
    assert isinstance(menu, QMenu)
    chosen: list[QAction] = []

    def pick() -> None:  # the menu runs its own event loop while it is open
        if not menu.isVisible():
            QTimer.singleShot(20, pick)
            return
        chosen.append(menu.actions()[0])
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton,
                         pos=menu.actionGeometry(chosen[0]).center())

    QTimer.singleShot(20, pick)
    qtbot.mouseClick(picker.presets, Qt.MouseButton.LeftButton)
    first = chosen[0]
    saved = wait_saved(qtbot, window, lambda d: d.schedule is not None)
    assert saved.schedule is not None
    shown = picker.when.edit.text()
    assert shown != before or first.text().endswith(before[-5:])
    assert first.text().split(" — ")[1].split()[-1] == shown.split()[-1]   # same HH:MM
    window.close()


def test_history_rows_say_what_changed_and_mark_the_current_one(
        qtbot: QtBot, paths: Paths) -> None:
    from composer.ui.dialogs.history_dialog import HistoryDialog

    window = _seeded(qtbot, paths, Draft(subject="Plan", html="<p>one two three</p>"))
    _click_body(qtbot, window)
    qtbot.keyClicks(window.editor.rich, " four five")
    wait_saved(qtbot, window, lambda d: "four five" in d.html)
    qtbot.keyClicks(window.editor.subject, " B")
    wait_saved(qtbot, window, lambda d: d.subject == "Plan B")
    button = window.toolbar.widgetForAction(window.history_action)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(isinstance(w, HistoryDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, HistoryDialog) and w.isVisible())
    qtbot.waitUntil(lambda: dialog.versions.count() == 3, timeout=5000)
    rows = [dialog.versions.item(i).text() for i in range(3)]
    assert rows[0].endswith("Subject changed  (current)"), rows
    assert rows[1].endswith("+2 words"), rows
    assert rows[2].endswith("first version"), rows
    dialog.reject()
    window.close()


def test_tab_goes_through_cc_when_it_is_shown(qtbot: QtBot, window: MainWindow) -> None:
    _new_typed(qtbot, window)
    qtbot.keyClick(window.editor.to.line_edit(), Qt.Key.Key_C,
                   CTRL | Qt.KeyboardModifier.ShiftModifier)     # show Cc
    qtbot.waitUntil(window.editor.cc.line_edit().hasFocus)
    qtbot.mouseClick(window.editor.to.line_edit(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.editor.to.line_edit(), "to@x.test")
    qtbot.keyClick(window.editor.to.line_edit(), Qt.Key.Key_Tab)
    assert window.editor.cc.line_edit().hasFocus()
    qtbot.keyClicks(window.editor.cc.line_edit(), "cc@x.test")
    qtbot.keyClick(window.editor.cc.line_edit(), Qt.Key.Key_Tab)
    assert window.editor.subject.hasFocus()
    qtbot.keyClicks(window.editor.subject, "Both")
    saved = wait_saved(qtbot, window, lambda d: d.subject == "Both" and len(d.cc) == 1)
    assert [a.addr for a in saved.to] == ["to@x.test"]
    assert [a.addr for a in saved.cc] == ["cc@x.test"]


def test_plain_and_rich_switches_are_stored_as_shown(qtbot: QtBot, paths: Paths) -> None:
    window = _seeded(qtbot, paths, Draft(subject="Mode", html="<p>Some words</p>"))
    editor = window.editor
    editor.confirm_plain = lambda: True           # the "drops the formatting" question: OK
    editor.mode.setFocus()
    qtbot.keyClick(editor.mode, Qt.Key.Key_Down)  # Rich text -> Plain text
    saved = wait_saved(qtbot, window, lambda d: d.body_mode.value == "text")
    assert saved.text == "Some words" and saved.html == ""
    editor.plain.setFocus()
    qtbot.keyClick(editor.plain, Qt.Key.Key_End, CTRL)
    qtbot.keyClicks(editor.plain, " more")
    wait_saved(qtbot, window, lambda d: d.text == "Some words more")
    editor.mode.setFocus()
    qtbot.keyClick(editor.mode, Qt.Key.Key_Up)    # back to Rich text
    saved = wait_saved(qtbot, window, lambda d: d.body_mode.value == "html")
    assert "Some words more" in saved.html
    window.close()
