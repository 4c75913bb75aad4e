"""A fake ONLYOFFICE Mail API (../shared/BACKENDS.md §2, §8.2) over real HTTP.

``POST /api/2.0/authentication[.json]`` → 201 envelope with a token (sent back as
``Authorization: <token>``, no "Bearer"); ``PUT /api/2.0/mail/drafts/save`` (id 0
creates) with the documented checks ("Mailbox not found", "Saving emails is permitted
only in the Drafts folder", the 512 KB body limit as 403, the 25 MB attachment total
as 400); ``POST …/messages/attachment/add`` (multipart; ``id_message`` ≥ 1);
``GET …/messages/{id}``; ``GET …/messages?folder=3`` (paged); ``PUT …/messages/remove``;
``PUT …/messages/send``. Every answer is wrapped in the standard envelope, and
To/Cc/Bcc come back as comma-joined strings. [I] A missing or bad token answers 401.

Normalising mode: subject and body trimmed, address domains lower-cased and To/Cc/Bcc
reordered, ``ReceivedDate`` without fractional seconds in another offset, the Drafts
list newest first, default fields added (``Introduction``, ``IsNew``, ``TagIds``).
"""

from __future__ import annotations

import email
import email.policy
import itertools
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from tests.fakes.base import (
    FakeService,
    Reply,
    Request,
    norm_addresses,
    norm_text,
    norm_time,
)

BODY_LIMIT = 524288
ATTACHMENTS_LIMIT = 25 * 1024 * 1024
DRAFTS, SENT, TRASH = 3, 2, 4


def _envelope(status: int, response: Any, total: int | None = None) -> Reply:
    body = {"count": len(response) if isinstance(response, list) else 1, "startIndex": 0,
            "status": 0, "statusCode": status, "response": response}
    if total is not None:
        body["total"] = total
    return Reply(status, body)


def _address_only(value: str) -> str:
    match = re.search(r"<([^>]+)>\s*$", value)
    return (match.group(1) if match else value).strip().lower()


class FakeOnlyoffice(FakeService):
    def __init__(self, *, users: dict[str, str] | None = None,
                 mailboxes: set[str] | None = None) -> None:
        super().__init__()
        self.users = users if users is not None else {"alice@acme.example": "office-pass"}
        self.mailboxes = mailboxes if mailboxes is not None else {"alice@acme.example"}
        self.tokens: set[str] = set()
        self.messages: dict[int, dict[str, Any]] = {}
        self.files: dict[int, dict[str, Any]] = {}   # fileId -> attachment (with data)
        self._ids = itertools.count(501)
        self._file_ids = itertools.count(9001)

    def _error(self, status: int, message: str) -> Reply:
        return Reply(status, {"status": 1, "statusCode": status,
                              "error": {"message": message, "hresult": -2146233079,
                                        "data": {}}})

    def error_reply(self, status: int, headers: dict[str, str]) -> Reply:
        texts = {400: "Some input parameters are invalid.", 401: "Unauthorized",
                 403: "Access denied", 404: "The record could not be found",
                 409: "Conflict", 429: "Too many requests",
                 500: "Some unexpected error has occurred. Please try again later.",
                 503: "Service unavailable"}
        reply = self._error(status, texts.get(status, "Error"))
        reply.headers.update(headers)
        return reply

    def public(self, message: dict[str, Any]) -> dict[str, Any]:
        out = {
            "Id": message["Id"], "Folder": message["Folder"], "From": message["From"],
            "To": ", ".join(message["To"]), "Cc": ", ".join(message["Cc"]),
            "Bcc": ", ".join(message["Bcc"]), "Subject": message["Subject"],
            "HtmlBody": message["HtmlBody"], "Important": message["Important"],
            "MimeMessageId": f"<{message['Id']}@acme.example>", "MimeReplyToId": None,
            "ReceivedDate": message["ReceivedDate"], "ChainId": f"chain-{message['Id']}",
            "Attachments": [{k: v for k, v in self.files[f].items() if k != "data"}
                            for f in message["Attachments"]],
        }
        if self.normalising:
            out.update(Introduction=str(message["HtmlBody"])[:100], IsNew=False, TagIds=[])
        return out

    def touch(self, message_id: int, **changes: Any) -> None:
        self.messages[message_id].update(changes)

    def route(self, request: Request) -> Reply:
        path = request.path
        if path in ("/api/2.0/authentication", "/api/2.0/authentication.json"):
            return self._login(request)
        token = request.header("authorization")
        if not token or token not in self.tokens:
            return self._error(401, "Unauthorized")  # shape: guess, not documented
        if path == "/api/2.0/mail/drafts/save" and request.method == "PUT":
            return self._save(request)
        if path == "/api/2.0/mail/messages/attachment/add" and request.method == "POST":
            return self._upload(request)
        if path == "/api/2.0/mail/messages" and request.method == "GET":
            return self._list(request)
        if path == "/api/2.0/mail/messages/remove" and request.method == "PUT":
            ids = (self._json(request) or {}).get("ids") or []
            for message_id in ids:
                if message_id in self.messages:
                    self.messages[message_id]["Folder"] = TRASH
            return _envelope(200, ids)
        if path == "/api/2.0/mail/messages/send" and request.method == "PUT":
            return self._send(request)
        match = re.fullmatch(r"/api/2.0/mail/messages/(-?\d+)", path)
        if match and request.method == "GET":
            message_id = int(match.group(1))
            if message_id <= 0:
                return self._error(400, "Invalid message id")
            message = self.messages.get(message_id)
            if message is None or message["Folder"] == TRASH:
                return self._error(404, f"Message with {message_id} wasn't found.")
            return _envelope(200, self.public(message))
        return self._error(404, "Method not found")

    @staticmethod
    def _json(request: Request) -> Any:
        try:
            return request.json()
        except ValueError:
            return None

    def _login(self, request: Request) -> Reply:
        body = self._json(request) or {}
        if self.users.get(str(body.get("userName"))) != body.get("password"):
            return self._error(401, "User authentication failed")
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return _envelope(201, {"expires": "2027-11-23T09:00:00.0000000+00:00", "token": token})

    def _save(self, request: Request) -> Reply:
        body = self._json(request)
        if not isinstance(body, dict):
            return self._error(400, "Some input parameters are invalid.")
        sender = str(body.get("from") or "")
        if not sender:
            return self._error(400, "Value cannot be null.\r\nParameter name: from")
        if _address_only(sender) not in self.mailboxes:
            return self._error(400, "Mailbox not found")
        message_id = int(body.get("id") or 0)
        existing = self.messages.get(message_id) if message_id > 0 else None
        if message_id > 0 and existing is None:
            return self._error(404, f"Message with {message_id} wasn't found.")
        if existing is not None and existing["Folder"] != DRAFTS:
            return self._error(403, "Saving emails is permitted only in the Drafts folder")
        html = str(body.get("body") or "")
        if len(html) > BODY_LIMIT:
            return self._error(403, "Message body exceeded limit (512 KB)")
        refs = body.get("attachments") or []
        if sum(int(a.get("size") or 0) for a in refs) > ATTACHMENTS_LIMIT:
            return self._error(400, "Total size of all attachments exceeds limit.")
        if existing is None:
            message_id = next(self._ids)
            existing = {"Id": message_id, "Folder": DRAFTS, "Attachments": []}
            self.messages[message_id] = existing
        kept = [int(a["fileId"]) for a in refs
                if int(a.get("fileId") or 0) in self.files
                and self.files[int(a["fileId"])]["messageId"] == message_id]
        existing.update(
            From=sender, To=list(body.get("to") or []), Cc=list(body.get("cc") or []),
            Bcc=list(body.get("bcc") or []), Subject=str(body.get("subject") or ""),
            HtmlBody=html, Important=bool(body.get("importance")), Attachments=kept,
            ReceivedDate=norm_time(datetime.now(UTC)) if self.normalising else
            datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0+00:00"),
        )
        if self.normalising:
            existing.update(Subject=norm_text(existing["Subject"]),
                            HtmlBody=norm_text(existing["HtmlBody"]),
                            To=norm_addresses(existing["To"]), Cc=norm_addresses(existing["Cc"]),
                            Bcc=norm_addresses(existing["Bcc"]))
        return _envelope(200, self.public(existing))

    def _upload(self, request: Request) -> Reply:
        ctype = request.header("content-type") or ""
        parsed = email.message_from_bytes(
            f"Content-Type: {ctype}\r\n\r\n".encode() + request.body, policy=email.policy.HTTP)
        fields: dict[str, Any] = {}
        for part in parsed.iter_parts() if parsed.is_multipart() else []:
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            fields[str(name)] = (part.get_filename(), payload)
        try:
            message_id = int(fields["id_message"][1])
        except (KeyError, ValueError, TypeError):
            return self._error(400, "Some input parameters are invalid.")
        if message_id < 1:
            return self._error(400, "Some input parameters are invalid.")
        message = self.messages.get(message_id)
        if message is None or message["Folder"] != DRAFTS:
            return self._error(500, "Message is not a draft or templates.")
        filename, data = fields.get("file", (None, None))
        if not data:
            return self._error(400, "Empty files not supported.")
        name = fields.get("name", (None, b""))[1]
        file_id = next(self._file_ids)
        self.files[file_id] = {
            "fileId": file_id, "fileName": (name.decode() if name else filename) or "file",
            "size": len(data), "contentType": (fields.get("content_type", (None, b""))[1]
                                               or b"application/octet-stream").decode(),
            "needSaveToTemp": False, "contentId": None,
            "fileNumber": len(message["Attachments"]) + 1,
            "storedName": f"stored-{file_id}", "streamId": f"stream-{message_id}",
            "messageId": message_id, "data": data,
        }
        message["Attachments"].append(file_id)
        return Reply(201, {"count": 1, "startIndex": 0, "status": 0, "statusCode": 201,
                           "response": {k: v for k, v in self.files[file_id].items()
                                        if k != "data"}})

    def _list(self, request: Request) -> Reply:
        folder = int(request.query.get("folder", ["1"])[0])
        page = int(request.query.get("page", ["1"])[0])
        size = int(request.query.get("page_size", ["25"])[0])
        items = [m for m in self.messages.values() if m["Folder"] == folder]
        if self.normalising:
            items.reverse()
        chunk = items[(page - 1) * size: page * size]
        # shape: guess, not documented (which MailMessage keys a list item carries)
        summaries = [{"Id": m["Id"], "Subject": m["Subject"], "To": ", ".join(m["To"]),
                      "From": m["From"], "Folder": m["Folder"],
                      "Date": m["ReceivedDate"]} for m in chunk]
        return _envelope(200, summaries, total=len(items))

    def _send(self, request: Request) -> Reply:
        body = self._json(request) or {}
        message = self.messages.get(int(body.get("id") or 0))
        if message is None:
            return self._error(404, "Message could not be found.")
        if message["Folder"] != DRAFTS:
            return self._error(403, "Saving emails is permitted only in the Drafts folder")
        if not message["To"]:
            return self._error(400, "This field cannot be empty")
        message["Folder"] = SENT
        return _envelope(200, message["Id"])
