"""Wiring of the sync layer for one process: adapters per account from settings and the
keychain, and the checks a send needs before it is queued. Qt-free."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import httpx

from composer.domain.accounts import Account
from composer.errors import InvalidInputError, SecretStoreError
from composer.secrets import SecretStore
from composer.settings import SettingsFile, validate_account
from composer.sync.adapters import adapter_class
from composer.sync.adapters.base import Adapter, Problem
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import make_client

if TYPE_CHECKING:
    from composer.app import Core
    from composer.store.drafts import DraftStore

TransportFactory = Callable[[Account], httpx.BaseTransport | None]


class AdapterPool:
    """One adapter (and so one httpx client) per account, built on first use."""

    def __init__(
        self,
        settings: SettingsFile,
        secrets: SecretStore,
        clock: Callable[[], datetime],
        transport: TransportFactory | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> None:
        self._settings = settings
        self._secrets = secrets
        self._clock = clock
        self._transport = transport
        self._timeout = timeout
        self._adapters: dict[str, tuple[Account, str, Adapter]] = {}

    def __call__(self, name: str) -> Adapter:
        account = self._settings.load().account(name)
        if account is None:
            raise SyncError(
                SyncErrorKind.AUTH,
                f"the account {name!r} no longer exists; choose another account for this draft",
                request_sent=False,
            )
        try:  # a settings file edited by hand is checked before any secret leaves
            validate_account(account)
        except InvalidInputError as exc:
            raise SyncError(SyncErrorKind.AUTH, f"the account {name!r} cannot be used: {exc}",
                            request_sent=False) from None
        try:
            secret = self._secrets.get(name)
        except SecretStoreError as exc:
            raise SyncError(SyncErrorKind.AUTH, str(exc), request_sent=False) from None
        if secret is None:
            raise SyncError(
                SyncErrorKind.AUTH,
                f"no password or API key is stored for {name!r}; enter it again",
                request_sent=False,
            )
        cached = self._adapters.get(name)
        if cached is not None and cached[0] == account and cached[1] == secret:
            return cached[2]
        if cached is not None:
            cached[2].close()
        adapter = self.build(account, secret)
        self._adapters[name] = (account, secret, adapter)
        return adapter

    def build(self, account: Account, secret: str) -> Adapter:
        transport = self._transport(account) if self._transport else None
        kwargs = {"timeout": self._timeout} if self._timeout is not None else {}
        client = make_client(account.base_url, transport=transport, **kwargs)
        return adapter_class(account.kind)(account, secret, client, self._clock)

    def close(self) -> None:
        for _, _, adapter in self._adapters.values():
            adapter.close()
        self._adapters.clear()


def send_problems(store: DraftStore, draft_id: str, adapter: Adapter | None) -> list[Problem]:
    """Everything that stops this draft from being sent, found without the network."""
    from composer.domain.models import DraftStatus

    draft = store.get(draft_id)
    problems: list[Problem] = []
    if draft.status is not DraftStatus.DRAFT:
        problems.append(Problem("status", "not_a_draft", f"the draft is {draft.status.value}"))
    if draft.account is None:
        problems.append(Problem("from", "no_account",
                                "choose an account to send from (this draft is only on this "
                                "computer)"))
    if not any(a.valid for a in draft.to):
        problems.append(Problem("to", "no_recipient", "add at least one valid To address"))
    for field_name, items in (("to", draft.to), ("cc", draft.cc), ("bcc", draft.bcc)):
        for a in items:
            if not a.valid:
                problems.append(Problem(field_name, "invalid_recipient",
                                        f"{a.raw or a.addr!r} is not a valid address: {a.error}"))
    if adapter is not None:
        known = {(p.field, p.code) for p in problems}
        problems += [p for p in adapter.check(draft) if (p.field, p.code) not in known]
        if not adapter.capabilities.can_send:
            problems.append(Problem("from", "send_unsupported",
                                    "this service cannot send drafts"))
    return problems


def prepare_send(core: Core, draft_id: str) -> None:
    """Raise InvalidInputError naming the first problem; nothing is queued then."""
    draft = core.store.get(draft_id)
    adapter = None
    if draft.account is not None:
        pool = AdapterPool(core.settings_file, core.secrets, core.clock)
        try:
            adapter = pool(draft.account)
            problems = send_problems(core.store, draft_id, adapter)
        except SyncError as err:
            raise InvalidInputError("from", err.message) from None
        finally:
            pool.close()
    else:
        problems = send_problems(core.store, draft_id, None)
    if problems:
        raise InvalidInputError(problems[0].field, "; ".join(p.message for p in problems))
