"""DataMotion SecureMail v2 (BACKENDS.md §1): session key from ``Account/Logon``.

- Base URL ends in ``/SecureMessagingApi``. Log on lazily with the account's user id
  and password; every call sends ``X-Session-Key``. On "Session key expired." or "Bad
  session key." the adapter logs on again once and repeats the request once.
- ``Message/SaveDraft`` without ``MessageId`` creates, with it overwrites (attachments
  replaced). Inline base64 attachments; text and HTML bodies both sent.
- 401 is overloaded by the service: credential and session texts are auth errors, but
  "Recipient Invalid …", "File sizes greater than 32 MB …" and the other content texts
  are validation errors with the service's words.

Guarantees. Duplicates: the v2 API documents no way to list or search drafts, so
``find`` cannot look a lost create up; a create whose answer was lost may be created
again (the only service of the five with this gap; the README says so). Conflicts:
no version field, so ``version`` is a fingerprint of the stored fields as ``GET
Message/{id}`` returns them; an edit made elsewhere changes it.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import httpx

from composer.domain.models import Draft
from composer.errors import format_size
from composer.sync.adapters.base import (
    AccountConfig,
    AttachmentMode,
    AttachmentSource,
    BodyKind,
    Capabilities,
    Clock,
    Problem,
    RemoteDraft,
    RemoteRef,
    bodies,
    fingerprint,
    invalid_recipients,
)
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import json_or_none, status_error, transport_errors

SERVICE = "DataMotion"
LIMIT = 32 * 1024 * 1024
_SESSION_TEXTS = ("Session key expired.", "Bad session key.",
                  "The X-Session-Key header is missing.")
_AUTH_TEXTS = ("User credentials are invalid.", "User account has not been verified.",
               "Password expired", "Too many invalid login attempts", "User could not be "
               "authenticated.", "User disabled.", "IP")


class DataMotionAdapter:
    kind = "datamotion"
    capabilities = Capabilities(
        schedule=False, body=BodyKind.TEXT_AND_HTML, attachments=AttachmentMode.INLINE_BASE64,
        partial_update=False, editable_after_create=True, can_list=False, can_fetch=True,
        max_attachment_bytes=LIMIT, max_total_bytes=LIMIT, max_subject_chars=255,
        can_find=False,
    )

    def __init__(self, account: AccountConfig, secret: str, client: httpx.Client,
                 clock: Clock) -> None:
        self._account = account
        self._secret = secret
        self._client = client
        self._clock = clock
        self._session: str | None = None

    # -- protocol -----------------------------------------------------------------------
    def check(self, draft: Draft) -> Sequence[Problem]:
        problems: list[Problem] = []
        if not any(a.valid for a in draft.to):
            problems.append(Problem("to", "no_recipient",
                                    "DataMotion needs at least one To address"))
        problems += invalid_recipients(draft)
        if len(draft.subject) > 255:
            problems.append(Problem("subject", "subject_too_long",
                                    f"the subject has {len(draft.subject)} characters; "
                                    "DataMotion allows 255"))
        total = draft.total_attachment_bytes
        if total > LIMIT:
            problems.append(Problem("attachments", "attachments_too_large",
                                    f"the attachments total {format_size(total)}; "
                                    f"DataMotion allows {format_size(LIMIT)} per message"))
        return problems

    def test(self) -> str:
        self._logon()
        return f"signed in to DataMotion SecureMail as {self._account.username}"

    def create(self, draft: Draft, files: AttachmentSource, marker: str) -> RemoteRef:
        body = self._body(draft, files)
        data = self._call("POST", "Message/SaveDraft", json=body)
        return RemoteRef(str(self._message_id(data)), self._version(body))

    def update(self, ref: RemoteRef, draft: Draft, previous: Draft | None,
               files: AttachmentSource, marker: str) -> RemoteRef:
        body = self._body(draft, files)
        body["MessageId"] = int(ref.remote_id)
        data = self._call("POST", "Message/SaveDraft", json=body)
        return RemoteRef(str(self._message_id(data)), self._version(body))

    def fetch(self, remote_id: str) -> RemoteDraft:
        data = self._call("GET", f"Message/{int(remote_id)}")
        if not isinstance(data, dict):
            raise SyncError(SyncErrorKind.TRANSIENT, f"{SERVICE}: unexpected answer")
        return RemoteDraft(
            remote_id=remote_id, version=self._version(data),
            to=tuple(data.get("To") or ()), cc=tuple(data.get("Cc") or ()),
            bcc=tuple(data.get("Bcc") or ()), subject=str(data.get("Subject") or ""),
            html=str(data.get("HtmlBody") or ""), text=str(data.get("TextBody") or ""),
            from_addr=str(data.get("From") or ""),
            attachment_names=tuple(str(a.get("FileName")) for a in data.get("Attachments")
                                   or () if isinstance(a, dict)),
        )

    def list_drafts(self) -> Sequence[RemoteDraft]:
        raise SyncError(SyncErrorKind.UNSUPPORTED,
                        f"{SERVICE}: the API cannot list drafts", request_sent=False)

    def find(self, marker: str, draft: Draft) -> RemoteRef | None:
        return None

    def delete(self, remote_id: str) -> None:
        self._call("DELETE", f"Message/{int(remote_id)}")

    def send(self, remote_id: str) -> None:
        self._call("POST", f"Message/{int(remote_id)}/SendDraft", content=b'""')

    def close(self) -> None:
        self._client.close()

    # -- mapping ------------------------------------------------------------------------
    def _body(self, draft: Draft, files: AttachmentSource) -> dict[str, Any]:
        text, html = bodies(draft)
        body: dict[str, Any] = {
            "To": [a.addr for a in draft.to if a.valid],
            "Cc": [a.addr for a in draft.cc if a.valid],
            "Bcc": [a.addr for a in draft.bcc if a.valid],
            "Subject": draft.subject, "HtmlBody": html, "TextBody": text,
            "Attachments": [
                {"AttachmentBase64": base64.b64encode(files.read_bytes(a.sha256)).decode(),
                 "ContentType": a.content_type, "FileName": a.name, "ContentId": None}
                for a in draft.attachments
            ],
        }
        sender = self._account.address or draft.from_addr
        if sender:
            body["From"] = sender
        return body

    @staticmethod
    def _version(data: dict[str, Any]) -> str:
        names = [a.get("FileName") for a in data.get("Attachments") or []
                 if isinstance(a, dict)]
        return fingerprint(list(data.get("To") or []), list(data.get("Cc") or []),
                           list(data.get("Bcc") or []), data.get("Subject") or "",
                           data.get("HtmlBody") or "", data.get("TextBody") or "", names)

    @staticmethod
    def _message_id(data: Any) -> int:
        if not isinstance(data, dict) or not isinstance(data.get("MessageId"), int):
            raise SyncError(SyncErrorKind.TRANSIENT, f"{SERVICE}: unexpected answer "
                            "(no MessageId)")
        return int(data["MessageId"])

    # -- HTTP ---------------------------------------------------------------------------
    def _logon(self) -> str:
        with transport_errors(SERVICE):
            response = self._client.post("Account/Logon", json={
                "UserIdOrEmail": self._account.username, "Password": self._secret})
        if response.is_success:
            data = json_or_none(response)
            if isinstance(data, dict) and data.get("SessionKey"):
                self._session = str(data["SessionKey"])
                return self._session
            raise SyncError(SyncErrorKind.TRANSIENT, f"{SERVICE}: unexpected logon answer")
        words = self._words(response)
        if response.status_code in (400, 401):
            raise SyncError(SyncErrorKind.AUTH, f"{SERVICE}: sign-in refused",
                            service_message=words, status=response.status_code)
        raise self._error(response, words)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in (1, 2):
            key = self._session or self._logon()
            with transport_errors(SERVICE):
                response = self._client.request(
                    method, path, headers={"X-Session-Key": key,
                                           "Content-Type": "application/json"}, **kwargs)
            if response.is_success:
                return json_or_none(response) if response.content else None
            words = self._words(response)
            if response.status_code == 401 and words in _SESSION_TEXTS and attempt == 1:
                self._session = None  # log on again and repeat once
                continue
            raise self._error(response, words)
        raise AssertionError("unreachable")

    @staticmethod
    def _words(response: httpx.Response) -> str:
        data = json_or_none(response)
        if isinstance(data, dict):
            return str(data.get("Message") or data.get("message") or "")
        if isinstance(data, str):
            return data
        return response.text.strip()[:500]

    def _error(self, response: httpx.Response, words: str) -> SyncError:
        status = response.status_code
        if status == 401:
            if words in _SESSION_TEXTS or any(words.startswith(t) for t in _AUTH_TEXTS):
                return status_error(SERVICE, status, words, kind=SyncErrorKind.AUTH)
            field = None
            if words.startswith("Recipient Invalid - "):
                field = words.split(" ")[3].lower()
            elif "File sizes" in words:
                field = "attachments"
            return status_error(SERVICE, status, words, kind=SyncErrorKind.VALIDATION,
                                field=field)
        if status == 403 and "not in the Drafts Folder" in words:
            return status_error(SERVICE, status, words, kind=SyncErrorKind.CONFLICT)
        if status == 403 and "do not have access" in words:
            return status_error(SERVICE, status, words, kind=SyncErrorKind.NOT_FOUND)
        if status == 400:
            field = "subject" if "Subject" in words else "to" if "To field" in words else None
            return status_error(SERVICE, status, words, field=field)
        return status_error(SERVICE, status, words)
