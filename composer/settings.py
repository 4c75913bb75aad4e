"""Typed settings in one JSON file, written atomically; accounts' non-secret parts live here.

Secrets are never written here (they go to the OS keychain through ``composer.secrets``).
A damaged settings file is moved aside and defaults are used, with a warning logged.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from composer.domain.accounts import Account
from composer.domain.models import Address
from composer.domain.services import BY_KIND, KINDS
from composer.errors import InvalidInputError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Settings:
    autosave_idle_ms: int = 1000
    autosave_max_ms: int = 5000
    undo_send_seconds: int = 10
    theme: str = "system"  # system | light | dark
    default_account: str | None = None
    identity_name: str = ""
    identity_address: str = ""
    accounts: tuple[Account, ...] = ()

    def account(self, name: str) -> Account | None:
        return next((a for a in self.accounts if a.name == name), None)

    def new_draft_sender(self) -> tuple[str | None, str]:
        """(account, From) a new draft starts with, in the window and on the command line:
        the default account and its address, else the identity (with its name, quoted
        when it needs to be)."""
        sender = self.identity_address
        if sender and self.identity_name:
            sender = Address(self.identity_address, self.identity_name).formatted()
        if self.default_account:
            account = self.account(self.default_account)
            sender = account.address if account and account.address else sender
        return self.default_account, sender

    def evolve(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _from_dict(data: dict[str, Any]) -> Settings:
    accounts = tuple(
        Account(
            name=str(a["name"]), kind=str(a["kind"]), base_url=str(a["base_url"]),
            username=str(a.get("username", "")), address=str(a.get("address", "")),
            options={str(k): str(v) for k, v in dict(a.get("options", {})).items()},
        )
        for a in data.get("accounts", [])
    )
    undo = int(data.get("undo_send_seconds", 10))
    return Settings(
        autosave_idle_ms=int(data.get("autosave_idle_ms", 1000)),
        autosave_max_ms=int(data.get("autosave_max_ms", 5000)),
        undo_send_seconds=min(max(undo, 0), 30),
        theme=str(data.get("theme", "system")),
        default_account=data.get("default_account"),
        identity_name=str(data.get("identity_name", "")),
        identity_address=str(data.get("identity_address", "")),
        accounts=accounts,
    )


class SettingsFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Settings:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Settings()
        except IsADirectoryError:
            raise InvalidInputError(
                "settings", f"{self.path} is a folder where the settings file should be; move "
                "it away") from None
        except UnicodeDecodeError:
            raw = ""  # not UTF-8: damaged, moved aside below
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return _from_dict(data)
        except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as exc:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
            self.path.rename(aside)
            log.warning("settings file was damaged (%s); moved to %s", type(exc).__name__, aside)
            return Settings()

    def save(self, settings: Settings) -> None:
        data = asdict(settings)
        data["schema_version"] = SCHEMA_VERSION
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2, ensure_ascii=False)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def validate_account(account: Account) -> None:
    if not account.name.strip():
        raise InvalidInputError("name", "an account needs a name")
    if account.kind not in BY_KIND:
        raise InvalidInputError(
            "kind", f"unknown kind {account.kind!r}; choose one of {', '.join(KINDS)}"
        )
    if not BY_KIND[account.kind].base_url:  # imap: servers in options, not a URL
        from composer.domain.mail_servers import mail_servers

        mail_servers(account)
        return
    check_base_url(account.base_url)


def check_base_url(url: str) -> None:
    """A service address secrets may be sent to: ``https://host[:port][/path]``, or plain
    ``http://`` only to a host that is literally loopback (``localhost``, 127.0.0.0/8,
    ``[::1]``). Parsed, not prefix-matched: ``http://localhost.evil.test`` is refused.
    No credentials, query or fragment; no spaces or control characters anywhere."""
    from urllib.parse import urlsplit

    from composer.domain.mail_servers import is_loopback

    def refuse(reason: str) -> InvalidInputError:
        return InvalidInputError("base_url", reason)

    if any(ch.isspace() or not ch.isprintable() or ch == "\\" for ch in url):
        raise refuse("the service address must not contain spaces, control characters or "
                     "backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise refuse(f"{url[:80]!r} is not a valid address (check the host and port)"
                     ) from None
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise refuse("the service address must start with https:// (plain http is only "
                     "allowed for 127.0.0.1 / localhost)")
    if not host:
        raise refuse("the service address has no host name")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise refuse("the service address must not contain credentials or a query")
    if parts.query or "?" in url or parts.fragment or "#" in url:
        raise refuse("the service address must not contain credentials or a query")
    if port == 0:
        raise refuse("the service address has port 0")
    if parts.scheme == "http" and not is_loopback(host):
        raise refuse("the service address must start with https:// (plain http is only "
                     "allowed for 127.0.0.1 / localhost)")
