"""The send-later date and time: a text field a person can type a whole date into
("Sun 28 Mar 2027 02:30", "28 Mar 2027 02:30", "2027-03-28 02:30", "28.3.2027 2:30"), and
a calendar beside it whose days before today cannot be picked. (QDateTimeEdit edits one
section at a time, so typing a whole date into it produced another date.)"""

from __future__ import annotations

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

DISPLAY = "ddd d MMM yyyy HH:mm"
_FORMATS = (DISPLAY, "ddd d MMM yyyy H:mm", "d MMM yyyy HH:mm", "d MMM yyyy H:mm",
            "d MMMM yyyy HH:mm", "d MMMM yyyy H:mm", "yyyy-MM-dd HH:mm", "yyyy-MM-dd H:mm",
            "yyyy-MM-ddTHH:mm", "d.M.yyyy H:mm", "d/M/yyyy H:mm", "MMM d yyyy H:mm",
            "ddd MMM d yyyy H:mm")


def parse_when(text: str) -> QDateTime:
    """What was typed, read in the formats people write; invalid when none fits."""
    cleaned = " ".join(text.replace(",", " ").split())
    for locale in (QLocale(), QLocale(QLocale.Language.English)):
        for fmt in _FORMATS:
            value = locale.toDateTime(cleaned, fmt)
            if value.isValid():
                return value
    return QDateTime()


class WhenField(QWidget):
    #: Enter pressed in the field (apply it)
    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = QDateTime.currentDateTime()
        self.edit = QLineEdit()
        self.edit.setAccessibleName(self.tr("Send at (date and time)"))
        self.edit.setPlaceholderText(self.tr("e.g. Mon 7 Jun 2027 09:00"))
        self.edit.returnPressed.connect(self.submitted)
        self.edit.editingFinished.connect(self._tidy)
        metrics = self.edit.fontMetrics()  # room for the longest date it shows
        self.edit.setMinimumWidth(metrics.horizontalAdvance("Wed 30 Sep 2027 23:59") + 16)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(False)
        self.calendar.clicked.connect(self._picked)
        self._menu = QMenu(self)
        holder = QWidgetAction(self._menu)
        holder.setDefaultWidget(self.calendar)
        self._menu.addAction(holder)
        self.button = QToolButton()
        self.button.setText("▾")
        self.button.setAccessibleName(self.tr("Choose a day"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setMenu(self._menu)
        self._menu.aboutToShow.connect(
            lambda: self.calendar.setSelectedDate(self.dateTime().date()))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.edit)
        self._show()

    def dateTime(self) -> QDateTime:
        """What the field says now (what was typed, when it reads as a date)."""
        typed = parse_when(self.edit.text())
        return typed if typed.isValid() else self._value

    def is_readable(self) -> bool:
        return parse_when(self.edit.text()).isValid()

    def setDateTime(self, value: QDateTime) -> None:
        self._value = value
        self._show()

    def setMinimumDate(self, day: QDate) -> None:
        self.calendar.setMinimumDate(day)

    def _show(self) -> None:
        self.edit.setText(QLocale().toString(self._value, DISPLAY))

    def _tidy(self) -> None:
        typed = parse_when(self.edit.text())
        if typed.isValid():
            self.setDateTime(typed)

    def _picked(self, day: QDate) -> None:
        current = self.dateTime()
        self.setDateTime(QDateTime(day, current.time() if current.isValid() else QTime(9, 0)))
        self._menu.hide()
        self.edit.setFocus()
