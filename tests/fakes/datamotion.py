"""A fake DataMotion SecureMail v2 API (BACKENDS.md §1, §8.1) over real HTTP.

Under ``/SecureMessagingApi``: ``Account/Logon`` hands out session keys (which
``expire_sessions()`` expires: "Session key expired."); ``Message/SaveDraft`` checks in
the documented order (400 body / To / Subject; 401 header, bad key, expired key,
invalid recipient, > 32 MB of decoded attachments; 403 someone else's message, not in
the Drafts folder); ``GET``/``DELETE Message/{id}``; ``POST Message/{id}/SendDraft``
(401 for an unknown id, as the vendor SDK's tests show). Extra keys are accepted and
ignored. [I] The error body shape is undocumented: ``{"Message": text}`` by default,
plain text with ``error_shape="text"``.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from tests.fakes.base import FakeService, Reply, Request

LIMIT = 32 * 1024 * 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DRAFTS, SENT = 1, 2


class FakeDataMotion(FakeService):
    def __init__(self, *, users: dict[str, str] | None = None,
                 error_shape: str = "json") -> None:
        super().__init__()
        #: user id/email -> password
        self.users = users if users is not None else {"alice@acme.example": "correct horse"}
        self.error_shape = error_shape
        self.sessions: dict[str, str] = {}      # key -> user
        self.expired: set[str] = set()
        self.messages: dict[int, dict[str, Any]] = {}
        self.logons = 0
        self._next_id = 1000

    def expire_sessions(self) -> None:
        self.expired |= set(self.sessions)

    def _err(self, status: int, text: str) -> Reply:
        if self.error_shape == "text":
            return Reply(status, text, content_type="text/plain; charset=utf-8")
        return Reply(status, {"Message": text})

    def error_reply(self, status: int, headers: dict[str, str]) -> Reply:
        texts = {401: "Bad session key.", 403: "You do not have access to message with id '0'",
                 404: "Not found", 409: "Conflict", 422: "Unprocessable", 429: "Too many "
                 "requests", 500: "An error has occurred.", 503: "Service Unavailable"}
        reply = self._err(status, texts.get(status, "Error"))
        reply.headers.update(headers)
        return reply

    def touch(self, message_id: int, **changes: Any) -> None:
        self.messages[message_id].update(changes)

    def route(self, request: Request) -> Reply:
        path = request.path.removeprefix("/SecureMessagingApi/")
        if path == request.path:
            return self._err(404, "No HTTP resource was found that matches the request URI.")
        if path == "Account/Logon" and request.method == "POST":
            return self._logon(request)
        if path == "Message/SaveDraft" and request.method == "POST":
            return self._save(request)
        user, denied = self._session(request)
        match = re.fullmatch(r"Message/(\d+)(/SendDraft)?", path)
        if match is None:
            return self._err(404, "No HTTP resource was found that matches the request URI.")
        if denied is not None:
            return denied
        message_id = int(match.group(1))
        message = self.messages.get(message_id)
        if match.group(2):
            if request.method != "POST":
                return self._err(405, "The requested resource does not support this method.")
            if message is None or message["owner"] != user:
                return self._err(401, "Message not sent because you do not have permission "
                                 "to send or the email address is incorrectly formed for "
                                 "one or more of the recipients specified.")
            if message["folder"] != DRAFTS:
                return self._err(403, f"Message '{message_id}' is not in the Drafts Folder.")
            message["folder"] = SENT
            return Reply(200, {"MessageId": message_id})
        if message is None or message["owner"] != user:
            return self._err(403, f"You do not have access to message with id '{message_id}'")
        if request.method == "GET":
            return Reply(200, self.public(message))
        if request.method == "DELETE":
            del self.messages[message_id]
            return Reply(200, {"NewFolderId": 4, "Results": "Message deleted"})
        return self._err(405, "The requested resource does not support this method.")

    @staticmethod
    def public(message: dict[str, Any]) -> dict[str, Any]:
        return {"To": message["To"], "From": message["From"], "Cc": message["Cc"],
                "Bcc": message["Bcc"], "Subject": message["Subject"],
                "CreateTime": message["CreateTime"], "HtmlBody": message["HtmlBody"],
                "TextBody": message["TextBody"],
                "Attachments": [dict(a) for a in message["Attachments"]]}

    def _logon(self, request: Request) -> Reply:
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return self._err(400, "The LogonRequestData model is required in the request body.")
        if not body.get("UserIdOrEmail"):
            return self._err(400, "The UserIdOrEmail field is required.")
        if not body.get("Password"):
            return self._err(400, "The Password field is required.")
        if self.users.get(body["UserIdOrEmail"]) != body["Password"]:
            return self._err(401, "User credentials are invalid.")
        key = secrets.token_hex(16)
        self.sessions[key] = body["UserIdOrEmail"]
        self.logons += 1
        return Reply(200, {"SessionKey": key})

    def _session(self, request: Request) -> tuple[str, Reply | None]:
        key = request.header("x-session-key")
        if not key:
            return "", self._err(401, "The X-Session-Key header is missing.")
        if key in self.expired:
            return "", self._err(401, "Session key expired.")
        if key not in self.sessions:
            return "", self._err(401, "Bad session key.")
        return self.sessions[key], None

    def _save(self, request: Request) -> Reply:
        try:
            body = request.json() if request.body.strip() else None
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return self._err(400, "The SaveDraftMessageData model is required in the request "
                                  "body.")
        if not body.get("To"):
            return self._err(400, "The To field is required.")
        if len(str(body.get("Subject") or "")) > 255:
            return self._err(400, "The Subject exceeds maximum length.")
        user, denied = self._session(request)
        if denied is not None:
            return denied
        for field in ("To", "Cc", "Bcc"):
            for address in body.get(field) or []:
                if not isinstance(address, str) or not _EMAIL.match(address):
                    return self._err(401, f"Recipient Invalid - {field} recipient is "
                                          f"{address}.")
        total = 0
        attachments = []
        for att in body.get("Attachments") or []:
            try:
                data = base64.b64decode(att["AttachmentBase64"], validate=True)
            except (KeyError, TypeError, binascii.Error):
                return self._err(400, "An invalid attachment was provided.")
            total += len(data)
            attachments.append({"AttachmentBase64": att["AttachmentBase64"],
                                "ContentType": att.get("ContentType") or
                                "application/octet-stream",
                                "FileName": att.get("FileName") or "attachment",
                                "ContentId": att.get("ContentId")})
        if total > LIMIT:
            return self._err(401, "File sizes greater than 32 MB are not supported.")
        message_id = int(body.get("MessageId") or 0)
        fields = {"To": list(body.get("To") or []), "Cc": list(body.get("Cc") or []),
                  "Bcc": list(body.get("Bcc") or []), "From": body.get("From") or user,
                  "Subject": body.get("Subject") or "", "HtmlBody": body.get("HtmlBody") or "",
                  "TextBody": body.get("TextBody") or "", "Attachments": attachments}
        if message_id:
            existing = self.messages.get(message_id)
            if existing is None or existing["owner"] != user:
                return self._err(403, f"You do not have access to message with id "
                                      f"'{message_id}'")
            if existing["folder"] != DRAFTS:
                return self._err(403, f"Message '{message_id}' is not in the Drafts Folder.")
            existing.update(fields)
            return Reply(200, {"MessageId": message_id})
        self._next_id += 1
        self.messages[self._next_id] = {
            **fields, "owner": user, "folder": DRAFTS,
            "CreateTime": datetime.now(UTC).strftime("%m/%d/%Y %I:%M:%S %p"),
        }
        return Reply(200, {"MessageId": self._next_id})
