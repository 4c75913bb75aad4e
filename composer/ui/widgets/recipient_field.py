"""To / Cc / Bcc as chips.

Type or paste one or many addresses; Enter, comma or semicolon completes a chip, Tab (or a click
elsewhere) completes it and moves on;
Backspace on an empty input selects the last chip, a second Backspace removes it; a
chip's × removes it, a double-click edits it; chips drag between fields (a move, never
a duplicate); an invalid address stays as a red chip with the reason as its tooltip;
suggestions come from addresses used before (Shift+Delete forgets one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, QStringListModel, Qt, Signal
from PySide6.QtGui import (
    QDrag,
    QDragEnterEvent,
    QDropEvent,
    QFocusEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from composer.domain.addresses import parse_addresses
from composer.domain.models import Address
from composer.ui.widgets.flow_layout import FlowLayout

MIME = "application/x-composer-address"
Suggester = Callable[[str], list[tuple[str, str]]]


class Chip(QFrame):
    remove_clicked = Signal(object)
    edit_requested = Signal(object)

    def __init__(self, address: Address, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.address = address
        self.setObjectName("chip")
        self.setProperty("invalid", not address.valid)
        self.setProperty("selected", False)
        if address.valid:
            label = address.name or address.addr
        else:  # the reason is shown, not only in a tooltip
            label = self.tr("%1 — %2").replace("%1", address.raw or address.addr).replace(
                "%2", address.error or self.tr("not a valid address"))
        self._label = QLabel(label)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        close = QToolButton()
        close.setText("×")
        close.setAutoRaise(True)
        close.setCursor(Qt.CursorShape.PointingHandCursor)
        close.setAccessibleName(self.tr("Remove %1").replace("%1", address.formatted()))
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(lambda: self.remove_clicked.emit(self))
        self.close_button = close
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 1, 2, 1)
        layout.setSpacing(2)
        layout.addWidget(self._label)
        layout.addWidget(close)
        if address.valid:
            self.setToolTip(address.formatted())
            self.setAccessibleName(self.tr("%1, recipient").replace("%1", address.formatted()))
        else:
            reason = address.error or ""
            self.setToolTip(self.tr("Not a valid address: %1").replace("%1", reason))
            self.setAccessibleName(self.tr("%1, invalid: %2").replace(
                "%1", address.raw or address.addr).replace("%2", reason))
        self._press: QPoint | None = None

    def set_selected(self, selected: bool) -> None:
        self.setProperty("selected", selected)
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or (event.position().toPoint() - self._press).manhattanLength() \
                < QApplication.startDragDistance():
            return
        drag = QDrag(self)
        mime = QMimeData()
        mime.setData(MIME, self.address.formatted().encode("utf-8"))
        mime.setText(self.address.formatted())
        drag.setMimeData(mime)
        drag.setPixmap(self.grab())
        self._press = None
        if drag.exec(Qt.DropAction.MoveAction) == Qt.DropAction.MoveAction:
            self.remove_clicked.emit(self)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.edit_requested.emit(self)


class RecipientField(QWidget):
    addresses_changed = Signal()
    #: text typed into the input (not yet a chip): saved like any other text
    input_edited = Signal()
    forget_requested = Signal(str)

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setAccessibleName(self.tr("%1 recipients").replace("%1", label))
        self._chips: list[Chip] = []
        self._flow = FlowLayout(self, spacing=4)
        self._input = QLineEdit()
        self._input.setFrame(False)
        self._input.setMinimumWidth(160)
        self._input.setPlaceholderText(self.tr("Add recipients…"))
        self._input.setAccessibleName(self.tr("Add %1 recipient").replace("%1", label))
        self._input.textEdited.connect(self._on_edited)
        self._flow.addWidget(self._input)
        self._suggester: Suggester | None = None
        self._model = QStringListModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setFilterMode(Qt.MatchFlag.MatchContains)
        popup = self._completer.popup()
        assert popup is not None
        self._popup = popup
        popup.installEventFilter(self)
        popup.setAccessibleName(self.tr("Suggested addresses"))
        self._input.setCompleter(self._completer)
        # After setCompleter: the line edit puts the chosen text in first, then this
        # turns it into a chip and empties the input.
        self._completer.activated.connect(self._on_completed)
        self._completed: str | None = None
        self._input.textChanged.connect(self._on_text_set)
        self._selected_last = False
        self.setFocusProxy(self._input)
        self._input.installEventFilter(self)  # last: the filter uses everything above

    # -- public ---------------------------------------------------------------------------
    def line_edit(self) -> QLineEdit:
        return self._input

    def addresses(self) -> tuple[Address, ...]:
        return tuple(c.address for c in self._chips)

    def set_addresses(self, items: Iterable[Address]) -> None:
        for chip in list(self._chips):
            self._drop_chip(chip)
        for address in items:
            self._add_chip(address)
        self._input.clear()

    def set_suggester(self, suggester: Suggester | None) -> None:
        self._suggester = suggester

    def add_text(self, text: str) -> int:
        """Add every address in ``text``; returns how many chips were added."""
        added = 0
        for address in parse_addresses(text):
            if self._add_chip(address):
                added += 1
        if added:
            self.addresses_changed.emit()
        return added

    def commit_input(self) -> bool:
        text = self._input.text().strip()
        if not text:
            return False
        self._input.clear()
        self.add_text(text)
        return True

    def chip_widgets(self) -> list[Chip]:
        return list(self._chips)

    # -- chips ----------------------------------------------------------------------------
    def _key(self, address: Address) -> str:
        return address.addr.lower() if address.valid else (address.raw or address.addr)

    def _add_chip(self, address: Address) -> bool:
        if any(self._key(c.address) == self._key(address) for c in self._chips):
            return False
        chip = Chip(address, self)
        chip.close_button.setVisible(self.isEnabled())
        chip.remove_clicked.connect(self._on_remove)
        chip.edit_requested.connect(self._on_edit)
        self._flow.insertWidget(len(self._chips), chip)
        self._chips.append(chip)
        chip.show()
        self.updateGeometry()
        return True

    def _drop_chip(self, chip: Chip) -> None:
        self._chips.remove(chip)
        index = next(i for i in range(self._flow.count())
                     if self._flow.itemAt(i) is not None
                     and self._flow.itemAt(i).widget() is chip)  # type: ignore[union-attr]
        self._flow.takeAt(index)
        chip.hide()
        chip.deleteLater()
        self.updateGeometry()

    def _on_remove(self, chip: Chip) -> None:
        if chip in self._chips:
            self._drop_chip(chip)
            self.addresses_changed.emit()

    def _on_edit(self, chip: Chip) -> None:
        text = chip.address.formatted()
        self._on_remove(chip)
        self._input.setText(text)
        self._input.setFocus()

    # -- typing, pasting, completing ------------------------------------------------------
    def _on_edited(self, text: str) -> None:
        self._completed = None
        self._clear_selection()
        self.input_edited.emit()
        if any(sep in text for sep in ",;\n"):
            head, _, tail = text.replace(";", ",").replace("\n", ",").rpartition(",")
            if _balanced(head):
                self._input.setText(tail.lstrip())
                self.add_text(head)
                return
        if self._suggester is not None and len(text.strip()) >= 1:
            # Quoted when the name needs it ("Doe, J" is one recipient, not two); an
            # address already in this field is not offered again.
            have = {c.address.addr.lower() for c in self._chips if c.address.valid}
            self._model.setStringList(
                [Address(addr, name).formatted()
                 for addr, name in self._suggester(text.strip()) if addr.lower() not in have])
            if self._model.rowCount() and not self._popup.isVisible():
                # The line edit asked the completer before this list was set: from the
                # first letter typed, not the second.
                self._completer.setCompletionPrefix(text.strip())
                self._completer.complete()

    def _on_completed(self, text: str) -> None:
        self._input.clear()
        self._completed = text
        self.add_text(text)

    def _on_text_set(self, text: str) -> None:
        # The line edit writes the chosen suggestion in too (before or after
        # _on_completed, depending on connection order): it is a chip already.
        # It may do so more than once: the flag lasts until the user types.
        if self._completed is not None and text == self._completed:
            self._input.clear()

    def _clear_selection(self) -> None:
        if self._selected_last and self._chips:
            self._chips[-1].set_selected(False)
        self._selected_last = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._popup and event.type() == QEvent.Type.KeyPress:
            key = QKeyEvent(event)  # type: ignore[call-overload]
            if key.key() == Qt.Key.Key_Delete and \
                    key.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                index = self._popup.currentIndex()
                if index.isValid():
                    text = str(index.data())
                    forgotten = parse_addresses(text)
                    if forgotten and forgotten[0].valid:
                        self.forget_requested.emit(forgotten[0].addr)
                    rows = [r for r in self._model.stringList() if r != text]
                    self._model.setStringList(rows)
                return True
        if watched is self._input and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._on_key(event)
        if watched is self._input and event.type() == QEvent.Type.FocusOut:
            assert isinstance(event, QFocusEvent)
            # Leaving with Tab (also from the suggestion list) or a click: the typed
            # address becomes a chip, not text carried into the next field.
            if event.reason() in (Qt.FocusReason.TabFocusReason,
                                  Qt.FocusReason.BacktabFocusReason,
                                  Qt.FocusReason.MouseFocusReason):
                self.commit_input()
        return super().eventFilter(watched, event)

    def _on_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if event.matches(QKeySequence.StandardKey.Paste):
            text = QGuiApplication.clipboard().text()
            if any(sep in text for sep in ",;\n"):
                self.add_text(self._input.text() + " " + text if self._input.text() else text)
                self._input.clear()
                return True
            return False
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._popup.isVisible():
                return False
            self.commit_input()
            return True
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            # The address becomes a chip and Tab moves on, as in every mail client.
            self._popup.hide()
            self.commit_input()
            return False
        if key == Qt.Key.Key_Backspace and not self._input.text() and self._chips:
            if self._selected_last:
                self._selected_last = False
                self._on_remove(self._chips[-1])
            else:
                self._selected_last = True
                self._chips[-1].set_selected(True)
            return True
        if key not in (Qt.Key.Key_Shift, Qt.Key.Key_Control):
            self._clear_selection()
        return False

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.EnabledChange:
            # Read-only (a sent or deleted message): no input and no "×" to remove.
            editable = self.isEnabled()
            self._input.setVisible(editable)
            for chip in self._chips:
                chip.close_button.setVisible(editable)
        super().changeEvent(event)

    # -- drag and drop --------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasFormat(MIME) or mime.hasText():
            event.setDropAction(Qt.DropAction.MoveAction if mime.hasFormat(MIME)
                                else Qt.DropAction.CopyAction)
            event.accept()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        text = bytes(mime.data(MIME).data()).decode("utf-8") if mime.hasFormat(MIME) \
            else mime.text()
        if event.source() is not None and isinstance(event.source(), Chip) and \
                event.source().parent() is self:
            event.ignore()  # dropped back where it came from: nothing to do
            return
        before = len(self._chips)
        self.add_text(text)
        if mime.hasFormat(MIME):
            # A move: the source removes its chip (even when this field had it already).
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        elif len(self._chips) > before:
            event.acceptProposedAction()


def _balanced(text: str) -> bool:
    """True when ``text`` has no open quote or angle bracket (a comma inside a quoted
    name must not complete a chip)."""
    quoted = False
    depth = 0
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            depth += 1
        elif not quoted and ch == ">":
            depth = max(depth - 1, 0)
    return not quoted and depth == 0
