"""Rebilly email messages (../shared/BACKENDS.md §5): ``REB-APIKEY``, create only.

- Base URL is the API host; requests go to ``organizations/{organization_id}/
  email-messages``.
- Create ``POST`` (201); there is no content update, so ``update`` deletes the old
  message and creates a new one (a new id); send is ``PATCH {"status": "outbox"}``.
- ``text`` and ``html`` are both required: the one the draft lacks is derived.
- No scheduling and no file attachments (attachments are references to other Rebilly
  resources): ``check`` reports both before any push.
- Errors: problem+json; 422 ``invalidFields`` are kept field by field; 409 is a
  conflict (no longer a draft); 429 waits until ``X-RateLimit-Retry-After`` (epoch).

Guarantees. Duplicates: the marker is stored in ``metadata.composerMarker``; ``find``
lists the organization's messages and adopts the newest with the marker, so a create
whose answer was lost is never created twice. An update is delete-then-create: if the
create's answer is lost, ``find`` adopts it; if a delete's answer is lost the old copy
is already gone (its retry sees 404). ``find_all`` lets a caller clean up extra copies.
Conflicts: ``version`` is ``updatedTime`` as the instant it names (another offset or
no milliseconds is the same version). A list that is not an array, or a message
without ``id``, is a ``protocol`` error, never "no drafts". The organization and every
id are quoted into the URL path.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
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
    canonical_time,
    declared_limits,
    invalid_recipients,
)
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import (
    json_or_none,
    path_segment,
    protocol_error,
    retry_at_epoch,
    status_error,
    transport_errors,
)

SERVICE = "Rebilly"
MARKER_KEY = "composerMarker"
PAGE = 100
_FIELD_NAMES = {"to": "to", "cc": "cc", "bcc": "bcc", "subject": "subject", "text": "body",
                "html": "body", "from": "from", "attachments": "attachments"}


def _time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


class RebillyAdapter:
    kind = "rebilly"
    capabilities = Capabilities(
        schedule=False, body=BodyKind.TEXT_AND_HTML, attachments=AttachmentMode.RESOURCE_REF,
        partial_update=False, editable_after_create=False, can_list=True, can_fetch=True,
        max_subject_chars=998, file_attachments=False, update_deletes_first=True,
    )

    def __init__(self, account: AccountConfig, secret: str, client: httpx.Client,
                 clock: Clock) -> None:
        self._account = account
        self._client = client
        self._clock = clock
        self._headers = {"REB-APIKEY": secret}
        org = account.options.get("organization_id", "")
        self._org = org

    @property
    def _base(self) -> str:
        return f"organizations/{path_segment(self._org, SERVICE, field='from')}/email-messages"

    def _sender(self, draft: Draft) -> str:
        if self._account.address:
            return self._account.address
        from composer.domain.addresses import parse_address

        parsed = parse_address(draft.from_addr) if draft.from_addr else None
        return parsed.addr if parsed is not None and parsed.valid else ""

    def check(self, draft: Draft) -> Sequence[Problem]:
        problems: list[Problem] = []
        if not self._account.options.get("organization_id"):
            problems.append(Problem("from", "missing_option", "the account needs its "
                                    "organization ID (option organization_id)"))
        if not self._sender(draft):
            problems.append(Problem("from", "missing_sender", "Rebilly needs a sender "
                                    "address: set the account's address"))
        if not any(a.valid for a in draft.to):
            problems.append(Problem("to", "no_recipient", "Rebilly needs at least one To "
                                    "address"))
        problems += invalid_recipients(draft)
        if not draft.subject.strip():
            problems.append(Problem("subject", "subject_required",
                                    "Rebilly needs a subject"))
        return problems + declared_limits(draft, self.capabilities, "Rebilly")

    def test(self) -> str:
        response = self._request("GET", self._base, params={"limit": 1, "offset": 0})
        total = response.headers.get("Pagination-Total", "?")
        return f"Rebilly API key accepted; {total} email messages in the organization"

    def create(self, draft: Draft, files: AttachmentSource, marker: str) -> RemoteRef:
        text, html = bodies(draft)
        body: dict[str, Any] = {
            "from": self._sender(draft),
            "to": [a.addr for a in draft.to if a.valid],
            "cc": [a.addr for a in draft.cc if a.valid],
            "bcc": [a.addr for a in draft.bcc if a.valid],
            "subject": draft.subject, "text": text, "html": html,
            "metadata": {MARKER_KEY: marker},
        }
        return self._ref(json_or_none(self._request("POST", self._base, json=body)))

    def update(self, ref: RemoteRef, draft: Draft, previous: Draft | None,
               files: AttachmentSource, marker: str) -> RemoteRef:
        try:
            self.delete(ref.remote_id)
        except SyncError as err:
            if err.kind is not SyncErrorKind.NOT_FOUND:
                raise
        return self.create(draft, files, marker)

    def fetch(self, remote_id: str) -> RemoteDraft:
        return self._remote(json_or_none(
            self._request("GET", f"{self._base}/{_seg(remote_id)}")))

    def list_drafts(self, known: Collection[str] = ()) -> Sequence[RemoteDraft]:
        out: list[RemoteDraft] = []
        offset = 0
        while True:
            response = self._request("GET", self._base,
                                     params={"limit": PAGE, "offset": offset})
            items = json_or_none(response)
            if not isinstance(items, list):
                raise protocol_error(SERVICE, "the email-messages list is not an array")
            out += [self._remote(i) for i in items]
            header = response.headers.get("Pagination-Total", str(len(out))).strip()
            if not header.isdigit():
                raise protocol_error(SERVICE, "the Pagination-Total header is not a number")
            total = int(header)
            offset += PAGE
            if not items or offset >= total:
                return out

    def find_all(self, marker: str) -> list[RemoteRef]:
        mine = [r for r in self.list_drafts() if r.marker == marker and r.status == "draft"]
        mine.sort(key=lambda r: r.version, reverse=True)
        return [RemoteRef(r.remote_id, r.version) for r in mine]

    def find(self, marker: str, draft: Draft) -> RemoteRef | None:
        found = self.find_all(marker)
        return found[0] if found else None

    def delete(self, remote_id: str) -> None:
        self._request("DELETE", f"{self._base}/{_seg(remote_id)}")

    def send(self, remote_id: str) -> None:
        self._request("PATCH", f"{self._base}/{_seg(remote_id)}", json={"status": "outbox"})

    def close(self) -> None:
        self._client.close()

    # -- mapping ------------------------------------------------------------------------
    @classmethod
    def _ref(cls, data: Any) -> RemoteRef:
        remote = cls._remote(data)
        return RemoteRef(remote.remote_id, remote.version)

    @staticmethod
    def _remote(data: Any) -> RemoteDraft:
        if not isinstance(data, dict) or not isinstance(data.get("id"), str) \
                or not data["id"]:
            raise protocol_error(SERVICE, "an email message has no id")
        metadata = data.get("metadata") or {}
        return RemoteDraft(
            remote_id=str(data["id"]),
            version=canonical_time(str(data.get("updatedTime") or ""), fraction=True) or "",
            to=tuple(data.get("to") or ()), cc=tuple(data.get("cc") or ()),
            bcc=tuple(data.get("bcc") or ()), subject=str(data.get("subject") or ""),
            html=str(data.get("html") or ""), text=str(data.get("text") or ""),
            from_addr=str(data.get("from") or ""),
            marker=str(metadata.get(MARKER_KEY)) if isinstance(metadata, dict)
            and metadata.get(MARKER_KEY) else None,
            status=str(data.get("status") or "draft"), updated_at=_time(data.get("updatedTime")),
        )

    # -- HTTP ---------------------------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with transport_errors(SERVICE):
            response = self._client.request(method, path, headers=self._headers, **kwargs)
        if response.is_success:
            return response
        raise self._error(response)

    def _error(self, response: httpx.Response) -> SyncError:
        data = json_or_none(response)
        words = ""
        fields: tuple[tuple[str, str], ...] = ()
        if isinstance(data, dict):
            words = str(data.get("detail") or data.get("title") or "")
            invalid = data.get("invalidFields")
            if isinstance(invalid, list):
                fields = tuple((str(i.get("field", "")), str(i.get("message", "")))
                               for i in invalid if isinstance(i, dict))
                if fields:
                    words = "; ".join(f"{f}: {m}" if f else m for f, m in fields)
        field = None
        for name, _ in fields:
            field = _FIELD_NAMES.get(name.split(".")[0])
            if field:
                break
        retry = retry_at_epoch(response.headers.get("X-RateLimit-Retry-After")) \
            if response.status_code == 429 else None
        return status_error(SERVICE, response.status_code, words, field=field, fields=fields,
                            retry_at=retry)


def _seg(value: str) -> str:
    return path_segment(value, SERVICE)
