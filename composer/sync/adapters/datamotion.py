"""DataMotion SecureMail v2 (../shared/BACKENDS.md §1): session key from ``Account/Logon``.

- Base URL ends in ``/SecureMessagingApi``. Log on lazily with the account's user id
  and password; every call sends ``X-Session-Key``. On "Session key expired." or "Bad
  session key." the adapter logs on again once and repeats the request once.
- ``Message/SaveDraft`` without ``MessageId`` creates, with it overwrites (attachments
  replaced). Inline base64 attachments; text and HTML bodies both sent.
- 401 is overloaded by the service: credential and session texts are auth errors, but
  "Recipient Invalid …", "File sizes greater than 32 MB …" and the other content texts
  are validation errors with the service's words.

- Drafts are listed (§1.2 "List a folder"): the Drafts folder's id from ``GET
  Folder/List``, then ``POST Message/GetMessageSummaries`` paged with
  ``LastMessageIDReceived`` until ``MoreMessagesAvailable`` is false. An answer without
  ``Folders``/``Summaries`` (or a summary without its ``MessageId``) is a ``protocol``
  error, never "no drafts".

Guarantees. Duplicates: the service stores no client marker, so ``find`` narrows the
Drafts folder's summaries by subject (and create time, when it parses), then fetches
each candidate (``GET Message/{id}/NoAttachmentData``) and compares its content
(recipients, subject, text body, attachment names, normalised): a create whose answer
was lost is found. Conflicts: no version field, so ``version`` is a fingerprint of the
service's copy (``GET Message/{id}`` after every push), normalised, so a server that
trims, lower-cases or reorders what it stores never looks like an edit made elsewhere.
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from composer.domain.models import Draft
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
    canonical_addresses,
    canonical_text,
    declared_limits,
    fingerprint,
    invalid_recipients,
)
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import json_or_none, protocol_error, status_error, transport_errors

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
        partial_update=False, editable_after_create=True, can_list=True, can_fetch=True,
        max_attachment_bytes=LIMIT, max_total_bytes=LIMIT, max_subject_chars=255,
    )
    #: a lost create is looked for among drafts made at most this long before its draft
    CREATE_TIME_SLACK = timedelta(days=2)

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
        return problems + declared_limits(draft, self.capabilities, "DataMotion")

    def test(self) -> str:
        self._logon()
        return f"signed in to DataMotion SecureMail as {self._account.username}"

    def create(self, draft: Draft, files: AttachmentSource, marker: str) -> RemoteRef:
        data = self._call("POST", "Message/SaveDraft", json=self._body(draft, files))
        return self._stored(self._message_id(data))

    def update(self, ref: RemoteRef, draft: Draft, previous: Draft | None,
               files: AttachmentSource, marker: str) -> RemoteRef:
        body = self._body(draft, files)
        body["MessageId"] = _int_id(ref.remote_id)
        return self._stored(self._message_id(self._call("POST", "Message/SaveDraft",
                                                        json=body)))

    def _stored(self, message_id: int) -> RemoteRef:
        """The ref of a draft just saved, its version from the service's copy."""
        remote = self.fetch(str(message_id))
        return RemoteRef(remote.remote_id, remote.version)

    def fetch(self, remote_id: str) -> RemoteDraft:
        return self._remote(remote_id, self._call(
            "GET", f"Message/{_int_id(remote_id)}/NoAttachmentData"))

    def list_drafts(self, known: Collection[str] = ()) -> Sequence[RemoteDraft]:
        return [self.fetch(str(s["MessageId"])) for s in self._drafts_summaries()
                if str(s["MessageId"]) not in known]

    def find(self, marker: str, draft: Draft) -> RemoteRef | None:
        wanted = self._content_key(self._body(draft, None))
        subject = canonical_text(draft.subject)
        earliest = draft.created_at - self.CREATE_TIME_SLACK
        for summary in self._drafts_summaries():
            if canonical_text(summary.get("Subject")) != subject:
                continue
            created = _create_time(summary.get("createTimeString"))
            if created is not None and created < earliest:
                continue
            message_id = int(summary["MessageId"])
            data = self._call("GET", f"Message/{message_id}/NoAttachmentData")
            remote = self._remote(str(message_id), data)
            if self._content_key(data) == wanted:
                return RemoteRef(remote.remote_id, remote.version)
        return None

    def delete(self, remote_id: str) -> None:
        self._call("DELETE", f"Message/{_int_id(remote_id)}")

    def send(self, remote_id: str) -> None:
        self._call("POST", f"Message/{_int_id(remote_id)}/SendDraft", content=b'""')

    def close(self) -> None:
        self._client.close()

    # -- mapping ------------------------------------------------------------------------
    def _body(self, draft: Draft, files: AttachmentSource | None) -> dict[str, Any]:
        text, html = bodies(draft)
        body: dict[str, Any] = {
            "To": [a.addr for a in draft.to if a.valid],
            "Cc": [a.addr for a in draft.cc if a.valid],
            "Bcc": [a.addr for a in draft.bcc if a.valid],
            "Subject": draft.subject, "HtmlBody": html, "TextBody": text,
            "Attachments": [
                {"AttachmentBase64": base64.b64encode(files.read_bytes(a.sha256)).decode()
                 if files is not None else "",
                 "ContentType": a.content_type, "FileName": a.name, "ContentId": None}
                for a in draft.attachments
            ],
        }
        sender = self._account.address or draft.from_addr
        if sender:
            body["From"] = sender
        return body

    @staticmethod
    def _content_key(data: dict[str, Any]) -> str:
        """What identifies a draft's content, normalised (a request body or a message)."""
        names = sorted(str(a.get("FileName")) for a in data.get("Attachments") or []
                       if isinstance(a, dict))
        return fingerprint(canonical_addresses(data.get("To") or []),
                           canonical_addresses(data.get("Cc") or []),
                           canonical_addresses(data.get("Bcc") or []),
                           canonical_text(data.get("Subject")),
                           canonical_text(data.get("TextBody")), names)

    def _remote(self, remote_id: str, data: Any) -> RemoteDraft:
        if not isinstance(data, dict):
            raise protocol_error(SERVICE, "a message is not an object")
        for name in ("To", "Cc", "Bcc", "Attachments"):
            if data.get(name) is not None and not isinstance(data[name], list):
                raise protocol_error(SERVICE, f"a message's {name} is not a list")
        version = fingerprint(self._content_key(data), canonical_text(data.get("HtmlBody")))
        return RemoteDraft(
            remote_id=remote_id, version=version,
            to=tuple(str(a) for a in data.get("To") or ()),
            cc=tuple(str(a) for a in data.get("Cc") or ()),
            bcc=tuple(str(a) for a in data.get("Bcc") or ()),
            subject=str(data.get("Subject") or ""), html=str(data.get("HtmlBody") or ""),
            text=str(data.get("TextBody") or ""), from_addr=str(data.get("From") or ""),
            attachment_names=tuple(str(a.get("FileName")) for a in data.get("Attachments")
                                   or () if isinstance(a, dict)),
        )

    def _drafts_folder(self) -> int:
        data = self._call("GET", "Folder/List")
        folders = data.get("Folders") if isinstance(data, dict) else None
        if not isinstance(folders, list):
            raise protocol_error(SERVICE, "the folder list has no Folders")
        for folder in folders:
            if not isinstance(folder, dict):
                raise protocol_error(SERVICE, "a folder is not an object")
            names = {str(folder.get("FolderName") or "").strip().lower(),
                     str(folder.get("FolderTypeDescription") or "").strip().lower()}
            if "drafts" in names:
                if not isinstance(folder.get("FolderId"), int):
                    raise protocol_error(SERVICE, "the Drafts folder has no FolderId")
                return int(folder["FolderId"])
        raise protocol_error(SERVICE, "the folder list has no Drafts folder")

    def _drafts_summaries(self) -> Iterator[dict[str, Any]]:
        """Every summary in the Drafts folder, page by page."""
        folder = self._drafts_folder()
        last = 0
        while True:
            data = self._call("POST", "Message/GetMessageSummaries",
                              json={"FolderId": folder, "LastMessageIDReceived": last})
            summaries = data.get("Summaries") if isinstance(data, dict) else None
            more = data.get("MoreMessagesAvailable") if isinstance(data, dict) else None
            if not isinstance(summaries, list) or not isinstance(more, bool):
                raise protocol_error(SERVICE, "a folder listing has no Summaries or "
                                     "MoreMessagesAvailable")
            for summary in summaries:
                if not isinstance(summary, dict) or not isinstance(
                        summary.get("MessageId"), int):
                    raise protocol_error(SERVICE, "a summary has no MessageId")
                last = max(last, int(summary["MessageId"]))
                yield summary
            if not more:
                return
            if not summaries:
                raise protocol_error(SERVICE, "a folder listing says more messages are "
                                     "available but lists none")

    @staticmethod
    def _message_id(data: Any) -> int:
        if not isinstance(data, dict) or not isinstance(data.get("MessageId"), int):
            raise protocol_error(SERVICE, "the answer to a save has no MessageId")
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
            raise protocol_error(SERVICE, "the answer to a logon has no SessionKey")
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


def _int_id(remote_id: str) -> int:
    """A remote id as the int32 the paths take; anything else is not one of ours."""
    if not remote_id.isascii() or not remote_id.isdigit():
        raise SyncError(SyncErrorKind.NOT_FOUND, f"{SERVICE}: unknown draft id",
                        request_sent=False)
    return int(remote_id)


_TIME_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def _create_time(value: object) -> datetime | None:
    """``createTimeString`` when it parses ([I] its format is not documented); None
    otherwise (then only the subject narrows)."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for pattern in _TIME_FORMATS:
            try:
                parsed = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
