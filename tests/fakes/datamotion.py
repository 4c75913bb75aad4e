"""A fake DataMotion SecureMail v2 API (../shared/BACKENDS.md §1, §8.1) over real HTTP.

Under ``/SecureMessagingApi``: ``Account/Logon`` hands out session keys (which
``expire_sessions()`` expires: "Session key expired."); ``Message/SaveDraft`` checks in
the documented order (400 body / To / Subject; 401 header, bad key, expired key,
invalid recipient, > 32 MB of decoded attachments; 403 someone else's message, not in
the Drafts folder); ``GET``/``DELETE Message/{id}``; ``POST Message/{id}/SendDraft``
(401 for an unknown id, as the vendor SDK's tests show); ``GET Message/{id}/
NoAttachmentData``; ``GET Folder/List`` and ``POST Message/GetMessageSummaries``
(§1.2 "List a folder": ``{FolderId, LastMessageIDReceived}`` → ``{MoreMessagesAvailable,
Summaries[…]}``, ``page_size`` ids above the last one at a time). Extra keys are
accepted and ignored. [I] The error body shape is undocumented: ``{"Message": text}``
by default, plain text with ``error_shape="text"``.

Normalising mode: Subject and TextBody trimmed, address domains lower-cased, Cc/Bcc
reordered, ``CreateTime``/``createTimeString`` written another way, and default
fields added to what ``GET`` returns.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from datetime import UTC, datetime
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

LIMIT = 32 * 1024 * 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INBOX, DRAFTS, SENT, TRASH = 1, 3, 2, 4
_FOLDERS = [(INBOX, "Inbox"), (SENT, "Sent"), (DRAFTS, "Drafts"), (TRASH, "Trash")]


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
        #: summaries per GetMessageSummaries answer
        self.page_size = 10

    def expire_sessions(self) -> None:
        self.expired |= set(self.sessions)

    def _err(self, status: int, text: str) -> Reply:
        # shape: guess, not documented (the error body; the texts are documented)
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
        if path == "Folder/List" and request.method == "GET":
            return denied or self._folders(user)
        if path == "Message/GetMessageSummaries" and request.method == "POST":
            return denied or self._summaries(user, request)
        match = re.fullmatch(r"Message/(\d+)(/SendDraft|/NoAttachmentData)?", path)
        if match is None:
            return self._err(404, "No HTTP resource was found that matches the request URI.")
        if denied is not None:
            return denied
        message_id = int(match.group(1))
        message = self.messages.get(message_id)
        if match.group(2) == "/NoAttachmentData":
            if message is None or message["owner"] != user:
                return self._err(403, f"You do not have access to message with id "
                                      f"'{message_id}'")
            return Reply(200, self.public(message, attachment_data=False))
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

    def public(self, message: dict[str, Any], *, attachment_data: bool = True
               ) -> dict[str, Any]:
        if attachment_data:
            attachments = [dict(a) for a in message["Attachments"]]
        else:
            attachments = [{"AttachmentId": n + 1, "ContentID": a["ContentId"],
                            "ContentType": a["ContentType"], "FileName": a["FileName"],
                            "Size": len(base64.b64decode(a["AttachmentBase64"]))}
                           for n, a in enumerate(message["Attachments"])]
        out = {"To": message["To"], "From": message["From"], "Cc": message["Cc"],
               "Bcc": message["Bcc"], "Subject": message["Subject"],
               "CreateTime": self._time(message["created"]), "HtmlBody": message["HtmlBody"],
               "TextBody": message["TextBody"], "Attachments": attachments}
        if self.normalising:  # default fields this server adds
            out.update(MessageId=message["id"], FolderId=message["folder"], Read=False,
                       MessageStatus=-1)
        return out

    def _time(self, when: datetime) -> str:
        # shape: guess, not documented (the format of CreateTime/createTimeString)
        return norm_time(when) if self.normalising else when.strftime("%m/%d/%Y %I:%M:%S %p")

    def _folders(self, user: str) -> Reply:
        folders = []
        for folder_id, name in _FOLDERS:
            mine = [m for m in self.messages.values()
                    if m["owner"] == user and m["folder"] == folder_id]
            folders.append({"FolderId": folder_id, "FolderName": name,
                            "FolderType": folder_id,  # shape: guess, not documented (values)
                            "FolderTypeDescription": name, "IsSystemFolder": True,
                            "TotalMessages": len(mine), "TotalSize": 0})
        if self.normalising:
            folders.reverse()
        return Reply(200, {"Folders": folders})

    def _summaries(self, user: str, request: Request) -> Reply:
        try:
            body = request.json()
            folder_id = int(body["FolderId"])
            last = int(body.get("LastMessageIDReceived") or 0)
        except (ValueError, KeyError, TypeError):
            return self._err(400, "The request is invalid.")  # shape: guess, not documented
        ids = sorted(i for i, m in self.messages.items()
                     if m["owner"] == user and m["folder"] == folder_id and i > last)
        page = ids[:self.page_size]
        summaries = []
        for message_id in page:
            m = self.messages[message_id]
            summaries.append({
                "AttachmentCount": len(m["Attachments"]),
                "createTimeString": self._time(m["created"]), "FolderId": folder_id,
                "MessageId": message_id, "MessageSize": len(m["HtmlBody"]) + len(m["TextBody"]),
                "Read": False, "MessageStatus": -1, "SenderAddress": m["From"],
                "Subject": m["Subject"]})
        return Reply(200, {"MoreMessagesAvailable": len(ids) > len(page),
                           "Summaries": summaries})

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
        if self.normalising:
            fields.update(Subject=norm_text(fields["Subject"]),
                          TextBody=norm_text(fields["TextBody"]),
                          To=[norm_address(a) for a in fields["To"]],
                          Cc=norm_addresses(fields["Cc"]), Bcc=norm_addresses(fields["Bcc"]))
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
            **fields, "id": self._next_id, "owner": user, "folder": DRAFTS,
            "created": datetime.now(UTC),
        }
        return Reply(200, {"MessageId": self._next_id})
