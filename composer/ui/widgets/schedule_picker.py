"""Send later: presets, a date-time picker with the time zone shown and changeable,
honest handling of past times and daylight-saving gaps and folds, and clearing."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QDateTime, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from composer.domain.models import Schedule
from composer.domain.schedule import presets, resolve_send_at
from composer.errors import InvalidInputError
from composer.ui.widgets.icons import icon
from composer.ui.widgets.when_field import WhenField


class SchedulePicker(QWidget):
    schedule_changed = Signal(object)  # Schedule | None

    def __init__(self, clock: Callable[[], datetime], default_tz: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._schedule: Schedule | None = None
        #: the daylight-saving note of the current schedule: shown until it changes
        self._note: str | None = None
        self._local_only = False
        self.presets = QToolButton()
        self.presets.setText(self.tr("Send later"))
        self.presets.setIcon(icon("schedule"))
        self.presets.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.presets.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.presets.setAccessibleName(self.tr("Send-later presets"))
        self._menu = QMenu(self)
        self._menu.aboutToShow.connect(self._fill_presets)
        self.presets.setMenu(self._menu)
        self.when = WhenField()
        self.when.submitted.connect(self.apply_picker)
        self.zone = QComboBox()
        self.zone.setEditable(True)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone.addItem(default_tz)
        self.zone.setCurrentText(default_tz)
        self._zones_loaded = False
        self.zone.installEventFilter(self)
        self.zone.setAccessibleName(self.tr("Time zone"))
        self.set_button = QPushButton(self.tr("Set"))
        self.set_button.setAccessibleName(self.tr("Set send-later time"))
        self.set_button.clicked.connect(self.apply_picker)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setAccessibleName(self.tr("Clear send-later time"))
        self.clear_button.clicked.connect(self.clear)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Send-later status"))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.presets)
        row.addWidget(self.when)
        row.addWidget(self.zone, 1)
        row.addWidget(self.set_button)
        row.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self._reset_picker()
        self._show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The ~600 IANA zones are listed on first use, not at start-up.
        if watched is self.zone and not self._zones_loaded and event.type() in (
                QEvent.Type.FocusIn, QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress):
            self._load_zones()
        return super().eventFilter(watched, event)

    def _load_zones(self) -> None:
        self._zones_loaded = True
        current = self.zone.currentText()
        zones = sorted(zoneinfo.available_timezones())
        self.zone.blockSignals(True)
        self.zone.clear()
        self.zone.addItems(zones)
        self.zone.setCurrentText(current)
        self.zone.blockSignals(False)
        completer = QCompleter(zones, self.zone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.zone.setCompleter(completer)

    # -- public ---------------------------------------------------------------------------
    def schedule(self) -> Schedule | None:
        return self._schedule

    def set_schedule(self, schedule: Schedule | None) -> None:
        if schedule != self._schedule:
            self._note = None
        self._schedule = schedule
        if schedule is not None:
            self._show_in_fields(schedule)
        else:
            self._reset_picker()
        self._show()

    def _show_in_fields(self, schedule: Schedule) -> None:
        """The fields show the schedule's instant, in its zone (also after a preset)."""
        if self.zone.findText(schedule.tz) < 0:
            self.zone.addItem(schedule.tz)
        self.zone.setCurrentText(schedule.tz)
        local = schedule.send_at.astimezone(zoneinfo.ZoneInfo(schedule.tz))
        self.when.setDateTime(_qdatetime(local))

    def set_local_only(self, local: bool) -> None:
        """The account's service cannot schedule: the app itself sends at the time."""
        self._local_only = local
        self._show()

    def set_unavailable(self, reason: str | None) -> None:
        for widget in (self.presets, self.when, self.zone, self.set_button):
            widget.setEnabled(reason is None)
        if reason is not None:
            self.status.setText(reason)
            self.setToolTip(reason)
        else:
            self.setToolTip("")
            self._show()

    def choose(self, local: datetime, tz: str) -> bool:
        """Apply a wall time in ``tz``; False (and a message) when it is refused."""
        try:
            choice = resolve_send_at(local.replace(tzinfo=None), tz, self._clock())
        except InvalidInputError as exc:
            self.status.setText("⚠ " + exc.reason)
            return False
        self._schedule = choice.schedule
        self._note = choice.note
        self._show_in_fields(choice.schedule)
        self._show()
        self.schedule_changed.emit(self._schedule)
        return True

    def apply_picker(self) -> bool:
        if not self.when.is_readable():
            self.status.setText(self.tr("⚠ Can't read “%1” as a date and time (e.g. Mon 7 "
                                        "Jun 2027 09:00)").replace("%1", self.when.edit.text()))
            return False
        value = self.when.dateTime()
        local = datetime(value.date().year(), value.date().month(), value.date().day(),
                         value.time().hour(), value.time().minute())
        return self.choose(local, self.zone.currentText().strip())

    def clear(self) -> None:
        self._schedule = None
        self._note = None
        self._reset_picker()
        self._show()
        self.schedule_changed.emit(None)

    # -- internals ------------------------------------------------------------------------
    def _reset_picker(self) -> None:
        tz = self.zone.currentText().strip() or "UTC"
        try:
            now = self._clock().astimezone(zoneinfo.ZoneInfo(tz))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            now = self._clock()
        soon = now.replace(minute=0, second=0, microsecond=0)
        # Days before today (in the chosen zone) cannot be picked in the calendar.
        self.when.setMinimumDate(_qdatetime(now).date())
        self.when.setDateTime(_qdatetime(soon).addSecs(2 * 3600))

    def _fill_presets(self) -> None:
        self._menu.clear()
        tz = self.zone.currentText().strip() or "UTC"
        try:
            options = presets(self._clock(), tz)
        except InvalidInputError as exc:
            self.status.setText("⚠ " + exc.reason)
            return
        for label, when in options:
            action = self._menu.addAction(f"{self.tr(label)} — {when:%a %d %b %H:%M}")
            action.triggered.connect(lambda _=False, w=when, z=tz: self.choose(w, z))

    def _show(self) -> None:
        note = self._note
        if self._schedule is None:
            self.status.setText(self.tr("Sends when you press Send."))
            self.clear_button.setEnabled(False)
            return
        local = self._schedule.send_at.astimezone(zoneinfo.ZoneInfo(self._schedule.tz))
        when = f"{local:%a %d %b %Y %H:%M}"  # the same instant and zone as the list
        if self._local_only:
            text = self.tr("Sends when Mail Composer is running at %1 (%2)")
        else:
            text = self.tr("Sends %1 (%2)")
        text = text.replace("%1", when).replace("%2", self._schedule.tz)
        self.status.setText(text + (f" — {note}" if note else ""))
        self.clear_button.setEnabled(True)


def _qdatetime(value: datetime) -> QDateTime:
    """A wall time (what the clock shows in the chosen zone) for the picker."""
    return QDateTime(value.year, value.month, value.day, value.hour, value.minute, 0)
