"""Exante email drafts (../shared/BACKENDS.md §3): Bearer API key, create-or-update by ``uid``.

- Create: ``POST api/email/drafts`` without ``uid`` (``from_account_id`` from the
  account's options). Update: the same call with ``uid`` and only the fields that
  changed since the last push (lists — recipients, attachments — are sent whole).
- Scheduling: ``planned_send_at`` (RFC 3339, seconds, ``Z``); ``null`` clears it.
- Bodies: both ``body_text`` and ``body_html`` (the missing one is derived).
- Attachments: inline base64; the service does not echo them back.
- Errors: 401 auth, 403 forbidden, 404 not found, 409/400 on a sent draft → conflict,
  other 400 → validation with the service's words, 429 → wait ``Retry-After`` seconds.

Guarantees. Duplicates: the service stores no client marker, so ``find`` matches the
content fingerprint (recipients, subject, bodies, schedule; normalised) in the drafts
list; a create whose answer was lost is found unless that remote draft was changed
meanwhile. Conflicts: ``version`` is the service's ``updated_at`` as the instant it
names (another offset or no milliseconds is the same version), so any change made
elsewhere is detected before an update. A list without ``items`` or a draft without
``uid`` is a ``protocol`` error, never "no drafts".
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from composer.domain.models import MAX_ATTACHMENT_BYTES, Draft
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
    canonical_time,
    declared_limits,
    fingerprint,
    invalid_recipients,
)
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import (
    json_or_none,
    path_segment,
    protocol_error,
    retry_after_seconds,
    server_error,
    transport_errors,
)

SERVICE = "Exante"


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _parse_time(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


class ExanteAdapter:
    kind = "exante"
    capabilities = Capabilities(
        schedule=True, body=BodyKind.TEXT_AND_HTML, attachments=AttachmentMode.INLINE_BASE64,
        partial_update=True, editable_after_create=True, can_list=True, can_fetch=True,
        max_attachment_bytes=MAX_ATTACHMENT_BYTES,
    )

    def __init__(self, account: AccountConfig, secret: str, client: httpx.Client,
                 clock: Clock) -> None:
        self._account = account
        self._client = client
        self._clock = clock
        self._auth = {"Authorization": f"Bearer {secret}"}

    # -- protocol -----------------------------------------------------------------------
    def check(self, draft: Draft) -> Sequence[Problem]:
        problems: list[Problem] = []
        if not self._account.options.get("from_account_id"):
            problems.append(Problem("from", "missing_option",
                                    "the account needs its send-from account ID "
                                    "(option from_account_id)"))
        problems += invalid_recipients(draft)
        problems += declared_limits(draft, self.capabilities, "Exante")
        context_id = draft.context.get("context_id")
        if context_id:
            import uuid

            try:
                uuid.UUID(context_id)
            except ValueError:
                problems.append(Problem("context", "invalid_context_id",
                                        f"context_id {context_id!r} must be a UUID"))
        return problems

    def test(self) -> str:
        count = len(self.list_drafts())
        return f"Exante API key accepted; {count} drafts on the service"

    def create(self, draft: Draft, files: AttachmentSource, marker: str) -> RemoteRef:
        body = self._fields(draft, files)
        body["from_account_id"] = self._account.options.get("from_account_id", "")
        return self._ref(self._request("POST", "api/email/drafts", json=body))

    def update(self, ref: RemoteRef, draft: Draft, previous: Draft | None,
               files: AttachmentSource, marker: str) -> RemoteRef:
        full = self._fields(draft, files, include_attachments=previous is None or
                            previous.attachments != draft.attachments)
        if previous is not None:
            before = self._fields(previous, None, include_attachments=False)
            body = {k: v for k, v in full.items() if k == "attachments" or before.get(k) != v}
            if "planned_send_at" not in body and previous.schedule != draft.schedule:
                body["planned_send_at"] = full.get("planned_send_at")
        else:
            body = full
        body["uid"] = ref.remote_id
        return self._ref(self._request("POST", "api/email/drafts", json=body))

    def fetch(self, remote_id: str) -> RemoteDraft:
        return self._remote(self._request("GET", f"api/email/drafts/{_seg(remote_id)}"))

    def list_drafts(self, known: Collection[str] = ()) -> Sequence[RemoteDraft]:
        data = self._request("GET", "api/email/drafts")
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise protocol_error(SERVICE, "the drafts list has no items")
        return [self._remote(i) for i in items]

    def find(self, marker: str, draft: Draft) -> RemoteRef | None:
        wanted = self._content_key(self._fields(draft, None, include_attachments=False))
        for remote in self.list_drafts():
            if remote.status.lower() == "draft" and self._content_key({
                "to": list(remote.to), "cc": list(remote.cc), "bcc": list(remote.bcc),
                "subject": remote.subject, "body_text": remote.text,
                "body_html": remote.html,
                "planned_send_at": _rfc3339(remote.send_at) if remote.send_at else None,
            }) == wanted:
                return RemoteRef(remote.remote_id, remote.version)
        return None

    def delete(self, remote_id: str) -> None:
        self._request("DELETE", f"api/email/drafts/{_seg(remote_id)}")

    def send(self, remote_id: str) -> None:
        self._request("POST", "api/email/send", json={"draft_uid": remote_id})

    def close(self) -> None:
        self._client.close()

    # -- mapping ------------------------------------------------------------------------
    def _fields(self, draft: Draft, files: AttachmentSource | None, *,
                include_attachments: bool = True) -> dict[str, Any]:
        text, html = bodies(draft)
        body: dict[str, Any] = {
            "to": [a.addr for a in draft.to if a.valid],
            "cc": [a.addr for a in draft.cc if a.valid],
            "bcc": [a.addr for a in draft.bcc if a.valid],
            "subject": draft.subject,
            "body_text": text,
            "body_html": html,
            "planned_send_at": _rfc3339(draft.schedule.send_at) if draft.schedule else None,
        }
        if draft.context.get("context_type"):
            body["context_type"] = draft.context["context_type"]
        if draft.context.get("context_id"):
            body["context_id"] = draft.context["context_id"]
        if include_attachments and files is not None:
            body["attachments"] = [
                {"filename": a.name, "content_type": a.content_type,
                 "data_base64": base64.b64encode(files.read_bytes(a.sha256)).decode("ascii")}
                for a in draft.attachments
            ]
        return body

    @staticmethod
    def _content_key(fields: dict[str, Any]) -> str:
        return fingerprint(*(canonical_addresses(fields.get(k) or []) for k in
                             ("to", "cc", "bcc")),
                           *(canonical_text(fields.get(k)) for k in
                             ("subject", "body_text", "body_html")),
                           canonical_time(fields.get("planned_send_at")))

    @classmethod
    def _ref(cls, data: Any) -> RemoteRef:
        remote = cls._remote(data)
        return RemoteRef(remote.remote_id, remote.version)

    @staticmethod
    def _remote(data: Any) -> RemoteDraft:
        if not isinstance(data, dict) or not isinstance(data.get("uid"), str) \
                or not data["uid"]:
            raise protocol_error(SERVICE, "a draft has no uid")
        return RemoteDraft(
            remote_id=str(data["uid"]),
            version=canonical_time(str(data.get("updated_at") or ""), fraction=True) or "",
            to=tuple(data.get("to") or ()), cc=tuple(data.get("cc") or ()),
            bcc=tuple(data.get("bcc") or ()), subject=str(data.get("subject") or ""),
            html=str(data.get("body_html") or ""), text=str(data.get("body_text") or ""),
            from_addr=str(data.get("from_email") or ""),
            send_at=_parse_time(data.get("planned_send_at")),
            status=str(data.get("status") or "draft").lower(),
            updated_at=_parse_time(data.get("updated_at")),
        )

    # -- HTTP ---------------------------------------------------------------------------
    def _request(self, method: str, path: str, *, json: Any = None) -> Any:
        with transport_errors(SERVICE):
            response = self._client.request(method, path, json=json, headers=self._auth)
        if response.is_success:
            return json_or_none(response) if response.content else None
        raise self._error(response)

    def _error(self, response: httpx.Response) -> SyncError:
        status = response.status_code
        data = json_or_none(response)
        words = ""
        if isinstance(data, dict):
            words = str(data.get("message") or data.get("detail") or data.get("error") or "")
        elif response.text:
            words = response.text.strip()[:500]
        if status == 401:
            return SyncError(SyncErrorKind.AUTH, f"{SERVICE}: the API key was refused",
                             service_message=words, status=status)
        if status == 403:
            return SyncError(SyncErrorKind.FORBIDDEN, f"{SERVICE}: this API key may not do "
                             "that", service_message=words, status=status)
        if status == 404:
            return SyncError(SyncErrorKind.NOT_FOUND, f"{SERVICE}: the draft is not on the "
                             "service", service_message=words, status=status)
        if status == 409 or (status == 400 and "already been sent" in words):
            return SyncError(SyncErrorKind.CONFLICT, f"{SERVICE}: the draft was already sent",
                             service_message=words, status=status)
        if status == 429:
            retry = retry_after_seconds(response.headers.get("Retry-After"), self._clock())
            return SyncError(SyncErrorKind.RATE_LIMITED, f"{SERVICE}: too many requests",
                             service_message=words, retry_at=retry, status=status)
        if 400 <= status < 500:
            lowered = words.lower()
            field = next((f for f in ("to", "cc", "bcc", "subject", "planned_send_at",
                                      "attachments", "from_account_id") if f in lowered),
                         None)
            if field == "planned_send_at":
                field = "schedule"
            elif field == "from_account_id":
                field = "from"
            elif field is None and "email" in lowered:
                field = "to"
            return SyncError(SyncErrorKind.VALIDATION, f"{SERVICE} refused the draft",
                             service_message=words, field=field, status=status)
        return server_error(SERVICE, response)


def _seg(value: str) -> str:
    return path_segment(value, SERVICE)
