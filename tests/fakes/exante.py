"""A fake Exante email-drafts API (../shared/BACKENDS.md §3, §8.3) over real HTTP.

Contract kept: ``Authorization: Bearer ex_live_…`` (401 for a missing, malformed or
unknown key, 403 for a key without permission); ``POST /api/email/drafts`` creates
(``from_account_id`` required) or, with ``uid``, updates only the fields sent (lists
replace); the deprecated ``PATCH /api/email/drafts/{uid}``; ``GET``/``DELETE`` one
(``DELETE`` answers 204); ``GET /api/email/drafts`` → ``{"items", "count"}``;
``POST /api/email/send {"draft_uid"}``. Attachments are stored but never echoed.
``updated_at`` has microseconds so two quick changes differ.

Inferred [I] and configurable: the error body (``{"status":"error","message":…}`` by
default, ``{"detail":…}`` with ``error_shape="detail"``); the status for updating a sent
draft (409 by default, ``sent_update_status=400``); create answers 201.

Normalising mode: subject and bodies trimmed, address domains lower-cased and lists
reordered, dates (``planned_send_at``, ``created_at``, ``updated_at``) without
fractional seconds in another offset (each change one second later, so versions still
move), and default fields added (``thread_uid``, ``labels``).
"""

from __future__ import annotations

import base64
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.base import (
    FakeService,
    Reply,
    Request,
    norm_addresses,
    norm_text,
    norm_time,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_FIELDS = ("to", "cc", "bcc", "subject", "body_text", "body_html", "context_type",
           "context_id", "planned_send_at", "attachments")


class FakeExante(FakeService):
    def __init__(self, *, api_keys: dict[str, set[str]] | None = None,
                 accounts: dict[str, str] | None = None, error_shape: str = "message",
                 sent_update_status: int = 409) -> None:
        super().__init__()
        #: key -> permissions ("drafts", "send")
        self.api_keys = api_keys if api_keys is not None else {
            "ex_live_testkey": {"drafts", "send"}}
        #: from_account_id -> from_email
        self.accounts = accounts if accounts is not None else {
            "7d1f0a52-8a43-4c4e-9a57-1b2f4b8e9c01": "me@acme.example"}
        self.error_shape = error_shape
        self.sent_update_status = sent_update_status
        self.drafts: dict[str, dict[str, Any]] = {}
        self.sent: list[str] = []
        self._tick = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    # -- helpers ----------------------------------------------------------------------
    def _now(self) -> str:
        self._tick += timedelta(seconds=1) if self.normalising else timedelta(microseconds=1)
        real = datetime.now(UTC)
        self._tick = max(self._tick, real)
        if self.normalising:
            return norm_time(self._tick)
        return self._tick.isoformat().replace("+00:00", "Z")

    def _normalise(self, draft: dict[str, Any]) -> None:
        if not self.normalising:
            return
        for name in ("subject", "body_text", "body_html"):
            draft[name] = norm_text(draft.get(name))
        for name in ("to", "cc", "bcc"):
            draft[name] = norm_addresses(draft.get(name))
        if draft.get("planned_send_at"):
            draft["planned_send_at"] = norm_time(datetime.fromisoformat(
                str(draft["planned_send_at"]).replace("Z", "+00:00")))
        draft.setdefault("thread_uid", None)
        draft.setdefault("labels", [])

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
        # shape: guess, not documented (the error body)
        body = {"detail": message} if self.error_shape == "detail" else {
            "status": "error", "message": message}
        return Reply(status, body, headers or {})

    def error_reply(self, status: int, headers: dict[str, str]) -> Reply:
        messages = {401: "Invalid or expired API key", 403: "Insufficient permissions",
                    404: "Draft not found", 409: "Draft has already been sent",
                    422: "Validation error (e.g., invalid email format)",
                    429: "Rate limit exceeded", 500: "Internal server error",
                    503: "Service temporarily unavailable"}
        if status == 429:
            headers = {"Retry-After": "30", **headers}
        return self._error(status, messages.get(status, "Error"), headers)

    def public(self, draft: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in draft.items() if k != "attachments"}

    def touch(self, uid: str, **changes: Any) -> None:
        """Someone edits the draft on the web (behind the client's back)."""
        self.drafts[uid].update(changes)
        self.drafts[uid]["updated_at"] = self._now()

    # -- routing ----------------------------------------------------------------------
    def route(self, request: Request) -> Reply:
        auth = request.header("authorization") or ""
        if not auth.startswith("Bearer "):
            return self._error(401, "Missing or malformed Authorization header")
        key = auth[len("Bearer "):]
        if key not in self.api_keys:
            return self._error(401, "Invalid or expired API key")
        perms = self.api_keys[key]
        path = request.path
        if path == "/api/email/drafts" and request.method == "POST":
            return self._save(request, perms)
        if path == "/api/email/drafts" and request.method == "GET":
            items = [self.public(d) for d in self.drafts.values()]
            if self.normalising:
                items.reverse()
            ctype = request.query.get("context_type", [None])[0]
            cid = request.query.get("context_id", [None])[0]
            items = [d for d in items if (ctype is None or d.get("context_type") == ctype)
                     and (cid is None or d.get("context_id") == cid)]
            return Reply(200, {"items": items, "count": len(items)})
        match = re.fullmatch(r"/api/email/drafts/([^/]+)", path)
        if match:
            uid = match.group(1)
            draft = self.drafts.get(uid)
            if request.method == "GET":
                if draft is None:
                    return self._error(404, "Draft not found or belongs to a different "
                                            "organization")
                return Reply(200, self.public(draft))
            if request.method == "DELETE":
                if draft is None:
                    return self._error(404, "Draft not found or belongs to a different "
                                            "organization")
                del self.drafts[uid]
                return Reply(204)
            if request.method == "PATCH":
                return self._update(uid, self._json(request), perms)
        if path == "/api/email/send" and request.method == "POST":
            if "send" not in perms:
                return self._error(403, "Insufficient permissions")
            body = self._json(request)
            if not isinstance(body, dict) or "draft_uid" not in body:
                return self._error(400, "Validation error (e.g., invalid email format)")
            draft = self.drafts.get(str(body["draft_uid"]))
            if draft is None:
                return self._error(404, "Draft not found")
            if draft["status"] != "draft":
                return self._error(self.sent_update_status, "Draft has already been sent")
            draft["status"] = "sent"
            draft["updated_at"] = self._now()
            self.sent.append(draft["uid"])
            return Reply(200, {"outbound_email_uid": str(uuid.uuid4()),
                               "provider_message_id": f"<{uuid.uuid4()}@mail.example>",
                               "provider_thread_id": str(uuid.uuid4()),
                               "status": "sent", "sent_at": draft["updated_at"]})
        return self._error(404, "Not found")

    @staticmethod
    def _json(request: Request) -> Any:
        try:
            return request.json()
        except ValueError:
            return None

    def _validate(self, body: dict[str, Any]) -> str | None:
        for name in ("to", "cc", "bcc"):
            if name in body:
                value = body[name]
                if not isinstance(value, list) or not all(
                        isinstance(v, str) and _EMAIL.match(v) for v in value):
                    return "Validation error (e.g., invalid email format)"
        if body.get("planned_send_at") is not None:
            try:
                datetime.fromisoformat(str(body["planned_send_at"]).replace("Z", "+00:00"))
            except ValueError:
                return "Validation error (e.g., invalid email format)"
        if body.get("context_id") is not None:
            try:
                uuid.UUID(str(body["context_id"]))
            except ValueError:
                return "Validation error (e.g., invalid email format)"
        for att in body.get("attachments") or []:
            try:
                base64.b64decode(att["data_base64"], validate=True)
                str(att["filename"])
            except (KeyError, ValueError, TypeError):
                return "Validation error (e.g., invalid email format)"
        return None

    def _save(self, request: Request, perms: set[str]) -> Reply:
        if "drafts" not in perms:
            return self._error(403, "Insufficient permissions")
        body = self._json(request)
        if not isinstance(body, dict):
            return self._error(400, "Validation error (e.g., invalid email format)")
        if body.get("uid"):
            return self._update(str(body["uid"]), body, perms)
        account = body.get("from_account_id")
        if account not in self.accounts:
            return self._error(400, "from_account_id is required" if not account else
                               "Validation error (e.g., invalid email format)")
        problem = self._validate(body)
        if problem:
            return self._error(400, problem)
        now = self._now()
        uid = str(uuid.uuid4())
        draft: dict[str, Any] = {
            "uid": uid, "from_account_id": account, "from_email": self.accounts[account],
            "to": [], "cc": [], "bcc": [], "subject": "", "body_text": "", "body_html": "",
            "context_type": None, "context_id": None, "planned_send_at": None,
            "attachments": [], "status": "draft", "created_at": now, "updated_at": now,
        }
        draft.update({k: body[k] for k in _FIELDS if k in body})
        self._normalise(draft)
        self.drafts[uid] = draft
        return Reply(201, self.public(draft))  # shape: guess, not documented (201 vs 200)

    def _update(self, uid: str, body: Any, perms: set[str]) -> Reply:
        if "drafts" not in perms:
            return self._error(403, "Insufficient permissions")
        if not isinstance(body, dict):
            return self._error(400, "Validation error (e.g., invalid email format)")
        draft = self.drafts.get(uid)
        if draft is None:
            return self._error(404, "Draft not found")
        if draft["status"] != "draft":
            return self._error(self.sent_update_status, "You cannot update a draft that has "
                               "already been sent (status is not DRAFT).")
        problem = self._validate(body)
        if problem:
            return self._error(400, problem)
        draft.update({k: body[k] for k in _FIELDS if k in body})
        self._normalise(draft)
        draft["updated_at"] = self._now()
        return Reply(200, self.public(draft))
