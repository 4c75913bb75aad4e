"""The service registry (composer/domain/services.py) is the one list of kinds: every
place that offers, checks or tests a kind reads it, so a kind missed anywhere fails here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from composer.cli import run
from composer.cli.parser import build_headless_parser
from composer.domain.services import KINDS, SERVICES, service
from composer.secrets import SecretStore
from composer.settings import SettingsFile
from composer.sync.adapters import adapter_class
from composer.ui.dialogs.accounts_dialog import KIND_FIELDS, AccountsDialog
from composer.ui.messages import kind_title
from tests.sync.services import BUILDERS, NAMES, REAL_SERVERS, five_services


def test_kinds_are_unique_and_every_entry_is_complete() -> None:
    assert len(KINDS) == len(SERVICES) == len(set(KINDS))
    for entry in SERVICES:
        assert entry.title and entry.fields
        keys = [f.key for f in entry.fields]
        assert len(keys) == len(set(keys)), entry.kind
        assert "secret" in keys, entry.kind
        assert ("base_url" in keys) == entry.base_url, entry.kind
        for option in entry.required_options:   # the form asks for what the CLI insists on
            assert f"option:{option}" in keys, (entry.kind, option)
        for spec in entry.fields:
            assert not spec.choices or spec.default in dict(spec.choices), spec


@pytest.mark.parametrize("kind", KINDS)
def test_the_adapter_class_resolves_and_names_its_kind(kind: str) -> None:
    assert adapter_class(kind).kind == kind  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", KINDS)
def test_the_command_line_offers_the_kind(kind: str) -> None:
    args = build_headless_parser().parse_args(["account", "add", "A", "--kind", kind])
    assert args.kind == kind


@pytest.mark.parametrize("kind", KINDS)
def test_account_add_takes_an_account_of_the_kind(
        kind: str, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entry = service(kind)
    argv = ["--data-dir", str(data_dir), "account", "add", "A", "--kind", kind,
            "--address", "me@example.test"]
    if entry.base_url:
        argv += ["--base-url", "https://service.example.test"]
    for option in entry.required_options:
        argv += ["--option", f"{option}=x-1"]
    assert run(argv) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert run(["--data-dir", str(data_dir), "account", "list", "--json"]) == 0
    [account] = json.loads(capsys.readouterr().out)
    assert account["kind"] == kind


@pytest.mark.parametrize("kind", KINDS)
def test_the_accounts_dialog_shows_the_kinds_form(
        kind: str, qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AccountsDialog(SettingsFile(tmp_path / "settings.json"), SecretStore(),
                            lambda account, secret: "ok")
    qtbot.addWidget(dialog)
    dialog.set_kind(kind)
    assert dialog._kind.currentData() == kind
    assert dialog._kind.currentText() == kind_title(kind) == service(kind).title
    assert [f.key for f in KIND_FIELDS[kind]] == [f.key for f in service(kind).fields]
    for spec in KIND_FIELDS[kind]:
        widget = dialog.choice(spec.key) if spec.choices else dialog.field(spec.key)
        assert widget.accessibleName() == spec.shown_label


def test_every_kind_has_a_fake_in_the_contract_suite_or_a_real_server() -> None:
    assert set(BUILDERS).isdisjoint(REAL_SERVERS)
    assert set(BUILDERS) | set(REAL_SERVERS) == set(KINDS)
    with five_services() as running:   # one account per fake, each in the contract suite
        assert sorted(s.account.kind for s in running.values()) == sorted(BUILDERS)
        assert set(running) == set(NAMES)
