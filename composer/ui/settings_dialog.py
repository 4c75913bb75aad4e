"""Settings: autosave and undo-send delays, default account, theme."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QWidget,
)

from composer.settings import Settings


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self._settings = settings
        self.autosave = QSpinBox()
        self.autosave.setRange(300, 10_000)
        self.autosave.setSingleStep(100)
        self.autosave.setSuffix(self.tr(" ms"))
        self.autosave.setValue(settings.autosave_idle_ms)
        self.autosave.setAccessibleName(self.tr("Save after this much idle time"))
        self.undo = QSpinBox()
        self.undo.setRange(0, 30)
        self.undo.setSuffix(self.tr(" s"))
        self.undo.setValue(settings.undo_send_seconds)
        self.undo.setAccessibleName(self.tr("Time to undo a send"))
        self.account = QComboBox()
        self.account.setAccessibleName(self.tr("Default account"))
        self.account.addItem(self.tr("On this computer only"), None)
        for a in settings.accounts:
            self.account.addItem(a.name, a.name)
            if a.name == settings.default_account:
                self.account.setCurrentIndex(self.account.count() - 1)
        self.theme = QComboBox()
        self.theme.setAccessibleName(self.tr("Theme"))
        for label, value in ((self.tr("Follow the system"), "system"),
                             (self.tr("Light"), "light"), (self.tr("Dark"), "dark")):
            self.theme.addItem(label, value)
            if value == settings.theme:
                self.theme.setCurrentIndex(self.theme.count() - 1)
        form = QFormLayout(self)
        form.addRow(self.tr("Autosave after"), self.autosave)
        form.addRow(self.tr("Undo send for"), self.undo)
        form.addRow(self.tr("Default account"), self.account)
        form.addRow(self.tr("Theme"), self.theme)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def result_settings(self) -> Settings:
        return self._settings.evolve(
            autosave_idle_ms=self.autosave.value(),
            autosave_max_ms=max(self.autosave.value() * 5, 5000),
            undo_send_seconds=self.undo.value(),
            default_account=self.account.currentData(),
            theme=str(self.theme.currentData()),
        )
