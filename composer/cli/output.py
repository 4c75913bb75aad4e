"""What the command line prints: one-line messages, and the stable ``--json`` shapes
(documented in the README)."""

from __future__ import annotations

import contextlib
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: a GUI start imports this module, and needs no store
    from composer.domain.models import Address, Draft
    from composer.store.drafts import DraftSummary
    from composer.store.revisions import RevisionInfo
    from composer.store.sync_state import SyncState

PREFIX = "mail-composer: error:"


def robust_output() -> None:
    """Stored text is printed as it is; a terminal that cannot show a character gets an
    escape instead of an error."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


MAX_MESSAGE = 400


def printable(text: str) -> str:
    """One line of readable length, whatever the message quotes (a hostile value is
    shown escaped, a huge one shortened)."""
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + "... (shortened)"
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


def dump_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def sync_json(state: SyncState | None) -> dict[str, Any]:
    if state is None:  # never synced: every documented key, empty
        return {"state": "local", "remote_id": None, "last_error": None,
                "last_error_kind": None, "last_synced_at": None, "retry_at": None}
    return {
        "state": state.state.value,
        "remote_id": state.remote_id,
        "last_error": state.last_error,
        "last_error_kind": state.last_error_kind,
        "last_synced_at": _iso(state.last_synced_at),
        "retry_at": _iso(state.retry_at),
    }


def _problems(draft: Draft) -> list[dict[str, str]]:
    out = []
    for field_name, addresses in (("to", draft.to), ("cc", draft.cc), ("bcc", draft.bcc)):
        out += [{"field": field_name, "value": a.raw or a.addr, "reason": a.error or ""}
                for a in addresses if not a.valid]
    return out


def _addresses(items: tuple[Address, ...]) -> list[str]:
    return [a.formatted() for a in items]


def draft_json(draft: Draft, state: SyncState | None) -> dict[str, Any]:
    return {
        "id": draft.id,
        "account": draft.account,
        "subject": draft.subject,
        "from": draft.from_addr,
        "to": _addresses(draft.to),
        "cc": _addresses(draft.cc),
        "bcc": _addresses(draft.bcc),
        "invalid_recipients": _problems(draft),
        "body_mode": draft.body_mode.value,
        "html": draft.html,
        "text": draft.text,
        "attachments": [
            {"name": a.name, "size": a.size, "content_type": a.content_type, "sha256": a.sha256}
            for a in draft.attachments
        ],
        "send_at": _iso(draft.schedule.send_at) if draft.schedule else None,
        "tz": draft.schedule.tz if draft.schedule else None,
        "importance": draft.importance.value,
        "context": dict(draft.context),
        "status": draft.status.value,
        "revision": draft.revision,
        "created_at": _iso(draft.created_at),
        "updated_at": _iso(draft.updated_at),
        "sync": sync_json(state),
    }


def summary_json(s: DraftSummary) -> dict[str, Any]:
    return {
        "id": s.id,
        "account": s.account,
        "subject": s.subject,
        "recipients": s.recipients,
        "attachments": s.attachment_count,
        "send_at": _iso(s.send_at),
        "status": s.status.value,
        "revision": s.revision,
        "updated_at": _iso(s.updated_at),
        "sync": {"state": s.sync.value if s.sync else "local", "last_error": s.sync_error},
    }


def revision_json(r: RevisionInfo) -> dict[str, Any]:
    return {"revision": r.revision, "saved_at": _iso(r.saved_at), "subject": r.subject,
            "preview": r.preview}
