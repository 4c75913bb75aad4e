"""Send later where the service cannot schedule (DataMotion, ONLYOFFICE, Rebilly): the
app sends at the time while it runs. A time that passed while the app was closed is
never sent silently late, nor silently missed: the caller asks the user.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from composer.settings import Settings
from composer.store.drafts import DraftStore
from composer.store.outbox import Op

#: a send-later time this far in the past at start-up counts as missed, not just due
MISSED_AFTER = timedelta(minutes=2)


def sends_locally(settings: Settings, account: str | None) -> bool:
    """True when the app itself must send a scheduled draft of ``account``."""
    if account is None:
        return False
    found = settings.account(account)
    if found is None:
        return False
    from composer.sync.adapters import adapter_class

    capabilities = getattr(adapter_class(found.kind), "capabilities", None)
    return capabilities is not None and not capabilities.schedule


def due(store: DraftStore, settings: Settings, now: datetime) -> list[tuple[str, datetime]]:
    """(draft id, send time) of scheduled drafts the app must send now, oldest first."""
    return [(draft_id, when) for draft_id, account, when in store.scheduled_sends()
            if when <= now and sends_locally(settings, account)]


def send_due(store: DraftStore, draft_ids: list[str]) -> int:
    for draft_id in draft_ids:
        store.enqueue(draft_id, Op.SEND)
    return len(draft_ids)


def keep_as_draft(store: DraftStore, draft_ids: list[str]) -> None:
    """The user chose not to send missed drafts: clear their send-later time."""
    for draft_id in draft_ids:
        draft = store.get(draft_id)
        store.save(draft.evolve(schedule=None))


def split_missed(rows: list[tuple[str, datetime]], now: datetime, *,
                 at_start: bool) -> tuple[list[str], list[str]]:
    """(due now, missed) among ``due`` rows: a send-later time more than MISSED_AFTER
    in the past when the app starts passed while it was closed, and the user decides."""
    missed = [d for d, when in rows if at_start and when < now - MISSED_AFTER]
    return [d for d, _ in rows if d not in missed], missed
