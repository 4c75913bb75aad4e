"""``mail-composer sync`` reports one line per account and problem, every one starting
``mail-composer: error:``; a sign-in refused while pulling stops that account for the
pass (no second line per draft). ``draft show --json`` has every documented key even
for a draft that never synced."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.memory_keyring import MemoryKeyring
from tests.sync.services import Service, five_services
from tests.sync.test_accounts_cli_and_secrets import _add_all, _cli

SYNC_KEYS = {"state", "remote_id", "last_error", "last_error_kind", "last_synced_at",
             "retry_at"}


@pytest.fixture
def services() -> Iterator[dict[str, Service]]:
    with five_services() as running:
        yield running


def test_one_line_per_account_and_problem(
    tmp_path: Path, services: dict[str, Service], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "data"
    _add_all(capsys, data, services, monkeypatch)
    for name in ("billing", "secure", "work"):
        for n in range(3):
            args = ["draft", "new", "--account", name, "--to", "bob@x.example",
                    "--subject", f"{name} {n}", "--text", "words"]
            code, _, err = _cli(capsys, data, *args)
            assert code == 0, err
    wrong = {"billing": "sk_WRONG_KEY_42", "secure": "not the password"}
    for name, secret in wrong.items():
        MemoryKeyring().set_password("org.mailcomposer.MailComposer", name, secret)
    requests_before = {n: len(services[n].fake.requests) for n in wrong}
    code, out, err = _cli(capsys, data, "sync")
    lines = err.splitlines()
    assert code == 1
    assert all(line.startswith("mail-composer: error: ") for line in lines), lines
    assert sorted(line.split(": ")[2] for line in lines) == ["billing", "secure"], lines
    assert all("auth" in line for line in lines)
    for secret in wrong.values():
        assert secret not in err
    # the pull's refusal stopped the account: no create was tried after it
    assert services["billing"].fake.count("POST") == 0
    assert len(services["secure"].fake.requests) - requests_before["secure"] == 1  # logon
    assert "pushed 3," in out  # the work account went on


def test_show_json_has_every_documented_sync_key(
    tmp_path: Path, services: dict[str, Service], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "data"
    code, out, _ = _cli(capsys, data, "draft", "new", "--subject", "never synced")
    shown = json.loads(_cli(capsys, data, "draft", "show", out.strip(), "--json")[1])
    assert set(shown["sync"]) == SYNC_KEYS
    _add_all(capsys, data, services, monkeypatch)
    code, out, _ = _cli(capsys, data, "draft", "new", "--account", "work", "--to",
                        "bob@x.example", "--subject", "synced")
    assert code == 0
    draft_id = out.strip()
    assert _cli(capsys, data, "sync")[0] == 0
    shown = json.loads(_cli(capsys, data, "draft", "show", draft_id, "--json")[1])
    assert set(shown["sync"]) == SYNC_KEYS and shown["sync"]["state"] == "synced"
