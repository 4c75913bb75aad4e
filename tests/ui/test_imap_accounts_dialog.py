"""Adding an IMAP account in the accounts dialog, tested with the app's own tester against
a real Dovecot and SMTP server: typed like a person, Test, Save."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from composer.domain.accounts import Account
from composer.secrets import SecretStore
from composer.settings import SettingsFile
from composer.ui.dialogs.accounts_dialog import AccountsDialog, default_tester
from tests.servers.dovecot import Dovecot, MailUser, TestCertificate
from tests.servers.smtp import SmtpServer


def _type(qtbot: QtBot, editor: QLineEdit, text: str) -> None:
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    qtbot.keyClicks(editor, text)


def _fill(qtbot: QtBot, dialog: AccountsDialog, user: MailUser, password: str,
          dovecot: Dovecot, smtp: SmtpServer) -> None:
    dialog.set_kind("imap")
    _type(qtbot, dialog._name, "Home mail")
    _type(qtbot, dialog.field("address"), "me@example.test")
    _type(qtbot, dialog.field("secret"), password)
    _type(qtbot, dialog.field("username"), user.name)
    _type(qtbot, dialog.field("option:imap_host"), "127.0.0.1")
    _type(qtbot, dialog.field("option:imap_port"), str(dovecot.imaps_port))
    _type(qtbot, dialog.field("option:smtp_host"), "127.0.0.1")
    _type(qtbot, dialog.field("option:smtp_port"), str(smtp.port))


@pytest.fixture
def dialog(qtbot: QtBot, tmp_path: Path, certificate: TestCertificate,
           monkeypatch: pytest.MonkeyPatch) -> tuple[AccountsDialog, SettingsFile]:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))  # trust the test servers
    settings = SettingsFile(tmp_path / "settings.json")
    d = AccountsDialog(settings, SecretStore(), default_tester(lambda: datetime.now(UTC)))
    qtbot.addWidget(d)
    return d, settings


def test_add_imap_account_test_and_save(
        qtbot: QtBot, dialog: tuple[AccountsDialog, SettingsFile], dovecot: Dovecot,
        imap_user: MailUser, smtp_server: SmtpServer) -> None:
    d, settings = dialog
    _fill(qtbot, d, imap_user, imap_user.password, dovecot, smtp_server)
    qtbot.mouseClick(d.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.test_button.isEnabled() and "Testing" not in d.message.text(),
                    timeout=20_000)
    assert "IMAP 127.0.0.1" in d.message.text() and "SMTP 127.0.0.1" in d.message.text()
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    [saved] = settings.load().accounts
    assert saved == Account("Home mail", "imap", "", username=imap_user.name,
                            address="me@example.test", options={
                                "imap_host": "127.0.0.1", "imap_port": str(dovecot.imaps_port),
                                "imap_security": "tls", "smtp_host": "127.0.0.1",
                                "smtp_port": str(smtp_server.port),
                                "smtp_security": "starttls", "save_sent": "yes"})
    assert SecretStore().get("Home mail") == imap_user.password
    assert imap_user.password not in settings.path.read_text()


def test_wrong_password_is_named_as_a_refused_sign_in(
        qtbot: QtBot, dialog: tuple[AccountsDialog, SettingsFile], dovecot: Dovecot,
        imap_user: MailUser, smtp_server: SmtpServer) -> None:
    d, _ = dialog
    _fill(qtbot, d, imap_user, "not-the-password", dovecot, smtp_server)
    qtbot.mouseClick(d.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.test_button.isEnabled() and "Testing" not in d.message.text(),
                    timeout=20_000)
    assert "Sign-in refused" in d.message.text()
    assert "not-the-password" not in d.message.text()


def test_security_and_sent_copy_are_chosen_from_drop_downs(
        qtbot: QtBot, tmp_path: Path) -> None:
    """Fixed values are drop-downs picked with the keyboard (nothing to mistype), stored
    as their option values, and shown again when the account is edited."""
    settings = SettingsFile(tmp_path / "settings.json")
    d = AccountsDialog(settings, SecretStore(), lambda account, secret: "ok")
    qtbot.addWidget(d)
    d.set_kind("imap")
    _type(qtbot, d._name, "Home mail")
    _type(qtbot, d.field("address"), "me@example.test")
    _type(qtbot, d.field("secret"), "app-password")
    for key in ("option:imap_security", "option:smtp_security", "option:save_sent"):
        box = d.choice(key)
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Down)    # the second choice of each
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    [saved] = settings.load().accounts
    assert {k: saved.options[k] for k in ("imap_security", "smtp_security", "save_sent")} \
        == {"imap_security": "starttls", "smtp_security": "tls", "save_sent": "no"}
    d.edit(saved)
    assert d.choice("option:imap_security").currentData() == "starttls"
    assert d.choice("option:save_sent").currentData() == "no"
