"""ONLYOFFICE Mail (../shared/BACKENDS.md §2): token auth, HTML-only drafts, uploaded attachments.

- Base URL is the portal root. ``POST api/2.0/authentication`` gives a token, sent as
  ``Authorization: <token>`` (no "Bearer"); on 401 the adapter signs in again once.
- ``PUT api/2.0/mail/drafts/save`` with ``id`` 0 creates, with the draft's id
  overwrites. ``from`` is the account's mailbox address. The body is HTML only (a
  text draft is converted). Importance is carried.
- Attachments: the draft is saved first (for its id), each new file is uploaded with
  ``messages/attachment/add`` (multipart), then the draft is saved again referencing
  them. Files already on the remote draft (same name and size) are not uploaded again.
- Limits checked before any push: 25 MB of attachments in total, 512 KB of HTML body.
- Answers come in the ``{status, statusCode, response}`` envelope; errors in
  ``{error: {message}}``, whose message is kept.

Guarantees. Duplicates: the service keeps no client marker, so ``find`` looks in the
Drafts folder for a draft with the same fingerprint (recipients, subject, body,
attachment names; normalised) in the Drafts folder; a create whose answer was lost is
found unless that remote draft was changed meanwhile. Conflicts: no version field, so
``version`` is that fingerprint of the service's copy (the saved message it returns),
normalised (trimmed, lower-cased and sorted addresses), so a server that reformats
what it stores never looks like an edit made elsewhere. An answer outside the
envelope, a list that is not an array or a message without ``Id`` is a ``protocol``
error, never "no drafts".
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import httpx

from composer.domain.addresses import parse_addresses
from composer.domain.models import Attachment, Draft, Importance
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
    canonical_addresses,
    canonical_text,
    declared_limits,
    fingerprint,
    html_body,
    invalid_recipients,
)
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import json_or_none, protocol_error, status_error, transport_errors

SERVICE = "ONLYOFFICE"
TOTAL_LIMIT = 25 * 1024 * 1024
BODY_LIMIT = 524288
DRAFTS = 3
PAGE = 25


def _emails(value: Any) -> list[str]:
    """Addresses from the service's comma-joined string (quoted names may hold commas)."""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return [a.addr.lower() if a.valid else a.raw for a in parse_addresses(str(value or ""))]


class OnlyofficeAdapter:
    kind = "onlyoffice"
    capabilities = Capabilities(
        schedule=False, body=BodyKind.HTML_ONLY, attachments=AttachmentMode.UPLOAD_THEN_REF,
        partial_update=False, editable_after_create=True, can_list=True, can_fetch=True,
        max_total_bytes=TOTAL_LIMIT, max_body_chars=BODY_LIMIT,
    )

    def __init__(self, account: AccountConfig, secret: str, client: httpx.Client,
                 clock: Clock) -> None:
        self._account = account
        self._secret = secret
        self._client = client
        self._clock = clock
        self._token: str | None = None

    # -- protocol -----------------------------------------------------------------------
    def check(self, draft: Draft) -> Sequence[Problem]:
        problems: list[Problem] = []
        if not self._account.address:
            problems.append(Problem("from", "missing_sender", "set the account's mailbox "
                                    "address (ONLYOFFICE sends from one of your mailboxes)"))
        problems += invalid_recipients(draft)
        return problems + declared_limits(draft, self.capabilities, "ONLYOFFICE",
                                          body=self._html(draft))

    def test(self) -> str:
        self._login()
        return f"signed in to ONLYOFFICE as {self._account.username}"

    def create(self, draft: Draft, files: AttachmentSource, marker: str) -> RemoteRef:
        saved = self._save(0, draft, [])
        if not draft.attachments:
            return self._ref(saved)
        refs = self._upload_missing(int(saved["Id"]), draft.attachments, [], files)
        return self._ref(self._save(int(saved["Id"]), draft, refs))

    def update(self, ref: RemoteRef, draft: Draft, previous: Draft | None,
               files: AttachmentSource, marker: str) -> RemoteRef:
        message_id = _int_id(ref.remote_id)
        current = self._call("GET", f"api/2.0/mail/messages/{message_id}")
        existing = [a for a in (current.get("Attachments") or []) if isinstance(a, dict)]
        refs = self._upload_missing(message_id, draft.attachments, existing, files)
        return self._ref(self._save(message_id, draft, refs))

    def fetch(self, remote_id: str) -> RemoteDraft:
        return self._remote(self._call("GET", f"api/2.0/mail/messages/{_int_id(remote_id)}"))

    def list_drafts(self, known: Collection[str] = ()) -> Sequence[RemoteDraft]:
        return [self.fetch(str(s["Id"])) for s in self._summaries()
                if str(s["Id"]) not in known]

    def find(self, marker: str, draft: Draft) -> RemoteRef | None:
        subject = draft.subject
        wanted = self._fingerprint(self._payload(0, draft, []), names=[
            a.name for a in draft.attachments])
        for summary in self._summaries():
            if canonical_text(summary.get("Subject")) != canonical_text(subject):
                continue
            remote = self.fetch(str(summary["Id"]))
            if remote.version == wanted or self._fingerprint(
                    self._payload(0, draft, []), names=[]) == remote.version:
                return RemoteRef(remote.remote_id, remote.version)
        return None

    def delete(self, remote_id: str) -> None:
        self._call("PUT", "api/2.0/mail/messages/remove", json={"ids": [_int_id(remote_id)]})

    def send(self, remote_id: str) -> None:
        current = self._call("GET", f"api/2.0/mail/messages/{_int_id(remote_id)}")
        body = {"id": _int_id(remote_id), "from": current.get("From") or self._sender(),
                "to": _emails(current.get("To")), "cc": _emails(current.get("Cc")),
                "bcc": _emails(current.get("Bcc")), "subject": current.get("Subject") or "",
                "body": current.get("HtmlBody") or "",
                "attachments": current.get("Attachments") or []}
        self._call("PUT", "api/2.0/mail/messages/send", json=body)

    def close(self) -> None:
        self._client.close()

    # -- mapping ------------------------------------------------------------------------
    def _sender(self) -> str:
        return self._account.address

    @staticmethod
    def _html(draft: Draft) -> str:
        return html_body(draft)

    def _payload(self, message_id: int, draft: Draft,
                 attachments: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": message_id, "from": self._sender(),
            "to": [a.formatted() for a in draft.to if a.valid],
            "cc": [a.formatted() for a in draft.cc if a.valid],
            "bcc": [a.formatted() for a in draft.bcc if a.valid],
            "subject": draft.subject, "body": self._html(draft),
            "importance": draft.importance is Importance.HIGH,
            "attachments": attachments,
        }

    def _save(self, message_id: int, draft: Draft,
              attachments: list[dict[str, Any]]) -> dict[str, Any]:
        data = self._call("PUT", "api/2.0/mail/drafts/save",
                          json=self._payload(message_id, draft, attachments))
        if not isinstance(data, dict) or not isinstance(data.get("Id"), int):
            raise protocol_error(SERVICE, "the saved message has no Id")
        return data

    def _upload_missing(self, message_id: int, wanted: Sequence[Attachment],
                        existing: list[dict[str, Any]],
                        files: AttachmentSource) -> list[dict[str, Any]]:
        pool = list(existing)
        refs: list[dict[str, Any]] = []
        for att in wanted:
            match = next((e for e in pool if e.get("fileName") == att.name
                          and int(e.get("size") or -1) == att.size), None)
            if match is not None:
                pool.remove(match)
                refs.append(match)
                continue
            uploaded = self._call(
                "POST", "api/2.0/mail/messages/attachment/add",
                data={"id_message": str(message_id), "name": att.name,
                      "content_type": att.content_type},
                files={"file": (att.name, files.read_bytes(att.sha256), att.content_type)})
            if not isinstance(uploaded, dict):
                raise protocol_error(SERVICE, "the answer to an upload is not an attachment")
            refs.append(uploaded)
        return refs

    def _fingerprint(self, payload: dict[str, Any], names: list[str]) -> str:
        return _version(payload.get("to"), payload.get("cc"), payload.get("bcc"),
                        payload.get("subject"), payload.get("body"), names)

    def _ref(self, message: dict[str, Any]) -> RemoteRef:
        return RemoteRef(str(message["Id"]), self._remote(message).version)

    def _remote(self, message: Any) -> RemoteDraft:
        if not isinstance(message, dict) or not isinstance(message.get("Id"), int):
            raise protocol_error(SERVICE, "a message has no Id")
        names = [str(a.get("fileName")) for a in message.get("Attachments") or []
                 if isinstance(a, dict)]
        version = _version(message.get("To"), message.get("Cc"), message.get("Bcc"),
                           message.get("Subject"), message.get("HtmlBody"), names)
        folder = int(message.get("Folder") or DRAFTS)
        return RemoteDraft(
            remote_id=str(message["Id"]), version=version,
            to=tuple(_emails(message.get("To"))), cc=tuple(_emails(message.get("Cc"))),
            bcc=tuple(_emails(message.get("Bcc"))), subject=str(message.get("Subject") or ""),
            html=str(message.get("HtmlBody") or ""), from_addr=str(message.get("From") or ""),
            status="draft" if folder == DRAFTS else "sent" if folder == 2 else "deleted",
            attachment_names=tuple(names),
        )

    def _summaries(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        page = 1
        while True:
            envelope = self._call("GET", "api/2.0/mail/messages", whole=True,
                                  params={"folder": DRAFTS, "page": page, "page_size": PAGE})
            items = envelope.get("response")
            if not isinstance(items, list):
                raise protocol_error(SERVICE, "the message list is not an array")
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get("Id"), int):
                    raise protocol_error(SERVICE, "a listed message has no Id")
            out += items
            total = envelope.get("total", len(out))
            if not isinstance(total, int):
                raise protocol_error(SERVICE, "the message list's total is not a number")
            if not items or len(out) >= total:
                return out
            page += 1

    # -- HTTP ---------------------------------------------------------------------------
    def _login(self) -> str:
        with transport_errors(SERVICE):
            response = self._client.post("api/2.0/authentication", json={
                "userName": self._account.username, "password": self._secret})
        data = json_or_none(response)
        if response.is_success and isinstance(data, dict):
            token = (data.get("response") or {}).get("token")
            if token:
                self._token = str(token)
                return self._token
        if response.is_success:
            raise protocol_error(SERVICE, "the answer to a sign-in has no token")
        error = self._error(response, data)
        if response.status_code in (400, 401, 403):
            error.kind = SyncErrorKind.AUTH
        raise error

    def _call(self, method: str, path: str, *, whole: bool = False, **kwargs: Any) -> Any:
        for attempt in (1, 2):
            token = self._token or self._login()
            with transport_errors(SERVICE):
                response = self._client.request(method, path,
                                                headers={"Authorization": token}, **kwargs)
            data = json_or_none(response)
            if response.is_success:
                if not isinstance(data, dict) or "response" not in data:
                    raise protocol_error(SERVICE, "an answer outside the response envelope")
                return data if whole else data["response"]
            if response.status_code == 401 and attempt == 1:
                self._token = None  # the token expired: sign in again, once
                continue
            raise self._error(response, data)
        raise AssertionError("unreachable")

    @staticmethod
    def _error(response: httpx.Response, data: Any) -> SyncError:
        words = ""
        if isinstance(data, dict):
            error = data.get("error")
            words = str(error.get("message") if isinstance(error, dict) else error or "")
        elif response.text:
            words = response.text.strip()[:500]
        status = response.status_code
        if "Drafts folder" in words:
            return status_error(SERVICE, status, words, kind=SyncErrorKind.CONFLICT)
        if "body exceeded limit" in words:
            return status_error(SERVICE, status, words, kind=SyncErrorKind.VALIDATION,
                                field="body")
        if "Mailbox not found" in words or "group address" in words or \
                words.endswith("Parameter name: from"):
            return status_error(SERVICE, status, words, kind=SyncErrorKind.VALIDATION,
                                field="from")
        if "attachments exceeds" in words or "Empty files" in words:
            return status_error(SERVICE, status, words, kind=SyncErrorKind.VALIDATION,
                                field="attachments")
        if "wasn't found" in words or "could not be found" in words:
            return status_error(SERVICE, status, words, kind=SyncErrorKind.NOT_FOUND)
        return status_error(SERVICE, status, words)


def _version(to: Any, cc: Any, bcc: Any, subject: Any, body: Any, names: list[str]) -> str:
    """The fingerprint of a draft's content, normalised alike for what was sent and what
    the service returns."""
    return fingerprint(canonical_addresses(_emails(to)), canonical_addresses(_emails(cc)),
                       canonical_addresses(_emails(bcc)), canonical_text(subject),
                       canonical_text(body), sorted(names))


def _int_id(remote_id: str) -> int:
    """A remote id as the int the paths take; anything else is not one of ours."""
    if not remote_id.isascii() or not remote_id.isdigit():
        raise SyncError(SyncErrorKind.NOT_FOUND, f"{SERVICE}: unknown draft id",
                        request_sent=False)
    return int(remote_id)
