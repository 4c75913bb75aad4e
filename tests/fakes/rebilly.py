"""A fake Rebilly email-messages API (../shared/BACKENDS.md §5, §8.5) over real HTTP.

Paths under ``/organizations/{org}/email-messages``; auth ``REB-APIKEY`` (or a Bearer
JWT); create answers 201 with ``Location``; no content update exists: ``PATCH`` takes
exactly ``{"status": "outbox"}`` (the message moves to outbox, then sent with
``responseCode`` 250) and answers 409 for a message that is no longer a draft, as does
``DELETE``; list honours ``limit``/``offset`` and sets ``Pagination-*`` headers.
Errors are RFC 7807 problem+json; 422 carries ``invalidFields``; 429 carries
``X-RateLimit-Retry-After`` as a UTC epoch. [I] The exact ``detail`` texts are not
published; the ones here are plausible and stable.

Normalising mode: subject and text trimmed, address domains lower-cased and cc/bcc
reordered, times without fractional seconds in another offset (each change one
second later), lists newest-last, default fields added (``customFields``).
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.base import (
    FakeService,
    Reply,
    Request,
    norm_address,
    norm_addresses,
    norm_text,
    norm_time,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PROBLEM = "application/problem+json"
_TITLES = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
           422: "Validation error", 429: "Rate Limit Exceeded", 500: "Internal Server Error",
           503: "Service Unavailable"}


def _problem(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    slug = _TITLES.get(status, "error").lower().replace(" ", "-")
    kind = "about:blank" if status == 429 else f"https://api.rebilly.com/errors/{slug}"
    return {"type": kind, "title": _TITLES.get(status, "Error"), "status": status,
            "detail": detail, **extra}


class FakeRebilly(FakeService):
    def __init__(self, *, org: str = "org-acme", api_keys: set[str] | None = None) -> None:
        super().__init__()
        self.org = org
        self.api_keys = api_keys if api_keys is not None else {"sk_sandbox_testkey"}
        self.messages: dict[str, dict[str, Any]] = {}
        self._tick = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def _now(self) -> str:
        step = timedelta(seconds=1) if self.normalising else timedelta(microseconds=1)
        self._tick = max(self._tick + step, datetime.now(UTC))
        if self.normalising:
            return norm_time(self._tick)
        return self._tick.isoformat(timespec="microseconds").replace("+00:00", "Z")

    def _reply(self, status: int, detail: str, headers: dict[str, str] | None = None,
               **extra: Any) -> Reply:
        return Reply(status, _problem(status, detail, **extra), headers or {}, _PROBLEM)

    def error_reply(self, status: int, headers: dict[str, str]) -> Reply:
        # shape: guess, not documented (the detail texts; the problem+json shape is)
        details = {401: "Invalid API key", 403: "Access to this resource is denied",
                   404: "Email message not found", 409: "The email message is not a draft",
                   422: "The request did not pass validation",
                   429: "A request cannot be executed because the user has sent too many "
                        "requests within a certain period of time",
                   500: "Internal server error", 503: "Service is temporarily unavailable"}
        if status == 429:
            epoch = int((datetime.now(UTC) + timedelta(seconds=60)).timestamp())
            headers = {"X-RateLimit-Retry-After": str(epoch), **headers}
        extra: dict[str, Any] = {}
        if status == 422:
            extra["invalidFields"] = [{"field": "to", "message": "This value is not valid."}]
        return self._reply(status, details.get(status, "Error"), headers, **extra)

    def touch(self, message_id: str, **changes: Any) -> None:
        self.messages[message_id].update(changes)
        self.messages[message_id]["updatedTime"] = self._now()

    def route(self, request: Request) -> Reply:
        key = request.header("reb-apikey")
        bearer = (request.header("authorization") or "").startswith("Bearer ")
        if key is None and not bearer:
            return self._reply(401, "Authentication credentials are missing")
        if key is not None and key not in self.api_keys:
            return self._reply(401, "Invalid API key")
        prefix = f"/organizations/{self.org}/email-messages"
        if not request.path.startswith(f"/organizations/{self.org}/"):
            return self._reply(403, "Access to this organization is denied")
        if request.path == prefix:
            if request.method == "POST":
                return self._create(request)
            if request.method == "GET":
                return self._list(request)
        match = re.fullmatch(re.escape(prefix) + r"/([@~\-.\w]{1,50})", request.path)
        if match:
            message = self.messages.get(match.group(1))
            if message is None:
                return self._reply(404, "Email message not found")
            if request.method == "GET":
                return Reply(200, message)
            if request.method == "DELETE":
                if message["status"] != "draft":
                    return self._reply(409, "Only draft email messages can be deleted")
                del self.messages[message["id"]]
                return Reply(204)
            if request.method == "PATCH":
                return self._send(request, message)
        return self._reply(404, "Resource not found")

    def _create(self, request: Request) -> Reply:
        try:
            body = request.json()
        except ValueError:
            return self._reply(400, "The request body is not valid JSON")
        if not isinstance(body, dict):
            return self._reply(422, "The request did not pass validation",
                               invalidFields=[{"field": "", "message": "Must be an object"}])
        invalid = []
        for name in ("from", "to", "subject", "text", "html"):
            if body.get(name) is None:
                invalid.append({"field": name, "message": "This value should not be null."})
        sender = body.get("from")
        if isinstance(sender, str) and (not _EMAIL.match(sender) or len(sender) > 254):
            invalid.append({"field": "from", "message": "This value is not a valid email."})
        to = body.get("to")
        if to is not None and (not isinstance(to, list) or len(to) < 1):
            invalid.append({"field": "to", "message": "This collection should contain 1 "
                                                      "element or more."})
        for name in ("to", "cc", "bcc"):
            for n, value in enumerate(body.get(name) or []):
                if not isinstance(value, str) or not _EMAIL.match(value) or len(value) > 254:
                    invalid.append({"field": f"{name}.{n}",
                                    "message": "This value is not a valid email."})
        subject = body.get("subject")
        if isinstance(subject, str):
            if not subject.strip():
                invalid.append({"field": "subject", "message": "This value should not be "
                                                               "blank."})
            elif len(subject) > 998:
                invalid.append({"field": "subject", "message": "This value is too long. It "
                                "should have 998 characters or less."})
        metadata = body.get("metadata")
        if metadata is not None and (not isinstance(metadata, dict) or not all(
                isinstance(v, str) for v in metadata.values())):
            invalid.append({"field": "metadata", "message": "This value should be a map of "
                                                            "strings."})
        if body.get("status", "draft") != "draft":
            invalid.append({"field": "status", "message": "Only draft messages can be "
                                                          "created."})
        if invalid:
            return self._reply(422, "The request did not pass validation",
                               invalidFields=invalid)
        message_id = "mail_msg_" + "".join(
            secrets.choice(string.ascii_uppercase + string.digits) for _ in range(26))
        now = self._now()
        message = {
            "id": message_id, "status": "draft", "metadata": metadata,
            "credentialHash": body.get("credentialHash"), "from": sender, "to": to,
            "cc": body.get("cc") or [], "bcc": body.get("bcc") or [], "subject": subject,
            "text": body["text"], "html": body["html"],
            "attachments": body.get("attachments") or [], "responseCode": None,
            "responseBody": None, "initiatedTime": None, "sentTime": None,
            "createdTime": now, "updatedTime": now,
            "_links": [{"href": f"https://api.rebilly.com/organizations/{self.org}/"
                                f"email-messages/{message_id}", "rel": "self"}],
        }
        if self.normalising:
            message.update(subject=norm_text(subject), text=norm_text(body["text"]),
                           to=[norm_address(a) for a in to or []],
                           cc=norm_addresses(message["cc"]), bcc=norm_addresses(message["bcc"]),
                           customFields={})
        self.messages[message_id] = message
        return Reply(201, message, {"Location": message["_links"][0]["href"]})

    def _list(self, request: Request) -> Reply:
        try:
            limit = int(request.query.get("limit", ["100"])[0])
            offset = int(request.query.get("offset", ["0"])[0])
        except ValueError:
            return self._reply(422, "The request did not pass validation",
                               invalidFields=[{"field": "limit", "message": "Not a number"}])
        if not (0 <= limit <= 1000 and offset >= 0):
            return self._reply(422, "The request did not pass validation",
                               invalidFields=[{"field": "limit", "message": "Out of range"}])
        items = sorted(self.messages.values(), key=lambda m: m["createdTime"],
                       reverse=not self.normalising)
        page = items[offset:offset + limit]
        return Reply(200, page, {"Pagination-Total": str(len(items)),
                                 "Pagination-Limit": str(limit),
                                 "Pagination-Offset": str(offset)})

    def _send(self, request: Request, message: dict[str, Any]) -> Reply:
        try:
            body = request.json()
        except ValueError:
            body = None
        if body != {"status": "outbox"}:
            return self._reply(422, "The request did not pass validation",
                               invalidFields=[{"field": "status",
                                               "message": "The value must be \"outbox\"."}])
        if message["status"] != "draft":
            return self._reply(409, "The email message is not a draft")
        now = self._now()
        message.update(status="outbox", initiatedTime=now, updatedTime=now)
        reply = dict(message)
        message.update(status="sent", sentTime=self._now(), responseCode=250,
                       responseBody="250 2.0.0 OK queued")
        return Reply(200, reply)
