"""Resolving a conflict: keep mine, keep theirs, or keep both; and, for a draft deleted
on the service while it was edited here, save it there again or delete it here too.

Nothing is lost: a discarded local version stays in the draft's history, and a
discarded copy of the service's version (or a draft deleted here too) goes to Deleted
drafts (restorable).
"""

from __future__ import annotations

from typing import NamedTuple

from composer.errors import InvalidInputError
from composer.store.drafts import DraftStore
from composer.store.sync_state import DELETED_ON_SERVICE, SyncState, SyncStatus


def _is_deleted_on_service(state: SyncState | None) -> bool:
    return state is not None and state.state is SyncStatus.CONFLICT and \
        state.last_error_kind == DELETED_ON_SERVICE


def deleted_on_service(store: DraftStore, draft_id: str) -> bool:
    """True when ``draft_id`` waits for the user because the service deleted its copy."""
    return _is_deleted_on_service(store.sync_states.get(draft_id))


def _deleted_state(store: DraftStore, draft_id: str) -> SyncState:
    state = store.sync_states.get(draft_id)
    if state is None or not _is_deleted_on_service(state):
        raise InvalidInputError("draft", f"draft {draft_id} was not deleted on its service")
    return state


def save_again(store: DraftStore, draft_id: str) -> None:
    """The service deleted its copy; the user keeps the draft there: it is created anew
    (under a new marker, so nothing of the deleted copy is mistaken for it)."""
    with store.atomic():
        state = _deleted_state(store, draft_id)
        draft = store.get(draft_id)
        store.push_again(state.evolve(
            state=SyncStatus.PENDING, remote_id=None, remote_version=None,
            pushed_revision=None, pushed_data=None, create_pending=False,
            marker=f"{draft_id}.{draft.revision}", last_error=None, last_error_kind=None,
            last_error_field=None, retry_at=None), draft.revision)


def delete_here_too(store: DraftStore, draft_id: str) -> None:
    """The service deleted its copy; the user agrees: the draft goes to Deleted drafts
    here too (restorable; restoring it saves it to the service again)."""
    with store.atomic():
        state = _deleted_state(store, draft_id)
        store.sync_states.put(state.evolve(
            state=SyncStatus.LOCAL, remote_id=None, remote_version=None,
            pushed_revision=None, pushed_data=None, create_pending=False, last_error=None,
            last_error_kind=None, last_error_field=None, retry_at=None))
        store.delete(draft_id)


def conflict_pair(store: DraftStore, draft_id: str) -> tuple[str, str]:
    """(mine, theirs): the local draft and the copy holding the service's version."""
    draft = store.get(draft_id)
    mine_id = draft.context.get("conflict_of", draft_id)
    state = store.sync_states.get(mine_id)
    if state is None or state.state is not SyncStatus.CONFLICT:
        raise InvalidInputError("draft", f"draft {draft_id} has no conflict to resolve")
    if state.last_error_kind == DELETED_ON_SERVICE:
        raise InvalidInputError("draft", f"draft {mine_id} was deleted on the service: save "
                                "it there again, or delete it here too")
    for summary in store.summaries(limit=10_000):
        other = store.get(summary.id)
        if other.context.get("conflict_of") == mine_id:
            return mine_id, other.id
    raise InvalidInputError("draft", f"the service's copy of draft {mine_id} is missing")


def _theirs_state(store: DraftStore, theirs_id: str) -> SyncState:
    state = store.sync_states.get(theirs_id)
    assert state is not None
    return state


def _drop_copy(store: DraftStore, theirs_id: str) -> None:
    """Move the local copy to Deleted drafts; the remote draft belongs to the kept side,
    so the copy is unlinked first and its deletion reaches no service."""
    store.sync_states.put(_theirs_state(store, theirs_id).evolve(
        remote_id=None, create_pending=False, state=SyncStatus.LOCAL))
    store.delete(theirs_id)


def keep_mine(store: DraftStore, draft_id: str) -> None:
    """Push my version over the service's; the copy of theirs goes to Deleted drafts."""
    with store.atomic():
        mine_id, theirs_id = conflict_pair(store, draft_id)
        theirs = _theirs_state(store, theirs_id)
        mine = store.get(mine_id)
        state = store.sync_states.get(mine_id)
        assert state is not None
        _drop_copy(store, theirs_id)
        store.push_again(state.evolve(
            state=SyncStatus.PENDING, remote_version=theirs.remote_version,
            pushed_revision=None, last_error=None, last_error_kind=None), mine.revision)


def keep_theirs(store: DraftStore, draft_id: str) -> None:
    """Take the service's version as mine (my text stays in this draft's history)."""
    with store.atomic():
        mine_id, theirs_id = conflict_pair(store, draft_id)
        theirs_state = _theirs_state(store, theirs_id)
        mine = store.get(mine_id)
        theirs = store.get(theirs_id)
        state = store.sync_states.get(mine_id)
        assert state is not None
        context = {k: v for k, v in theirs.context.items() if k != "conflict_of"}
        store.sync_states.put(state.evolve(state=SyncStatus.LOCAL))
        store.save_as_synced(mine.evolve(
            to=theirs.to, cc=theirs.cc, bcc=theirs.bcc, subject=theirs.subject,
            body_mode=theirs.body_mode, html=theirs.html, text=theirs.text,
            schedule=theirs.schedule, context=context,
        ), state.evolve(state=SyncStatus.SYNCED, remote_version=theirs_state.remote_version,
                        last_error=None, last_error_kind=None))
        _drop_copy(store, theirs_id)


def keep_both(store: DraftStore, draft_id: str) -> None:
    """The service's version stays linked to its copy; mine becomes a new remote draft."""
    with store.atomic():
        mine_id, theirs_id = conflict_pair(store, draft_id)
        theirs = store.get(theirs_id)
        theirs_state = _theirs_state(store, theirs_id)
        store.save_as_synced(
            theirs.evolve(context={k: v for k, v in theirs.context.items()
                                   if k != "conflict_of"}),
            theirs_state.evolve(state=SyncStatus.SYNCED, last_error=None,
                                last_error_kind=None))
        mine = store.get(mine_id)
        state = store.sync_states.get(mine_id)
        assert state is not None
        store.push_again(state.evolve(
            state=SyncStatus.PENDING, remote_id=None, remote_version=None,
            pushed_revision=None, pushed_data=None, create_pending=False,
            marker=f"{mine_id}.{mine.revision}", last_error=None, last_error_kind=None),
            mine.revision)


#: the user's choices, as the command line and the window name them
CHOICES = ("mine", "theirs", "both")


class Resolved(NamedTuple):
    """What a resolution did: the draft that stays (or, ``deleted_here``, went to Deleted
    drafts), and whether the other side was a delete made on the service."""

    draft_id: str
    deleted_on_service: bool
    deleted_here: bool


def resolve(store: DraftStore, draft_id: str, choice: str) -> Resolved:
    """Apply the user's choice to the conflict ``draft_id`` is part of (either of its two
    drafts). For a draft deleted on the service, "mine" saves it there again and
    "theirs" deletes it here too; "both" has no meaning there and is refused with the
    two that do."""
    if choice not in CHOICES:
        raise InvalidInputError("choice", f"{choice!r} is not one of {', '.join(CHOICES)}")
    if deleted_on_service(store, draft_id):
        if choice == "both":
            raise InvalidInputError("choice", f"draft {draft_id} was deleted on the service, "
                                    "so there is no second version to keep: choose mine "
                                    "(save it there again) or theirs (delete it here too)")
        (save_again if choice == "mine" else delete_here_too)(store, draft_id)
        return Resolved(draft_id, True, choice == "theirs")
    mine_id, _ = conflict_pair(store, draft_id)
    {"mine": keep_mine, "theirs": keep_theirs, "both": keep_both}[choice](store, mine_id)
    return Resolved(mine_id, False, False)
