"""Settings are written atomically and survive damage; secrets live only in the keychain."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from composer.domain.accounts import Account
from composer.errors import InvalidInputError, SecretStoreError
from composer.secrets import SecretStore
from composer.settings import Settings, SettingsFile, validate_account
from tests.memory_keyring import MemoryKeyring


def test_settings_round_trip_and_atomic_write(tmp_path: Path) -> None:
    f = SettingsFile(tmp_path / "cfg" / "settings.json")
    assert f.load() == Settings()
    acct = Account("work", "exante", "https://dev.exante.app", address="a@x.test",
                   options={"from_account_id": "f-1"})
    f.save(Settings(accounts=(acct,), default_account="work", undo_send_seconds=5))
    loaded = f.load()
    assert loaded.accounts == (acct,) and loaded.default_account == "work"
    assert loaded.undo_send_seconds == 5
    assert [p.name for p in f.path.parent.iterdir()] == ["settings.json"]  # no temp left


def test_damaged_settings_are_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    assert SettingsFile(path).load() == Settings()
    [aside] = [p for p in tmp_path.iterdir() if p.name.startswith("settings.json.damaged-")]
    assert aside.read_text() == "{not json"


def test_undo_delay_is_clamped(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"undo_send_seconds": 99}))
    assert SettingsFile(path).load().undo_send_seconds == 30


@pytest.mark.parametrize(
    ("url", "field"),
    [("http://example.org", "base_url"), ("https://u:p@example.org", "base_url"),
     ("https://example.org/?token=x", "base_url")],
)
def test_account_urls_must_be_safe(url: str, field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        validate_account(Account("a", "exante", url))
    assert caught.value.field == field


def test_plain_http_only_for_loopback() -> None:
    validate_account(Account("a", "exante", "http://127.0.0.1:8080"))
    with pytest.raises(InvalidInputError):
        validate_account(Account("a", "nosuchkind", "https://x.example"))


def test_secret_store_uses_the_keyring_api() -> None:
    ring = keyring.get_keyring()
    assert isinstance(ring, MemoryKeyring)
    store = SecretStore()
    store.set("work", "s3cr3t")
    assert store.get("work") == "s3cr3t"
    store.delete("work")
    assert store.get("work") is None
    store.delete("work")  # deleting twice is fine


def test_no_keychain_gives_a_clear_error() -> None:
    store = SecretStore(fail.Keyring())
    with pytest.raises(SecretStoreError, match="no keychain backend is available"):
        store.set("work", "s3cr3t")


def test_the_keychain_backend_is_looked_up_once_by_threads_sharing_the_store(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import composer.secrets as secrets_module
    from tests.memory_keyring import MemoryKeyring

    looked_up: list[int] = []
    entered = threading.Event()
    release = threading.Event()

    def slow_lookup() -> MemoryKeyring:
        looked_up.append(1)
        entered.set()
        release.wait(5)      # the first lookup is still running when the second thread asks
        return MemoryKeyring()

    monkeypatch.setattr(secrets_module, "default_backend", slow_lookup)
    store = secrets_module.SecretStore()
    first = threading.Thread(target=store.set, args=("a", "s1"))
    first.start()
    assert entered.wait(5)
    second = threading.Thread(target=store.get, args=("a",))
    second.start()
    second.join(0.2)
    release.set()
    first.join(5)
    second.join(5)
    assert looked_up == [1]
    assert store.get("a") == "s1"


def test_a_new_drafts_sender_is_one_rule_for_the_window_and_the_command_line(
        tmp_path: Path) -> None:
    from composer.domain.addresses import parse_addresses

    named = Settings(identity_address="ana@x.example", identity_name="Silva, Ana")
    account, sender = named.new_draft_sender()
    assert account is None and sender == '"Silva, Ana" <ana@x.example>'
    [parsed] = parse_addresses(sender)                 # one address, the comma quoted
    assert (parsed.addr, parsed.name) == ("ana@x.example", "Silva, Ana")
    work = Account("work", "exante", "https://dev.exante.app", address="ana@work.example",
                   options={"from_account_id": "a"})
    assert named.evolve(accounts=(work,), default_account="work").new_draft_sender() == \
        ("work", "ana@work.example")
    assert Settings().new_draft_sender() == (None, "")
