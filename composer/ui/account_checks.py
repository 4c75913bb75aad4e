"""Jobs for the storage worker that look at a draft with its account's eyes (no network):
what the service cannot carry, and the conflict pair to show side by side.

Qt-free, yet in ui/: these are the window's jobs (shaped for what it shows while the
user types, with an adapter cache that lives as long as the window); the rules they
call are in composer/sync (adapters' checks, conflicts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from composer.domain.accounts import Account
from composer.domain.models import Draft
from composer.settings import Settings
from composer.store.drafts import DraftStore
from composer.sync import conflicts
from composer.sync.adapters.base import Adapter


@dataclass(frozen=True)
class AccountView:
    problems: list[tuple[str, str]]
    total_limit: int | None
    sends_locally: bool


class AccountChecker:
    """Looks at drafts with their account's eyes. Used only on the storage worker (jobs
    run one at a time); keeps one adapter per account configuration, because building an
    adapter builds an HTTP client (a TLS context: tens of milliseconds), and the check
    runs after every pause in typing."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._adapters: dict[tuple[object, ...], Adapter] = {}

    def _adapter(self, account: Account) -> Adapter:
        key = (account.name, account.kind, account.base_url, account.username,
               account.address, tuple(sorted(account.options.items())))
        adapter = self._adapters.get(key)
        if adapter is None:
            from composer.sync.adapters import adapter_class
            from composer.sync.http import make_client

            adapter = adapter_class(account.kind)(account, "", make_client(account.base_url),
                                                  self._clock)
            self._adapters[key] = adapter
        return adapter

    def view(self, draft: Draft, settings: Settings) -> AccountView:
        if draft.account is None:
            return AccountView([], None, False)
        account = settings.account(draft.account)
        if account is None:
            return AccountView([("from", f"the account {draft.account!r} no longer exists")],
                               None, False)
        adapter = self._adapter(account)
        caps = adapter.capabilities
        return AccountView([(p.field, p.message) for p in adapter.check(draft)],
                           caps.max_total_bytes, not caps.schedule)

    def close(self) -> None:
        for adapter in self._adapters.values():
            adapter.close()
        self._adapters.clear()


@dataclass(frozen=True)
class ConflictPair:
    mine: Draft
    theirs: Draft


@dataclass(frozen=True)
class DeletedOnService:
    """The draft, kept here, whose copy was deleted on its service while it was edited."""

    mine: Draft


def conflict_pair(store: DraftStore, draft_id: str) -> ConflictPair | DeletedOnService:
    """What the user chooses between: the two versions, or (deleted on the service) the
    draft alone."""
    if conflicts.deleted_on_service(store, draft_id):
        return DeletedOnService(store.get(draft_id))
    mine_id, theirs_id = conflicts.conflict_pair(store, draft_id)
    return ConflictPair(store.get(mine_id), store.get(theirs_id))
