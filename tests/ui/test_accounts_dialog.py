"""The accounts dialog: fields per kind, secret to the keychain only, Test, remove."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from composer.domain.accounts import Account
from composer.secrets import SecretStore
from composer.settings import SettingsFile
from composer.sync.errors import SyncError, SyncErrorKind
from composer.ui.dialogs.accounts_dialog import KIND_FIELDS, AccountsDialog


def _dialog(qtbot: QtBot, tmp_path: Path, tester=None) -> tuple[AccountsDialog, SettingsFile]:  # type: ignore[no-untyped-def]
    settings = SettingsFile(tmp_path / "settings.json")

    def ok(account: Account, secret: str) -> str:
        return f"{account.kind} as {account.username or account.address}"

    dialog = AccountsDialog(settings, SecretStore(), tester or ok)
    qtbot.addWidget(dialog)
    return dialog, settings


def test_every_kind_has_its_own_fields(qtbot: QtBot, tmp_path: Path) -> None:
    dialog, _ = _dialog(qtbot, tmp_path)
    for kind, fields in KIND_FIELDS.items():
        dialog.set_kind(kind)
        for spec in fields:
            editor = dialog.choice(spec.key) if spec.choices else dialog.field(spec.key)
            assert editor.accessibleName() == spec.label
    dialog.set_kind("mykaarma")
    assert dialog.field("option:user_uuid").text() == "default"


def test_add_exante_account_keeps_the_key_out_of_the_settings_file(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog, settings = _dialog(qtbot, tmp_path)
    dialog.set_kind("exante")
    qtbot.keyClicks(dialog._name, "Work")
    qtbot.keyClicks(dialog.field("secret"), "ex_live_SECRET123")
    qtbot.keyClicks(dialog.field("option:from_account_id"), "acc-1")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    [account] = settings.load().accounts
    assert account == Account("Work", "exante", "https://dev.exante.app",
                              options={"from_account_id": "acc-1"})
    assert settings.load().default_account == "Work"
    assert SecretStore().get("Work") == "ex_live_SECRET123"
    assert "ex_live_SECRET123" not in settings.path.read_text()


def test_missing_required_field_is_named(qtbot: QtBot, tmp_path: Path) -> None:
    dialog, settings = _dialog(qtbot, tmp_path)
    dialog.set_kind("rebilly")
    qtbot.keyClicks(dialog._name, "Billing")
    qtbot.keyClicks(dialog.field("secret"), "sk_x")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Organization ID" in dialog.message.text()
    assert settings.load().accounts == ()


def test_test_button_shows_the_services_words(qtbot: QtBot, tmp_path: Path) -> None:
    def refuse(account: Account, secret: str) -> str:
        raise SyncError(SyncErrorKind.AUTH, "auth failed",
                        service_message="User credentials are invalid.")

    dialog, _ = _dialog(qtbot, tmp_path, refuse)
    dialog.set_kind("datamotion")
    qtbot.keyClicks(dialog._name, "Secure")
    qtbot.keyClicks(dialog.field("username"), "me@x.test")
    qtbot.keyClicks(dialog.field("secret"), "wrong")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "User credentials are invalid." in dialog.message.text())
    assert dialog.test_button.isEnabled()


def test_edit_keeps_the_stored_secret_and_remove_deletes_it(qtbot: QtBot,
                                                            tmp_path: Path) -> None:
    dialog, settings = _dialog(qtbot, tmp_path)
    dialog.set_kind("rebilly")
    qtbot.keyClicks(dialog._name, "Billing")
    qtbot.keyClicks(dialog.field("secret"), "sk_live")
    qtbot.keyClicks(dialog.field("option:organization_id"), "org-1")
    qtbot.keyClicks(dialog.field("address"), "billing@x.test")
    assert dialog.save_account()
    dialog.edit(settings.load().accounts[0])
    dialog.field("address").setText("bills@x.test")
    assert dialog.save_account()
    assert settings.load().accounts[0].address == "bills@x.test"
    assert SecretStore().get("Billing") == "sk_live"
    dialog.remove_account("Billing")
    assert settings.load().accounts == () and SecretStore().get("Billing") is None


def test_field_labels_are_translatable(qtbot: QtBot, tmp_path: Path) -> None:
    """The labels live in the service registry's module-level table: lupdate finds them
    (the _TR alias) and the dialog shows them through the installed translator."""
    import shutil
    import subprocess
    import sys

    from PySide6.QtCore import QCoreApplication, QTranslator

    def tool(name: str) -> str:  # the PySide6 tools installed beside this Python
        beside = Path(sys.executable).with_name(name)
        found = str(beside) if beside.exists() else shutil.which(name)
        assert found, f"{name} (PySide6's tools) not found"
        return found

    source = Path(__file__).resolve().parents[2] / "composer" / "domain" / "services.py"
    ts, qm = tmp_path / "de.ts", tmp_path / "de.qm"
    subprocess.run([tool("pyside6-lupdate"), str(source), "-ts", str(ts),
                    "-tr-function-alias", "QT_TR_NOOP+=_TR"], check=True, capture_output=True)
    text = ts.read_text(encoding="utf-8")
    assert "<source>API key</source>" in text
    ts.write_text(text.replace(
        "<source>API key</source>\n        <translation type=\"unfinished\"></translation>",
        "<source>API key</source>\n        <translation>API-Schlüssel</translation>"),
        encoding="utf-8")
    subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True,
                   capture_output=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        dialog, _ = _dialog(qtbot, tmp_path)
        dialog.set_kind("exante")
        assert dialog.field("secret").accessibleName() == "API-Schlüssel"
    finally:
        QCoreApplication.removeTranslator(translator)
