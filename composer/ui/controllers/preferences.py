"""Accounts, Settings and About: the dialogs that change what the window works with.
After a change the settings are read again (``CurrentSettings.changed`` tells)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from composer.secrets import SecretStore
from composer.ui.controllers.settings_state import CurrentSettings


class PreferencesController(QObject):
    def __init__(self, settings: CurrentSettings, secrets: SecretStore,
                 clock: Callable[[], datetime], dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self._settings = settings
        self._secrets = secrets
        self._clock = clock
        self._parent = dialog_parent
        self.about_box: QObject | None = None

    def show_accounts(self, account: str | None = None) -> None:
        """The accounts dialog; with ``account``, that account open for editing."""
        # The dialog's tester imports the adapter layer: loaded on first use.
        from composer.ui.dialogs.accounts_dialog import AccountsDialog, default_tester

        dialog = AccountsDialog(self._settings.file, self._secrets,
                                default_tester(self._clock), self._parent)
        dialog.accounts_changed.connect(self._settings.reload)
        if account is not None:
            dialog.select(account)
        dialog.open()

    def show_settings(self) -> None:
        # The dialog, and what applies its theme, load on first use: start-up speed.
        from composer.ui.dialogs.settings_dialog import SettingsDialog
        from composer.ui.theme import apply_theme
        from composer.ui.widgets.icons import retint

        dialog = SettingsDialog(self._settings.file.load(), self._parent)

        def accepted() -> None:
            self._settings.file.save(dialog.result_settings())
            self._settings.reload()
            apply_theme(self._settings.value.theme)
            retint(self._parent)

        dialog.accepted.connect(accepted)
        dialog.open()

    def show_about(self) -> None:
        """Help → About: versions and the licence texts of everything the app bundles."""
        from composer.ui.dialogs.about_dialog import show_about  # start-up speed

        self.about_box = show_about(self._parent)
