"""``draft resolve``: the conflicts the window shows can be settled from the command line
too, against a real (fake) service: a draft changed in two places, and a draft deleted on
the service while it was edited here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from composer.sync.adapters import adapter_class
from composer.sync.http import make_client
from tests.sync.services import SECRETS, Service, five_services
from tests.sync.test_accounts_cli_and_secrets import _add_all, _cli


@pytest.fixture
def services() -> Iterator[dict[str, Service]]:
    with five_services() as running:
        yield running


def _show(capsys: pytest.CaptureFixture[str], data: Path, draft_id: str) -> dict[str, object]:
    code, out, err = _cli(capsys, data, "draft", "show", draft_id, "--json")
    assert code == 0, err
    shown: dict[str, object] = json.loads(out)
    return shown


def _new_synced(capsys: pytest.CaptureFixture[str], data: Path, account: str) -> str:
    code, out, err = _cli(capsys, data, "draft", "new", "--account", account, "--to",
                          "bob@x.example", "--subject", "Figures", "--text", "words")
    assert code == 0, err
    draft_id = out.strip()
    code, _, err = _cli(capsys, data, "sync")
    assert code == 0, err
    return draft_id


def _sync_state(capsys: pytest.CaptureFixture[str], data: Path, draft_id: str
                ) -> dict[str, object]:
    sync = _show(capsys, data, draft_id)["sync"]
    assert isinstance(sync, dict)
    return sync


def _synced_on_exante(capsys: pytest.CaptureFixture[str], data: Path,
                      services: dict[str, Service], monkeypatch: pytest.MonkeyPatch
                      ) -> tuple[Service, str, str]:
    """Every account added by the command line; one draft written and synced to the
    Exante fake: (its service, the draft's id, its remote id)."""
    _add_all(capsys, data, services, monkeypatch)
    draft_id = _new_synced(capsys, data, "work")
    return services["work"], draft_id, str(_sync_state(capsys, data, draft_id)["remote_id"])


def test_a_draft_deleted_on_the_service_is_settled_from_the_command_line(
        tmp_path: Path, services: dict[str, Service], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    service, draft_id, remote_id = _synced_on_exante(capsys, data, services, monkeypatch)
    client = make_client(service.account.base_url, timeout=httpx.Timeout(2.0))
    elsewhere = adapter_class("exante")(service.account, SECRETS["work"], client,
                                        lambda: datetime.now(UTC))
    elsewhere.delete(remote_id)                      # deleted in the web app
    elsewhere.close()
    code, _, err = _cli(capsys, data, "draft", "edit", draft_id, "--subject", "Figures v2")
    assert code == 0, err
    _cli(capsys, data, "sync")
    sync = _sync_state(capsys, data, draft_id)
    assert sync["state"] == "conflict" and sync["last_error_kind"] == "deleted_on_service"
    assert service.live_ids() == set()
    code, _, err = _cli(capsys, data, "draft", "resolve", draft_id, "--keep", "both")
    assert code != 0 and err.count("\n") == 1
    assert err.startswith("mail-composer: error: ") and "save it there again" in err
    assert _sync_state(capsys, data, draft_id)["state"] == "conflict"   # nothing changed
    code, out, err = _cli(capsys, data, "draft", "resolve", draft_id, "--keep", "mine")
    assert code == 0 and "saved to its service again" in out, err
    code, _, err = _cli(capsys, data, "sync")
    assert code == 0, err
    sync = _sync_state(capsys, data, draft_id)
    assert sync["state"] == "synced"
    assert service.remote(str(sync["remote_id"])) == ("Figures v2", "draft")


def test_a_draft_changed_in_two_places_is_settled_from_either_draft(
        tmp_path: Path, services: dict[str, Service], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    service, draft_id, remote_id = _synced_on_exante(capsys, data, services, monkeypatch)
    service.edit_remote(remote_id, "Changed in the web app")
    _cli(capsys, data, "draft", "edit", draft_id, "--subject", "Changed here")
    _cli(capsys, data, "sync")
    code, out, _ = _cli(capsys, data, "draft", "list", "--json")
    rows = json.loads(out)
    [copy] = [r["id"] for r in rows if r["id"] != draft_id]
    code, out, err = _cli(capsys, data, "draft", "resolve", copy, "--keep", "theirs")
    assert code == 0 and out.startswith(draft_id), err
    code, _, err = _cli(capsys, data, "sync")
    assert code == 0, err
    code, out, _ = _cli(capsys, data, "draft", "list", "--json")
    assert [r["subject"] for r in json.loads(out)] == ["Changed in the web app"]
    assert _sync_state(capsys, data, draft_id)["state"] == "synced"
    assert service.live_ids() == {remote_id}
    code, _, err = _cli(capsys, data, "draft", "resolve", draft_id, "--keep", "mine")
    assert code != 0 and "no conflict to resolve" in err
