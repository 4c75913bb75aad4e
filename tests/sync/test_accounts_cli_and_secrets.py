"""Accounts and sync from the command line against the fakes, and the secret-leak check:
after a full run with known secrets, none appears in the database, settings, logs or any
error text."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from composer.cli import run
from tests.memory_keyring import MemoryKeyring
from tests.sync.services import SECRETS, Service, five_services


@pytest.fixture
def services() -> Iterator[dict[str, Service]]:
    with five_services() as running:
        yield running


def _cli(capsys: pytest.CaptureFixture[str], data: Path, *args: str,
         stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None
         ) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = run(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    return code, out, err


def _add_all(capsys: pytest.CaptureFixture[str], data: Path, services: dict[str, Service],
             monkeypatch: pytest.MonkeyPatch) -> None:
    for name, service in services.items():
        a = service.account
        args = ["account", "add", name, "--kind", a.kind, "--base-url", a.base_url,
                "--secret-stdin"]
        if a.username:
            args += ["--username", a.username]
        if a.address:
            args += ["--address", a.address]
        for key, value in a.options.items():
            args += ["--option", f"{key}={value}"]
        code, _, err = _cli(capsys, data, *args, stdin=SECRETS[name] + "\n",
                            monkeypatch=monkeypatch)
        assert code == 0, err


def test_accounts_sync_send_and_no_secret_leaks(
    tmp_path: Path, services: dict[str, Service], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "data"
    _add_all(capsys, data, services, monkeypatch)
    code, out, _ = _cli(capsys, data, "account", "list", "--json")
    listed = json.loads(out)
    assert [a["name"] for a in listed] == list(services)
    assert all(a["secret_stored"] for a in listed)
    for name in services:
        code, out, err = _cli(capsys, data, "account", "test", name)
        assert code == 0 and out.startswith(f"{name}: OK"), err

    ids = {}
    for name, service in services.items():
        to = "pat@customer.example" if service.account.kind == "mykaarma" else "bob@x.example"
        args = ["draft", "new", "--account", name, "--to", to, "--subject", f"Hello {name}",
                "--text", "Body text"]
        if service.account.kind == "mykaarma":
            args += ["--context", "customer_uuid=c-1"]
        code, out, err = _cli(capsys, data, *args)
        assert code == 0, err
        ids[name] = out.strip()
    code, out, err = _cli(capsys, data, "sync")
    assert code == 0, err
    assert out.startswith("pulled 0, pushed 5,")
    for name, draft_id in ids.items():
        shown = json.loads(_cli(capsys, data, "draft", "show", draft_id, "--json")[1])
        assert shown["sync"]["state"] == "synced", name
        assert services[name].remote(shown["sync"]["remote_id"]) == (f"Hello {name}", "draft")

    code, out, err = _cli(capsys, data, "draft", "send", ids["work"])
    assert code == 0, err
    code, out, err = _cli(capsys, data, "sync", "--account", "work")
    assert code == 0 and "sent 1" in out
    shown = json.loads(_cli(capsys, data, "draft", "show", ids["work"], "--json")[1])
    assert shown["status"] == "sent"

    # Failures with the secrets in play: wrong credentials, then service errors.
    MemoryKeyring().set_password("org.mailcomposer.MailComposer", "billing", "sk_WRONG_KEY_42")
    _cli(capsys, data, "draft", "edit", ids["billing"], "--subject", "changed")
    code, out, err = _cli(capsys, data, "sync", "--account", "billing")
    assert code == 1 and "auth" in err
    services["secure"].fake.inject(500)
    _cli(capsys, data, "draft", "edit", ids["secure"], "--subject", "changed too")
    code, out, err = _cli(capsys, data, "sync", "--account", "secure")
    errors = err
    code, _, err = _cli(capsys, data, "account", "test", "billing")
    assert code == 1 and ("sign-in" in err.lower() or "refused" in err.lower())
    errors += err

    secrets = [*SECRETS.values(), "sk_WRONG_KEY_42"]
    everything = b""
    for path in data.rglob("*"):
        if path.is_file():
            everything += path.read_bytes()
    for secret in secrets:
        assert secret.encode() not in everything, f"secret found on disk: {secret[:4]}…"
        assert secret not in errors
    shown_all = "".join(_cli(capsys, data, "draft", "show", d, "--json")[1] for d in ids.values())
    for secret in secrets:
        assert secret not in shown_all


def test_account_add_refuses_bad_input_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    cases = [
        ["account", "add", "x", "--kind", "exante", "--base-url", "http://example.org"],
        ["account", "add", "x", "--kind", "exante", "--base-url", "https://dev.exante.app"],
        ["account", "add", "x", "--kind", "rebilly", "--base-url", "https://a.example",
         "--option", "noequals"],
        ["account", "add", "x", "--kind", "exante", "--base-url", "https://dev.exante.app",
         "--option", "from_account_id=f", "--secret-stdin"],
    ]
    for args in cases:
        code, _, err = _cli(capsys, data, *args, stdin="", monkeypatch=monkeypatch)
        assert code == 1 and err.startswith("mail-composer: error:"), args
    code, out, _ = _cli(capsys, data, "account", "list", "--json")
    assert json.loads(out) == []
    code, _, err = _cli(capsys, data, "account", "remove", "ghost")
    assert code == 1 and "no account 'ghost'" in err


def test_send_is_refused_with_reasons_before_queueing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    code, out, _ = _cli(capsys, data, "draft", "new", "--subject", "nobody")
    draft_id = out.strip()
    code, _, err = _cli(capsys, data, "draft", "send", draft_id)
    assert code == 1
    assert "choose an account" in err and "add at least one valid To address" in err
