"""The composer window driven like a user would, with what ends up in the cache checked."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from composer.domain.models import BodyMode
from composer.paths import Paths
from composer.store.drafts import DraftStore
from composer.ui.main_window import MainWindow
from composer.ui.widgets.recipient_field import MIME
from tests.ui.conftest import open_window, wait_open, wait_saved


def _new(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    window.new_draft()
    wait_open(qtbot, window)


def test_first_start_opens_a_new_draft_in_to_then_typing_is_autosaved(
        qtbot: QtBot, window: MainWindow) -> None:
    draft = wait_open(qtbot, window)             # nothing to do first: ready to type
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.waitUntil(window.editor.to.line_edit().hasFocus)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(100)
    assert window.editor.draft is not None and window.editor.draft.id == draft.id  # no 2nd
    qtbot.keyClicks(window.editor.to.line_edit(), "ann@x.test")
    qtbot.keyClick(window.editor.to.line_edit(), Qt.Key.Key_Tab)
    qtbot.keyClicks(window.editor.subject, "Lunch?")
    qtbot.keyClick(window.editor.subject, Qt.Key.Key_Tab)
    qtbot.keyClicks(window.editor.rich, "Pizza at noon")
    saved = wait_saved(qtbot, window, lambda d: "Pizza at noon" in d.html)
    assert saved.subject == "Lunch?" and saved.body_mode is BodyMode.HTML
    assert saved.id == draft.id and [a.addr for a in saved.to] == ["ann@x.test"]
    qtbot.waitUntil(lambda: window.save_status.text() == "Saved")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert window.left_stack.currentIndex() == 0


def test_pasting_a_list_makes_chips_and_keeps_invalid_ones(qtbot: QtBot,
                                                           window: MainWindow) -> None:
    _new(qtbot, window)
    field = window.editor.to
    QGuiApplication.clipboard().setText('a@x.test, "Doe, J" <j@y.test>; c@z.test\nnot valid')
    field.line_edit().setFocus()
    qtbot.keySequence(field.line_edit(), QKeySequence.StandardKey.Paste)
    chips = field.chip_widgets()
    assert [c.address.addr for c in chips[:3]] == ["a@x.test", "j@y.test", "c@z.test"]
    assert chips[1].address.name == "Doe, J"
    assert not chips[3].address.valid and chips[3].toolTip().startswith("Not a valid address")
    saved = wait_saved(qtbot, window, lambda d: len(d.to) == 4)
    assert saved.to[3].raw == "not valid"


def test_typing_separators_backspace_and_duplicates(qtbot: QtBot, window: MainWindow) -> None:
    _new(qtbot, window)
    field = window.editor.to
    edit = field.line_edit()
    qtbot.keyClicks(edit, '"Smith, Ann" <ann@x.test>,')   # comma inside quotes waits
    assert [c.address.addr for c in field.chip_widgets()] == ["ann@x.test"]
    qtbot.keyClicks(edit, "bob@x.test")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClicks(edit, "bob@x.test;")                  # a duplicate is not added
    assert [c.address.addr for c in field.chip_widgets()] == ["ann@x.test", "bob@x.test"]
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)            # selects the last chip
    assert len(field.chip_widgets()) == 2
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)            # removes it
    assert [c.address.addr for c in field.chip_widgets()] == ["ann@x.test"]
    wait_saved(qtbot, window, lambda d: [a.addr for a in d.to] == ["ann@x.test"])


def test_dragging_a_chip_to_cc_moves_it(qtbot: QtBot, window: MainWindow) -> None:
    _new(qtbot, window)
    window.editor.to.add_text("mover@x.test, stays@x.test")
    window.editor.reveal(window.editor.cc)
    chip = window.editor.to.chip_widgets()[0]
    mime = QMimeData()
    mime.setData(MIME, chip.address.formatted().encode())
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.MoveAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.editor.cc.dropEvent(drop)
    assert drop.isAccepted() and drop.dropAction() == Qt.DropAction.MoveAction
    chip.remove_clicked.emit(chip)  # what Chip does when its drag ends as a move
    assert [a.addr for a in window.editor.to.addresses()] == ["stays@x.test"]
    assert [a.addr for a in window.editor.cc.addresses()] == ["mover@x.test"]
    saved = wait_saved(qtbot, window, lambda d: len(d.cc) == 1)
    assert [a.addr for a in saved.to] == ["stays@x.test"]


def test_forty_megabyte_file_is_refused_with_a_clear_message(qtbot: QtBot, window: MainWindow,
                                                             tmp_path: Path) -> None:
    _new(qtbot, window)
    qtbot.keyClicks(window.editor.subject, "Keep me")
    big = tmp_path / "holiday.mov"
    with big.open("wb") as f:
        f.truncate(40 * 1024 * 1024)
    small = tmp_path / "notes.txt"
    small.write_text("remember")
    window.attach_files([big, small])
    qtbot.waitUntil(lambda: window.editor.attachments.error.isVisible(), timeout=5000)
    text = window.editor.attachments.error.text()
    assert "“holiday.mov” is 40.0 MB" in text and "32.0 MB limit" in text
    saved = wait_saved(qtbot, window, lambda d: len(d.attachments) == 1)
    assert saved.attachments[0].name == "notes.txt" and saved.subject == "Keep me"


def test_dropping_a_file_attaches_it(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    _new(qtbot, window)
    doc = tmp_path / "report.pdf"
    doc.write_bytes(b"%PDF-1.4 report")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(doc))])
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.editor.attachments.dropEvent(drop)
    saved = wait_saved(qtbot, window, lambda d: len(d.attachments) == 1)
    assert saved.attachments[0].size == 15
    qtbot.waitUntil(lambda: "1 file" in window.editor.attachments.meter.text())


def test_send_later_in_a_dst_gap_is_moved_and_stored_in_utc(qtbot: QtBot,
                                                           window: MainWindow) -> None:
    _new(qtbot, window)
    picker = window.editor.schedule
    assert not picker.choose(datetime(2001, 1, 1, 9, 0), "Europe/Berlin")
    assert "in the past" in picker.status.text()
    assert picker.choose(datetime(2031, 3, 30, 2, 30), "Europe/Berlin")
    assert "does not exist" in picker.status.text()
    saved = wait_saved(qtbot, window, lambda d: d.schedule is not None)
    assert saved.schedule is not None
    assert saved.schedule.send_at.isoformat() == "2031-03-30T01:30:00+00:00"
    assert saved.schedule.tz == "Europe/Berlin"
    qtbot.mouseClick(picker.clear_button, Qt.MouseButton.LeftButton)
    wait_saved(qtbot, window, lambda d: d.schedule is None)


def test_rich_to_plain_asks_and_plain_to_rich_keeps_text(qtbot: QtBot,
                                                         window: MainWindow) -> None:
    _new(qtbot, window)
    editor = window.editor
    editor.rich.set_safe_html("<p>Hello <b>bold</b> world</p>")
    asked: list[bool] = []
    editor.confirm_plain = lambda: asked.append(True) or False
    assert not editor.set_mode(BodyMode.TEXT)
    assert asked and editor.body.currentIndex() == 0
    editor.confirm_plain = lambda: True
    assert editor.set_mode(BodyMode.TEXT)
    saved = wait_saved(qtbot, window, lambda d: d.body_mode is BodyMode.TEXT)
    assert saved.text == "Hello bold world"
    assert editor.set_mode(BodyMode.HTML)
    saved = wait_saved(qtbot, window, lambda d: d.body_mode is BodyMode.HTML)
    assert "Hello bold world" in editor.rich.toPlainText()


def test_pasted_html_is_sanitized(qtbot: QtBot, window: MainWindow) -> None:
    _new(qtbot, window)
    mime = QMimeData()
    mime.setHtml('<p onclick="evil()">Hi <b>there</b><script>steal()</script>'
                 '<img src="http://127.0.0.1:9/pixel.gif"></p>')
    window.editor.rich.insertFromMimeData(mime)
    saved = wait_saved(qtbot, window, lambda d: "there" in d.html)
    for bad in ("onclick", "script", "steal", "pixel.gif"):
        assert bad not in saved.html
    assert "font-weight" in saved.html or "<b>" in saved.html


def test_delete_then_undo(qtbot: QtBot, window: MainWindow) -> None:
    _new(qtbot, window)
    qtbot.keyClicks(window.editor.subject, "Regret")
    draft = wait_saved(qtbot, window, lambda d: d.subject == "Regret")
    window.delete_current()
    qtbot.waitUntil(lambda: window.undo_button.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: window.model.rowCount() == 0, timeout=5000)
    qtbot.mouseClick(window.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: window.editor.draft is not None and
                    window.editor.draft.id == draft.id, timeout=5000)


def test_history_restore(qtbot: QtBot, window: MainWindow) -> None:
    _new(qtbot, window)
    qtbot.keyClicks(window.editor.subject, "First")
    wait_saved(qtbot, window, lambda d: d.subject == "First")
    window.editor.subject.setText("")
    qtbot.keyClicks(window.editor.subject, "Second")
    wait_saved(qtbot, window, lambda d: d.subject == "Second")
    from composer.ui.dialogs.history_dialog import HistoryDialog

    draft = window.editor.draft
    assert draft is not None
    dialog = HistoryDialog(window.bridge, draft.id, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.versions.count() >= 3, timeout=5000)
    row = next(i for i in range(dialog.versions.count())
               if "— First —" in dialog.versions.item(i).text())
    dialog.versions.setCurrentRow(row)
    with qtbot.waitSignal(dialog.restored, timeout=5000):
        dialog.restore_selected()
    saved = wait_saved(qtbot, window, lambda d: d.subject == "First")
    assert saved.revision >= 4


def test_reopens_the_draft_that_was_open(qtbot: QtBot, paths: Paths) -> None:
    store = DraftStore.open(paths.database)
    from composer.domain.models import Draft

    older = store.save(Draft(subject="older"))
    store.save(Draft(subject="newer"))
    store.close()
    first = open_window(qtbot, paths)
    qtbot.waitUntil(lambda: first.editor.draft is not None, timeout=5000)
    first.open_draft(older.id)
    qtbot.waitUntil(lambda: first.editor.draft is not None and
                    first.editor.draft.id == older.id, timeout=5000)
    first.close()
    second = open_window(qtbot, paths)
    qtbot.waitUntil(lambda: second.editor.draft is not None, timeout=5000)
    assert second.editor.draft is not None and second.editor.draft.id == older.id
    assert second.editor.subject.text() == "older"
    second.close()


def test_closing_saves_what_was_typed_last(qtbot: QtBot, paths: Paths) -> None:
    window = open_window(qtbot, paths)
    window.autosaver.set_delays(60_000, 60_000)   # no timer would fire before close
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    window.new_draft()
    draft = wait_open(qtbot, window)
    qtbot.keyClicks(window.editor.subject, "typed just before closing")
    window.close()
    store = DraftStore.open(paths.database)
    assert store.get(draft.id).subject == "typed just before closing"
    store.close()
    QApplication.processEvents()


def test_pasting_a_file_attaches_it(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    _new(qtbot, window)
    doc = tmp_path / "pasted.txt"
    doc.write_text("from the clipboard")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(doc))])
    window.editor.rich.insertFromMimeData(mime)
    saved = wait_saved(qtbot, window, lambda d: len(d.attachments) == 1)
    assert saved.attachments[0].name == "pasted.txt"
    assert "pasted.txt" not in window.editor.rich.toPlainText()


def test_disk_full_says_so_keeps_the_text_and_retry_saves_it(qtbot: QtBot,
                                                              window: MainWindow) -> None:
    _new(qtbot, window)
    qtbot.keyClicks(window.editor.subject, "Budget")
    saved = wait_saved(qtbot, window, lambda d: d.subject == "Budget")
    done: list[object] = []

    def cap(store: DraftStore) -> None:  # the disk is full: the file cannot grow
        pages = store.connection.execute("PRAGMA page_count").fetchone()[0]
        store.connection.execute(f"PRAGMA max_page_count={pages}")

    window.bridge.submit(cap, done.append)
    qtbot.waitUntil(lambda: len(done) == 1, timeout=5000)
    long_text = "figures " * 60_000
    window.editor.rich.setFocus()
    window.editor.rich.insertPlainText(long_text)
    qtbot.waitUntil(lambda: window.save_status.text().startswith("Couldn't save:"),
                    timeout=5000)
    assert "disk is full" in window.save_status.text()
    assert window.retry_button.isVisible()
    assert window.editor.rich.toPlainText() == long_text   # nothing typed is lost
    on_disk = DraftStore.open(window.paths.database)
    assert on_disk.get(saved.id).subject == "Budget"       # the last good save is intact
    on_disk.close()

    window.bridge.submit(
        lambda store: store.connection.execute("PRAGMA max_page_count=1073741823"),
        done.append)
    qtbot.waitUntil(lambda: len(done) == 2, timeout=5000)
    qtbot.mouseClick(window.retry_button, Qt.MouseButton.LeftButton)
    wait_saved(qtbot, window, lambda d: "figures figures" in d.html)
    qtbot.waitUntil(lambda: window.save_status.text() == "Saved", timeout=5000)
    assert not window.retry_button.isVisible()
