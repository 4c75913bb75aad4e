"""Secrets to the wrong host, and path injection through a draft's context."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.domain.context import check_context
from composer.domain.eml import eml_to_draft
from composer.domain.models import Draft
from composer.errors import InvalidInputError
from composer.settings import check_base_url
from composer.store.drafts import DraftStore
from tests.hostile.conftest import Cli, Unchanged, assert_refused

REFUSED_URLS = [
    "http://localhost.evil.test/", "http://localhost@evil.test/", "http://127.0.0.1.evil.test",
    "http://evil.test/#@127.0.0.1", "http://evil.test\\@127.0.0.1/", "http://[::2]/",
    "http://0x7f000001.evil/", "http:///path", "https://", "http://", "https:/x.test",
    "https://x.test/ path", "https://x.test/\x00", "https://x.test/\r\nHost: y",
    "https://user:pw@x.test", "https://x.test/?token=1", "ftp://x.test", "javascript:x",
    "http://127.0.0.1:99999/", "https://x.test:0/", "http://localhost\t/", " https://x.test",
    "http://[::1", "http://2130706433/", "http://169.254.169.254/",
]
ACCEPTED_URLS = ["https://x.example", "https://x.example:8443/api/v1/", "http://127.0.0.1:8080",
                 "http://127.5.6.7/api", "http://localhost:3000/", "http://[::1]:9000/",
                 "http://LOCALHOST/"]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_hostile_service_addresses_are_refused(url: str) -> None:
    with pytest.raises(InvalidInputError):
        check_base_url(url)


@pytest.mark.parametrize("url", ACCEPTED_URLS)
def test_real_service_addresses_are_accepted(url: str) -> None:
    check_base_url(url)


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_plain_http_is_only_ever_accepted_for_a_loopback_host(rest: str) -> None:
    url = "http://" + rest
    try:
        check_base_url(url)
    except InvalidInputError:
        return
    host = urlsplit(url).hostname or ""
    assert host == "localhost" or ipaddress.ip_address(host).is_loopback
    assert not any(c.isspace() or not c.isprintable() for c in url)


HOSTILE_VALUES = ["../../admin", "a/b", "x?y=1", "x#y", "%2e%2e", "..", ".", "a\\b", "a\nb",
                  "a\u2028b", "a\x00b", " padded", "x" * 257, ""]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_context_values_are_refused_everywhere(
        value: str, cli: Cli, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError):
        check_context({"customer_uuid": value})
    store = DraftStore.open(tmp_path / "s.sqlite3")
    try:
        with pytest.raises(InvalidInputError):
            store.save(Draft(context={"customer_uuid": value}))
        assert store.count() == 0
    finally:
        store.close()
    eml = tmp_path / "ctx.eml"
    eml.write_bytes(b"From: a@x.test\r\nSubject: s\r\nX-Composer-Context: " +
                    json.dumps({"customer_uuid": value}).encode() + b"\r\n\r\nbody\r\n")
    draft_id = cli.new("--subject", "before")
    with Unchanged(cli.data):
        if value:  # (an empty value on the command line removes the key)
            assert_refused(cli("draft", "edit", draft_id, "--context",
                               f"customer_uuid={value}"), code=1, words="context")
        assert_refused(cli("draft", "import", str(eml)), code=1, words="context")


@given(st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=4))
@settings(max_examples=200, deadline=None)
def test_accepted_context_is_safe_in_a_url_path(context: dict[str, str]) -> None:
    try:
        checked = check_context(context)
    except InvalidInputError:
        return
    for value in checked.values():
        assert not set(value) & set("/\\?#%") and value not in (".", "..")
        assert value.isprintable()


def test_context_that_is_not_an_object_is_refused_on_import() -> None:
    for header in (b"[1, 2]", b"{not json", b"[" * 5000):
        with pytest.raises(InvalidInputError):
            eml_to_draft(b"From: a@x.test\r\nX-Composer-Context: " + header + b"\r\n\r\nx\r\n")


def test_a_hand_edited_settings_file_never_sends_a_secret_to_a_plain_http_host(
        tmp_path: Path) -> None:
    """settings.json edited by hand (not through `account add`): the adapter pool checks
    the account before the secret is read, so nothing is sent to the wrong host."""
    from composer.domain.models import utcnow
    from composer.secrets import SecretStore
    from composer.settings import SettingsFile
    from composer.sync.errors import SyncError, SyncErrorKind
    from composer.sync.service import AdapterPool
    from tests.memory_keyring import MemoryKeyring

    settings = tmp_path / "settings.json"
    keyring = MemoryKeyring()
    secrets = SecretStore(keyring)
    secrets.set("evil", "sk_live_SECRET")
    SettingsFile(settings).load()  # the defaults, then an account nobody validated
    data = json.loads(settings.read_text(encoding="utf-8")) if settings.exists() else {}
    data["accounts"] = [{"name": "evil", "kind": "exante",
                         "base_url": "http://localhost.evil.test/api"}]
    settings.write_text(json.dumps(data), encoding="utf-8")
    pool = AdapterPool(SettingsFile(settings), secrets, utcnow)
    with pytest.raises(SyncError) as caught:
        pool("evil")
    assert caught.value.kind is SyncErrorKind.AUTH
    assert "https://" in str(caught.value) and "SECRET" not in str(caught.value)
