"""Settings: autosave and undo-send delays, default account, theme."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QSpinBox,
    QWidget,
)

from composer.settings import Settings
from composer.ui.messages import kind_title


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self._settings = settings
        # In seconds, as people count; stored in milliseconds.
        self.autosave = QDoubleSpinBox()
        self.autosave.setRange(0.3, 10.0)
        self.autosave.setDecimals(1)
        self.autosave.setSingleStep(0.1)
        self.autosave.setSuffix(self.tr(" s"))
        self.autosave.setValue(settings.autosave_idle_ms / 1000)
        self.autosave.setAccessibleName(self.tr("Save this long after you stop typing"))
        self.undo = QSpinBox()
        self.undo.setRange(0, 30)
        self.undo.setSuffix(self.tr(" s"))
        self.undo.setValue(settings.undo_send_seconds)
        self.undo.setAccessibleName(self.tr("Time to undo a send"))
        self.account = QComboBox()
        self.account.setAccessibleName(self.tr("Default account"))
        self.account.addItem(self.tr("On this computer only"), None)
        for a in settings.accounts:
            self.account.addItem(f"{a.name} ({kind_title(a.kind)})", a.name)
            if a.name == settings.default_account:
                self.account.setCurrentIndex(self.account.count() - 1)
        self.theme = QComboBox()
        self.theme.setAccessibleName(self.tr("Theme"))
        for label, value in ((self.tr("Follow the system"), "system"),
                             (self.tr("Light"), "light"), (self.tr("Dark"), "dark")):
            self.theme.addItem(label, value)
            if value == settings.theme:
                self.theme.setCurrentIndex(self.theme.count() - 1)
        self.account.setToolTip(self.tr("New drafts are written from this account"))
        self.undo.setToolTip(self.tr("How long “Undo” stays in the status bar after you "
                                     "press Send (0: send at once)"))
        form = QFormLayout(self)
        form.addRow(self.tr("Save after you stop typing for"), self.autosave)
        form.addRow(self.tr("Undo send for"), self.undo)
        form.addRow(self.tr("New drafts from"), self.account)
        form.addRow(self.tr("Theme"), self.theme)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def result_settings(self) -> Settings:
        idle_ms = round(self.autosave.value() * 1000)
        return self._settings.evolve(
            autosave_idle_ms=idle_ms,
            autosave_max_ms=max(idle_ms * 5, 5000),
            undo_send_seconds=self.undo.value(),
            default_account=self.account.currentData(),
            theme=str(self.theme.currentData()),
        )
