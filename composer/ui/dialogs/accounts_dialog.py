"""Accounts: add, edit, remove and test an account of any kind the service registry
(composer/domain/services.py) declares.

Labels and help are in the user's words; the secret goes only to the keychain (the
settings file keeps the rest). "Test" runs on a worker thread and shows the service's
own words when it fails.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, fields

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
)
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

from composer.domain.accounts import Account
from composer.domain.services import KINDS, SERVICES
from composer.domain.services import Field as ServiceField
from composer.errors import ComposerError
from composer.secrets import SecretStore
from composer.settings import SettingsFile, validate_account
from composer.sync.errors import SyncError
from composer.ui.messages import KIND_TITLES

# Labels and help texts are in English in the service registry (composer/domain/services.py,
# marked there for Qt's lupdate), and translated when shown (Field.shown_label,
# Field.shown_help) in the empty context.
_CTX = ""


@dataclass(frozen=True)
class Field(ServiceField):
    """A field of the registry's account form, translated when shown."""

    @property
    def shown_label(self) -> str:
        return QCoreApplication.translate(_CTX, self.label)

    @property
    def shown_help(self) -> str:
        return QCoreApplication.translate(_CTX, self.help) if self.help else ""


#: each service's form, as its registry entry declares it
KIND_FIELDS: dict[str, list[Field]] = {
    s.kind: [Field(**{f.name: getattr(spec, f.name) for f in fields(spec)}) for spec in s.fields]
    for s in SERVICES
}

Tester = Callable[[Account, str], str]


def _in_sentence(label: str) -> str:
    """A field label inside a sentence: "API key" stays, "Password" -> "password"."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


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
    failed = Signal(str, str)   # error kind ("" when not a service error), words


class _TestJob(QRunnable):
    def __init__(self, tester: Tester, account: Account, secret: str) -> None:
        super().__init__()
        self.signals = _TestSignals()
        self._tester, self._account, self._secret = tester, account, secret

    def run(self) -> None:
        try:
            self.signals.succeeded.emit(self._tester(self._account, self._secret))
        except SyncError as err:
            self.signals.failed.emit(err.kind.value, err.service_message or err.message)
        except Exception as exc:
            self.signals.failed.emit("", str(exc) or type(exc).__name__)


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
        self._choices: dict[str, QComboBox] = {}
        self._editing: str | None = None

        self._list = QListWidget()
        self._list.setAccessibleName(self.tr("Configured accounts"))
        # Name and service on two lines: nothing is cut off or scrolled sideways.
        self._list.setWordWrap(True)
        self._list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._list.setSpacing(2)
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
        for kind in KINDS:
            self._kind.addItem(KIND_TITLES[kind], kind)
        self._kind.currentIndexChanged.connect(self._rebuild_fields)
        self._heading = QLabel()
        self._heading.setAccessibleName(self.tr("What the form shows"))
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
        # Enter in a field saves the account (it must never press Add, which clears the
        # form, or Remove).
        for button in (add, self._remove, self.test_button):
            button.setAutoDefault(False)
        self.save_button.setDefault(True)
        actions = QHBoxLayout()
        actions.addWidget(self.test_button)
        actions.addStretch(1)
        actions.addWidget(self.save_button)
        right = QVBoxLayout()
        right.addWidget(self._heading)
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
        self.resize(780, 440)
        self._rebuild_fields()
        self._reload()

    # -- the list -------------------------------------------------------------------
    def _reload(self, select: str | None = None) -> None:
        self._list.blockSignals(True)
        self._list.clear()
        for account in self._settings_file.load().accounts:
            item = QListWidgetItem(f"{account.name}\n{KIND_TITLES[account.kind]}")
            item.setData(256, account.name)
            item.setToolTip(f"{account.name} — {KIND_TITLES[account.kind]}")
            self._list.addItem(item)
            if account.name == select:
                self._list.setCurrentItem(item)
        self._list.blockSignals(False)
        self._remove.setEnabled(self._list.currentItem() is not None)
        if select is None and self._list.count() == 0:
            self.start_new()

    def _on_selected(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        account = self._settings_file.load().account(str(item.data(256)))
        if account is not None:
            self.edit(account)

    def select(self, name: str) -> None:
        """Show the account ``name`` for editing, selected in the list."""
        account = self._settings_file.load().account(name)
        if account is not None:
            self.edit(account)

    def start_new(self) -> None:
        self._editing = None
        self._list.blockSignals(True)
        self._list.clearSelection()
        self._list.setCurrentRow(-1)
        self._list.blockSignals(False)
        self._remove.setEnabled(False)   # nothing chosen to remove
        self._heading.setText(self.tr("<b>New account</b>"))
        self._name.clear()
        self._kind.setCurrentIndex(0)
        self._rebuild_fields()
        self._show_note(self.tr("Fill in the details your service gave you, then press "
                                "Test."))
        self._name.setFocus()

    def edit(self, account: Account) -> None:
        self._editing = account.name
        self._heading.setText(self.tr("<b>%1</b> — %2").replace(
            "%1", account.name.replace("&", "&amp;").replace("<", "&lt;"))
            .replace("%2", KIND_TITLES[account.kind]))
        self._name.setText(account.name)
        self._kind.setCurrentIndex(KINDS.index(account.kind))
        self._rebuild_fields()
        for key, editor in self._editors.items():
            if key == "secret":
                editor.clear()
                editor.setPlaceholderText(self.tr("(stored in the keychain; type to replace)"))
            elif key.startswith("option:"):
                editor.setText(account.options.get(key[7:], ""))
            else:
                editor.setText(str(getattr(account, key)))
            editor.setCursorPosition(0)   # a long address shows its beginning
        for key, box in self._choices.items():
            value = account.options.get(key[7:], "")
            index = box.findData(value)
            if index >= 0:
                box.setCurrentIndex(index)
        self._show_note("")
        self._list.blockSignals(True)       # the list shows which account this is
        for row in range(self._list.count()):
            item = self._list.item(row)
            if item.data(256) == account.name:
                self._list.setCurrentItem(item)
        self._list.blockSignals(False)
        self._remove.setEnabled(self._list.currentItem() is not None)

    def _rebuild_fields(self) -> None:
        while self._form.rowCount() > 2:  # keep Name and Service
            self._form.removeRow(2)
        self._editors.clear()
        self._choices.clear()
        kind = str(self._kind.currentData())
        for spec in KIND_FIELDS[kind]:
            if spec.choices:
                box = QComboBox()
                box.setAccessibleName(spec.shown_label)
                for value, label in spec.choices:
                    box.addItem(QCoreApplication.translate(_CTX, label), value)
                box.setCurrentIndex(max(box.findData(spec.default), 0))
                self._choices[spec.key] = box
                self._form.addRow(spec.shown_label, box)
                continue
            editor = QLineEdit()
            editor.setAccessibleName(spec.shown_label)
            editor.setText(spec.default)
            if spec.shown_help:
                editor.setToolTip(spec.shown_help)
                editor.setPlaceholderText(spec.shown_help if not spec.default else "")
            if spec.key == "secret":
                editor.setEchoMode(QLineEdit.EchoMode.Password)
            editor.setCursorPosition(0)
            self._editors[spec.key] = editor
            self._form.addRow(spec.shown_label + ("" if spec.required else self.tr(" (optional)")),
                              editor)

    def field(self, key: str) -> QLineEdit:
        return self._editors[key]

    def choice(self, key: str) -> QComboBox:
        return self._choices[key]

    def set_kind(self, kind: str) -> None:
        self._kind.setCurrentIndex(KINDS.index(kind))

    # -- building, testing, saving ------------------------------------------------
    def _account(self) -> tuple[Account, str]:
        kind = str(self._kind.currentData())
        values = {k: e.text().strip() for k, e in self._editors.items()}
        values |= {k: str(box.currentData()) for k, box in self._choices.items()}
        for spec in KIND_FIELDS[kind]:
            if spec.required and spec.key != "secret" and not values.get(spec.key):
                raise ComposerError(self.tr("“%1” is required.").replace("%1", spec.shown_label))
        account = Account(
            name=self._name.text().strip(), kind=kind,
            base_url=values.get("base_url", "").rstrip("/"),
            username=values.get("username", ""), address=values.get("address", ""),
            options={k[7:]: v for k, v in values.items() if k.startswith("option:") and v},
        )
        validate_account(account)
        secret = values.get("secret", "")
        if not secret and self._editing:
            secret = self._secrets.get(self._editing) or ""
        if not secret:
            label = next(f.shown_label for f in KIND_FIELDS[kind] if f.key == "secret")
            raise ComposerError(self.tr("“%1” is required.").replace("%1", label))
        return account, secret

    def _show_problem(self, text: str) -> None:
        self._show_note(text, problem=True)

    def _show_note(self, text: str, *, problem: bool = False) -> None:
        """The message under the form; a problem in the theme's problem colour."""
        self.message.setText(text)
        if bool(self.message.property("problem")) != problem:
            self.message.setProperty("problem", problem)
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)

    def run_test(self) -> None:
        try:
            account, secret = self._account()
        except ComposerError as exc:
            self._show_problem(str(exc))
            return
        self.test_button.setEnabled(False)
        self._show_note(self.tr("Testing…"))
        job = _TestJob(self._tester, account, secret)
        job.signals.succeeded.connect(self._on_test_ok)
        job.signals.failed.connect(self._on_test_failed)
        self._pool.start(job)

    def _on_test_ok(self, description: str) -> None:
        self.test_button.setEnabled(True)
        self._show_note(self.tr("Connected: %1").replace("%1", description))

    def _on_test_failed(self, kind: str, reason: str) -> None:
        self.test_button.setEnabled(True)
        specs = {f.key: _in_sentence(f.shown_label)
                 for f in KIND_FIELDS[str(self._kind.currentData())]}
        specs.setdefault("base_url", self.tr("server settings"))  # IMAP: host names
        if kind == "auth":
            what = self.tr("Sign-in refused: check the %1.").replace(
                "%1", specs.get("secret", ""))
        elif kind == "forbidden":
            what = self.tr("Signed in, but not allowed to work with drafts: check the "
                           "permissions of this sign-in with your service.")
        elif kind == "transient":
            what = self.tr("The service could not be reached: check the %1 and your "
                           "connection.").replace("%1", specs.get("base_url", ""))
        elif kind == "not_found":
            what = self.tr("Nothing answers at this address: check the %1.").replace(
                "%1", specs.get("base_url", ""))
        else:
            what = self.tr("The test failed.")
        self._show_problem(self.tr("%1 The service said: “%2”").replace("%1", what)
                           .replace("%2", reason))

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
        self._reload(select=account.name)
        self.edit(account)
        self._show_note(self.tr("Saved."))
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
