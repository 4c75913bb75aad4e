"""Draft <-> JSON for the cache (stable keys; unknown keys ignored when reading)."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any

from composer.domain.models import (
    Address,
    Attachment,
    BodyMode,
    Draft,
    DraftStatus,
    Importance,
    Schedule,
)


def _addr(a: Address) -> dict[str, Any]:
    out: dict[str, Any] = {"addr": a.addr, "name": a.name}
    if a.error is not None:
        out["error"] = a.error
    if a.raw:
        out["raw"] = a.raw
    return out


def draft_to_dict(d: Draft) -> dict[str, Any]:
    return {
        "id": d.id,
        "account": d.account,
        "from": d.from_addr,
        "to": [_addr(a) for a in d.to],
        "cc": [_addr(a) for a in d.cc],
        "bcc": [_addr(a) for a in d.bcc],
        "subject": d.subject,
        "body_mode": d.body_mode.value,
        "html": d.html,
        "text": d.text,
        "attachments": [
            {"name": a.name, "size": a.size, "content_type": a.content_type, "sha256": a.sha256}
            for a in d.attachments
        ],
        "send_at": d.schedule.send_at.isoformat() if d.schedule else None,
        "tz": d.schedule.tz if d.schedule else None,
        "importance": d.importance.value,
        "context": dict(d.context),
        "created_at": d.created_at.isoformat(),
        "updated_at": d.updated_at.isoformat(),
        "status": d.status.value,
        "revision": d.revision,
    }


def draft_to_json(d: Draft) -> str:
    return json.dumps(draft_to_dict(d), ensure_ascii=False, separators=(",", ":"))


def _addresses(items: list[dict[str, Any]]) -> tuple[Address, ...]:
    return tuple(
        Address(addr=i["addr"], name=i.get("name", ""), error=i.get("error"), raw=i.get("raw", ""))
        for i in items
    )


def _known_zone(tz: object) -> str:
    """The stored zone name if it is one this computer knows; otherwise UTC (the send
    time is an exact instant either way: only the zone it is shown in falls back), so a
    zone written by an older version or another computer never breaks reading a draft."""
    from composer.domain.schedule import zone
    from composer.errors import InvalidInputError

    if not isinstance(tz, str) or not tz:
        return "UTC"
    try:
        zone(tz)
    except InvalidInputError:
        return "UTC"
    return tz


def draft_from_dict(o: dict[str, Any]) -> Draft:
    schedule = None
    if o.get("send_at"):
        schedule = Schedule(datetime.fromisoformat(o["send_at"]), _known_zone(o.get("tz")))
    return Draft(
        id=o["id"],
        account=o.get("account"),
        from_addr=o.get("from", ""),
        to=_addresses(o.get("to", [])),
        cc=_addresses(o.get("cc", [])),
        bcc=_addresses(o.get("bcc", [])),
        subject=o.get("subject", ""),
        body_mode=BodyMode(o.get("body_mode", "html")),
        html=o.get("html", ""),
        text=o.get("text", ""),
        attachments=tuple(
            Attachment(a["name"], int(a["size"]), a["content_type"], a["sha256"])
            for a in o.get("attachments", [])
        ),
        schedule=schedule,
        importance=Importance(o.get("importance", "normal")),
        context=dict(o.get("context", {})),
        created_at=datetime.fromisoformat(o["created_at"]),
        updated_at=datetime.fromisoformat(o["updated_at"]),
        status=DraftStatus(o.get("status", "draft")),
        revision=int(o.get("revision", 0)),
    )


def draft_from_json(data: str) -> Draft:
    return draft_from_dict(json.loads(data))


_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


def strip_tags(markup: str) -> str:
    """Cheap text of HTML for search and previews (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub(" ", markup))


def body_search_text(d: Draft) -> str:
    return d.text if d.body_mode is BodyMode.TEXT else strip_tags(d.html)


def recipients_summary(d: Draft) -> str:
    return ", ".join(a.formatted() for a in d.recipients())


def search_text_from_json(data: str) -> str:
    return body_search_text(draft_from_json(data))
