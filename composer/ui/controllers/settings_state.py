"""The settings as the window uses them now: read once, read again after the accounts
or settings dialog saved them; controllers read ``value`` when they need it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from composer.settings import Settings, SettingsFile


class CurrentSettings(QObject):
    changed = Signal()

    def __init__(self, file: SettingsFile, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.file = file
        self.value: Settings = file.load()

    def reload(self) -> None:
        self.value = self.file.load()
        self.changed.emit()
