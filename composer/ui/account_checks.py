"""Jobs for the storage worker that look at a draft with its account's eyes (no network):
what the service cannot carry, and the conflict pair to show side by side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from composer.domain.models import Draft
from composer.settings import Settings
from composer.store.drafts import DraftStore
from composer.sync import conflicts


@dataclass(frozen=True)
class AccountView:
    problems: list[tuple[str, str]]
    total_limit: int | None
    sends_locally: bool


def account_view(draft: Draft, settings: Settings,
                 clock: Callable[[], datetime]) -> AccountView:
    if draft.account is None:
        return AccountView([], None, False)
    account = settings.account(draft.account)
    if account is None:
        return AccountView([("from", f"the account {draft.account!r} no longer exists")],
                           None, False)
    from composer.sync.adapters import adapter_class
    from composer.sync.http import make_client

    adapter = adapter_class(account.kind)(account, "", make_client(account.base_url), clock)
    try:
        problems = [(p.field, p.message) for p in adapter.check(draft)]
        caps = adapter.capabilities
    finally:
        adapter.close()
    return AccountView(problems, caps.max_total_bytes, not caps.schedule)


@dataclass(frozen=True)
class ConflictPair:
    mine: Draft
    theirs: Draft


def conflict_pair(store: DraftStore, draft_id: str) -> ConflictPair:
    mine_id, theirs_id = conflicts.conflict_pair(store, draft_id)
    return ConflictPair(store.get(mine_id), store.get(theirs_id))


def resolve(store: DraftStore, draft_id: str, choice: str) -> str:
    """Apply the user's choice; returns the id of the draft to show afterwards."""
    mine_id, _ = conflicts.conflict_pair(store, draft_id)
    {"mine": conflicts.keep_mine, "theirs": conflicts.keep_theirs,
     "both": conflicts.keep_both}[choice](store, mine_id)
    return mine_id
