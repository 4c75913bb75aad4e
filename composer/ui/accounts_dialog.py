"""Accounts: add, edit, remove and test an account of each of the five kinds.

Labels and help are in the user's words; the secret goes only to the keychain (the
settings file keeps the rest). "Test" runs on a worker thread and shows the service's
own words when it fails.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from composer.domain.accounts import ACCOUNT_KINDS, Account
from composer.errors import ComposerError
from composer.secrets import SecretStore
from composer.settings import SettingsFile, validate_account
from composer.sync.errors import SyncError


@dataclass(frozen=True)
class Field:
    key: str            # base_url, username, address, secret, or option:<name>
    label: str
    help: str = ""
    default: str = ""
    required: bool = True


KIND_TITLES = {
    "datamotion": "DataMotion SecureMail",
    "onlyoffice": "ONLYOFFICE Mail",
    "exante": "Exante",
    "mykaarma": "myKaarma Communications",
    "rebilly": "Rebilly",
}

KIND_FIELDS: dict[str, list[Field]] = {
    "datamotion": [
        Field("base_url", "Service address", "Usually https://ssl.datamotion.com/"
              "SecureMessagingApi", "https://ssl.datamotion.com/SecureMessagingApi"),
        Field("username", "User ID or email", "What you sign in to SecureMail with"),
        Field("secret", "Password", "Kept in your system keychain, never in a file"),
        Field("address", "Your email address", "Shown as the sender", required=False),
    ],
    "onlyoffice": [
        Field("base_url", "Portal address", "For example https://yourcompany.onlyoffice.com"),
        Field("username", "Sign-in email"),
        Field("secret", "Password", "Kept in your system keychain, never in a file"),
        Field("address", "Send from", "One of your mailboxes in this portal"),
    ],
    "exante": [
        Field("base_url", "API address", "Usually https://dev.exante.app",
              "https://dev.exante.app"),
        Field("secret", "API key", "Starts with ex_live_; create one under API keys"),
        Field("option:from_account_id", "Send-from account ID",
              "The ID of the connected mailbox to send from"),
        Field("address", "Your email address", required=False),
    ],
    "mykaarma": [
        Field("base_url", "API address", "Usually https://api.mykaarma.com/communications",
              "https://api.mykaarma.com/communications"),
        Field("username", "Service user name"),
        Field("secret", "Password", "Kept in your system keychain, never in a file"),
        Field("option:department_uuid", "Department ID"),
        Field("option:user_uuid", "Your user ID", "Leave as 'default' for the department's "
              "default user", "default"),
        Field("address", "Your email address", required=False),
    ],
    "rebilly": [
        Field("base_url", "API address", "https://api.rebilly.com, or "
              "https://api-sandbox.rebilly.com for testing", "https://api.rebilly.com"),
        Field("secret", "Secret API key", "Kept in your system keychain, never in a file"),
        Field("option:organization_id", "Organization ID"),
        Field("address", "Send from", "The sender address for your messages"),
    ],
}

Tester = Callable[[Account, str], str]


def default_tester(clock: Callable[[], object]) -> Tester:
    def test(account: Account, secret: str) -> str:
        from composer.sync.adapters import adapter_class
        from composer.sync.http import make_client

        adapter = adapter_class(account.kind)(account, secret, make_client(account.base_url),
                                              clock)  # type: ignore[arg-type]
        try:
            return adapter.test()
        finally:
            adapter.close()
    return test


class _TestSignals(QObject):
    succeeded = Signal(str)
    failed = Signal(str)


class _TestJob(QRunnable):
    def __init__(self, tester: Tester, account: Account, secret: str) -> None:
        super().__init__()
        self.signals = _TestSignals()
        self._tester, self._account, self._secret = tester, account, secret

    def run(self) -> None:
        try:
            self.signals.succeeded.emit(self._tester(self._account, self._secret))
        except SyncError as err:
            words = err.service_message or err.message
            self.signals.failed.emit(f"{err.kind.value}: {words}")
        except Exception as exc:
            self.signals.failed.emit(str(exc) or type(exc).__name__)


class AccountsDialog(QDialog):
    accounts_changed = Signal()

    def __init__(self, settings_file: SettingsFile, secrets: SecretStore, tester: Tester,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Accounts"))
        self.setAccessibleName(self.tr("Accounts"))
        self._settings_file = settings_file
        self._secrets = secrets
        self._tester = tester
        self._pool = QThreadPool(self)
        self._editors: dict[str, QLineEdit] = {}
        self._editing: str | None = None

        self._list = QListWidget()
        self._list.setAccessibleName(self.tr("Configured accounts"))
        self._list.currentItemChanged.connect(self._on_selected)
        add = QPushButton(self.tr("Add"))
        add.setAccessibleName(self.tr("Add account"))
        add.clicked.connect(self.start_new)
        self._remove = QPushButton(self.tr("Remove"))
        self._remove.setAccessibleName(self.tr("Remove account"))
        self._remove.clicked.connect(self._on_remove)
        left = QVBoxLayout()
        left.addWidget(self._list)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(self._remove)
        left.addLayout(buttons)

        self._name = QLineEdit()
        self._name.setAccessibleName(self.tr("Account name"))
        self._name.setPlaceholderText(self.tr("For example: Work"))
        self._kind = QComboBox()
        self._kind.setAccessibleName(self.tr("Service"))
        for kind in ACCOUNT_KINDS:
            self._kind.addItem(KIND_TITLES[kind], kind)
        self._kind.currentIndexChanged.connect(self._rebuild_fields)
        self._form = QFormLayout()
        self._form.addRow(self.tr("Name"), self._name)
        self._form.addRow(self.tr("Service"), self._kind)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Account status"))
        self.test_button = QPushButton(self.tr("Test"))
        self.test_button.setAccessibleName(self.tr("Test this account"))
        self.test_button.clicked.connect(self.run_test)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setAccessibleName(self.tr("Save this account"))
        self.save_button.clicked.connect(self.save_account)
        actions = QHBoxLayout()
        actions.addWidget(self.test_button)
        actions.addStretch(1)
        actions.addWidget(self.save_button)
        right = QVBoxLayout()
        right.addLayout(self._form)
        right.addWidget(self.message)
        right.addStretch(1)
        right.addLayout(actions)

        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 2)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(body)
        outer.addWidget(close)
        self.resize(720, 420)
        self._rebuild_fields()
        self._reload()

    # -- the list -------------------------------------------------------------------
    def _reload(self, select: str | None = None) -> None:
        self._list.blockSignals(True)
        self._list.clear()
        for account in self._settings_file.load().accounts:
            item = QListWidgetItem(f"{account.name} — {KIND_TITLES[account.kind]}")
            item.setData(256, account.name)
            self._list.addItem(item)
            if account.name == select:
                self._list.setCurrentItem(item)
        self._list.blockSignals(False)
        self._remove.setEnabled(self._list.count() > 0)
        if select is None and self._list.count() == 0:
            self.start_new()

    def _on_selected(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        account = self._settings_file.load().account(str(item.data(256)))
        if account is not None:
            self.edit(account)

    def start_new(self) -> None:
        self._editing = None
        self._name.clear()
        self._kind.setCurrentIndex(0)
        self._rebuild_fields()
        self.message.setText(self.tr("Fill in the details your service gave you, then press "
                                     "Test."))
        self._name.setFocus()

    def edit(self, account: Account) -> None:
        self._editing = account.name
        self._name.setText(account.name)
        self._kind.setCurrentIndex(ACCOUNT_KINDS.index(account.kind))
        self._rebuild_fields()
        for key, editor in self._editors.items():
            if key == "secret":
                editor.clear()
                editor.setPlaceholderText(self.tr("(stored in the keychain; type to replace)"))
            elif key.startswith("option:"):
                editor.setText(account.options.get(key[7:], ""))
            else:
                editor.setText(str(getattr(account, key)))
        self.message.clear()

    def _rebuild_fields(self) -> None:
        while self._form.rowCount() > 2:  # keep Name and Service
            self._form.removeRow(2)
        self._editors.clear()
        kind = str(self._kind.currentData())
        for spec in KIND_FIELDS[kind]:
            editor = QLineEdit()
            editor.setAccessibleName(spec.label)
            editor.setText(spec.default)
            if spec.help:
                editor.setToolTip(spec.help)
                editor.setPlaceholderText(spec.help if not spec.default else "")
            if spec.key == "secret":
                editor.setEchoMode(QLineEdit.EchoMode.Password)
            self._editors[spec.key] = editor
            self._form.addRow(spec.label + ("" if spec.required else self.tr(" (optional)")),
                              editor)

    def field(self, key: str) -> QLineEdit:
        return self._editors[key]

    def set_kind(self, kind: str) -> None:
        self._kind.setCurrentIndex(ACCOUNT_KINDS.index(kind))

    # -- building, testing, saving ------------------------------------------------
    def _account(self) -> tuple[Account, str]:
        kind = str(self._kind.currentData())
        values = {k: e.text().strip() for k, e in self._editors.items()}
        for spec in KIND_FIELDS[kind]:
            if spec.required and spec.key != "secret" and not values.get(spec.key):
                raise ComposerError(self.tr("“%1” is required.").replace("%1", spec.label))
        account = Account(
            name=self._name.text().strip(), kind=kind,
            base_url=values.get("base_url", "").rstrip("/"),
            username=values.get("username", ""), address=values.get("address", ""),
            options={k[7:]: v for k, v in values.items() if k.startswith("option:")},
        )
        validate_account(account)
        secret = values.get("secret", "")
        if not secret and self._editing:
            secret = self._secrets.get(self._editing) or ""
        if not secret:
            label = next(f.label for f in KIND_FIELDS[kind] if f.key == "secret")
            raise ComposerError(self.tr("“%1” is required.").replace("%1", label))
        return account, secret

    def _show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: palette(highlight);")

    def run_test(self) -> None:
        try:
            account, secret = self._account()
        except ComposerError as exc:
            self._show_problem(str(exc))
            return
        self.test_button.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Testing…"))
        job = _TestJob(self._tester, account, secret)
        job.signals.succeeded.connect(self._on_test_ok)
        job.signals.failed.connect(self._on_test_failed)
        self._pool.start(job)

    def _on_test_ok(self, description: str) -> None:
        self.test_button.setEnabled(True)
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Connected: %1").replace("%1", description))

    def _on_test_failed(self, reason: str) -> None:
        self.test_button.setEnabled(True)
        self._show_problem(self.tr("The service said: %1").replace("%1", reason))

    def save_account(self) -> bool:
        try:
            account, secret = self._account()
            self._secrets.set(account.name, secret)
        except ComposerError as exc:
            self._show_problem(str(exc))
            return False
        settings = self._settings_file.load()
        keep = [a for a in settings.accounts if a.name not in (account.name, self._editing)]
        if self._editing and self._editing != account.name:
            self._secrets.delete(self._editing)
        default = settings.default_account
        if default is None or default == self._editing:
            default = account.name
        self._settings_file.save(settings.evolve(accounts=(*keep, account),
                                                 default_account=default))
        self._editing = account.name
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Saved."))
        self._reload(select=account.name)
        self.accounts_changed.emit()
        return True

    def _on_remove(self) -> None:
        item: QListWidgetItem | None = self._list.currentItem()
        if item is None:
            return
        name = str(item.data(256))
        answer = QMessageBox.question(
            self, self.tr("Remove account"),
            self.tr("Remove “%1”? Its drafts stay on this computer.").replace("%1", name))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.remove_account(name)

    def remove_account(self, name: str) -> None:
        settings = self._settings_file.load()
        accounts = tuple(a for a in settings.accounts if a.name != name)
        default = settings.default_account if settings.default_account != name else (
            accounts[0].name if accounts else None)
        self._settings_file.save(settings.evolve(accounts=accounts, default_account=default))
        with contextlib.suppress(ComposerError):
            self._secrets.delete(name)
        self._reload()
        self.accounts_changed.emit()

    def wait_for_tests(self, msecs: int = 10_000) -> bool:
        return self._pool.waitForDone(msecs)
