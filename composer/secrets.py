"""Credentials live only in the OS keychain, through ``keyring``.

The keyring backend is injected (tests pass an in-memory one); without a usable
keychain every call raises ``SecretStoreError`` with a plain reason, and the app keeps
working offline. A secret is never logged, stored elsewhere or put in an error.
"""

from __future__ import annotations

import threading
from typing import Any

from composer import APP_ID
from composer.errors import SecretStoreError

_FROZEN_BACKENDS = {
    "linux": [("keyring.backends.SecretService", "Keyring"),
              ("keyring.backends.kwallet", "DBusKeyring")],
    "darwin": [("keyring.backends.macOS", "Keyring")],
    "win32": [("keyring.backends.Windows", "WinVaultKeyring")],
}


def default_backend() -> Any:
    """keyring's own choice; in a frozen app, where entry-point discovery can fail and
    leave the "fail" backend, the OS's backend is named explicitly."""
    import importlib
    import sys

    import keyring

    ring = keyring.get_keyring()
    if not type(ring).__module__.startswith("keyring.backends.fail"):
        return ring
    platform = "linux" if sys.platform.startswith("linux") else sys.platform
    for module_name, class_name in _FROZEN_BACKENDS.get(platform, []):
        try:
            backend_class = getattr(importlib.import_module(module_name), class_name)
            if backend_class.viable:
                candidate = backend_class()
                keyring.set_keyring(candidate)
                return candidate
        except Exception:  # an unusable backend: try the next one
            continue
    return ring


class SecretStore:
    """One per app (the window's sync and account-check workers share it): the backend is
    looked up once, on first use, under a lock."""

    def __init__(self, backend: Any | None = None, service: str = APP_ID) -> None:
        self._backend = backend
        self._service = service
        self._lookup = threading.Lock()

    def _ring(self) -> Any:
        with self._lookup:
            if self._backend is None:
                self._backend = default_backend()
            return self._backend

    def _call(self, name: str, *args: str) -> Any:
        import keyring.errors

        ring = self._ring()
        if type(ring).__module__.startswith("keyring.backends.fail"):
            raise SecretStoreError(
                "no keychain backend is available on this system (on Linux, install and "
                "unlock a Secret Service such as GNOME Keyring or KWallet)"
            )
        try:
            return getattr(ring, name)(self._service, *args)
        except keyring.errors.PasswordDeleteError:
            return None
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(type(exc).__name__) from None
        except Exception as exc:  # backends raise OS-specific errors (D-Bus, COM, Security)
            raise SecretStoreError(type(exc).__name__) from None

    def get(self, account: str) -> str | None:
        value = self._call("get_password", account)
        return None if value is None else str(value)

    def set(self, account: str, secret: str) -> None:
        self._call("set_password", account, secret)

    def delete(self, account: str) -> None:
        self._call("delete_password", account)

    def backend_name(self) -> str:
        ring = self._ring()
        return f"{type(ring).__module__}.{type(ring).__name__}"
