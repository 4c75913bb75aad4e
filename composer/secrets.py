"""Credentials live only in the OS keychain, through ``keyring``.

The keyring backend is injected (tests pass an in-memory one); without a usable
keychain every call raises ``SecretStoreError`` with a plain reason, and the app keeps
working offline. A secret is never logged, stored elsewhere or put in an error.
"""

from __future__ import annotations

from typing import Any

from composer import APP_ID
from composer.errors import SecretStoreError


class SecretStore:
    def __init__(self, backend: Any | None = None, service: str = APP_ID) -> None:
        self._backend = backend
        self._service = service

    def _ring(self) -> Any:
        if self._backend is None:
            import keyring

            self._backend = keyring.get_keyring()
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
