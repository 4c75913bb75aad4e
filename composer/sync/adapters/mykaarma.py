"""myKaarma Communications (../shared/BACKENDS.md §4): Basic auth, drafts per customer.

- Base URL ends in ``/communications``. Account options: ``department_uuid`` and
  ``user_uuid`` (``default`` = the department's default user). The customer comes from
  the draft's context (``customer_uuid``); the To address must be that customer's
  email (``communicationValueOfCustomer``); Cc/Bcc go to the CC/BCC lists.
- Create ``POST department/{d}/user/{u}/customer/{c}/message``; edit is a full
  replace at ``…/message/{m}``; discard is an edit with ``DISCARDED_DRAFT``; send is
  ``POST department/{d}/message/{m}``.
- One body (HTML for email); scheduling with ``draftStatus: SCHEDULED`` and
  ``scheduledOn`` in the draft's zone, with an offset and without milliseconds; an
  unscheduled draft is ``DRAFTED`` (a status the service keeps, §4.3).
- Drafts are read back from the conversation list (``…/message/list`` with
  ``fetchDrafts: true``): ``messagesMap.DRAFT``, ids from ``uuid``, content from
  ``messageExtnDTO``, the marker from ``messageMetaDataDTO.metaData`` (a JSON string),
  the status from ``draftMessageMetaDataDTO``. Flat fields some servers add are
  ignored; an answer without these containers is a ``protocol`` error, never "no
  drafts". Every value in a URL path is quoted.
- No file attachments (links only): ``check`` refuses them before any push. Cc/Bcc
  addresses the service's own pattern would silently drop are refused too.
- Every validation failure is HTTP 400 with ``errors[].errorCode``: kept verbatim.

Remote ids are ``<customerUUID>/<messageUUID>`` (the service needs both to read a draft).

Guarantees. Duplicates: the marker is stored in ``messageAttributes.metaData``;
``find`` lists the customer's drafts and adopts the one with the marker. Conflicts:
no version field, so ``version`` is a fingerprint of the service's copy as the
conversation list returns it after every push, normalised (trimmed text, lower-cased
and sorted addresses, the schedule as an instant), so a server that reformats what it
stores never looks like an edit made elsewhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

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
    canonical_addresses,
    canonical_text,
    canonical_time,
    declared_limits,
    fingerprint,
    html_body,
)
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import (
    json_or_none,
    path_segment,
    protocol_error,
    status_error,
    transport_errors,
)

SERVICE = "myKaarma"
MARKER_KEY = "composerMarker"
_JAVA_EMAIL = re.compile(
    r"^[a-zA-Z0-9_+&*-]+(?:\.[a-zA-Z0-9_+&*-]+)*@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z]{2,7}$")
_FIELD_BY_CODE = {
    "INVALID_DRAFT_DATE": "schedule", "INVALID_COMMUNICATION_VALUE": "to",
    "INVALID_CUSTOMER": "context", "MISSING_MESSAGE_BODY": "body", "INVALID_USER": "from",
}
_MARKER_TEXT = re.compile(MARKER_KEY + r"""["'=:\s]+([A-Za-z0-9_.-]+)""")
_AUTH_CODES = {"WRONG_CREDENTIAL", "CREDENTIALS_ARE_NULL", "INVALID_SERVICE_SUBSCRIBER",
               "NOT_AUTHORIZED_REQUEST"}


def _scheduled_on(draft: Draft) -> str | None:
    if draft.schedule is None:
        return None
    try:
        zone = ZoneInfo(draft.schedule.tz)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    local = draft.schedule.send_at.astimezone(zone).replace(microsecond=0)
    return local.isoformat()


class MykaarmaAdapter:
    kind = "mykaarma"
    capabilities = Capabilities(
        schedule=True, body=BodyKind.SINGLE, attachments=AttachmentMode.URL_REF,
        partial_update=False, editable_after_create=True, can_list=False, can_fetch=True,
        file_attachments=False, max_recipients_to=1,
    )

    def __init__(self, account: AccountConfig, secret: str, client: httpx.Client,
                 clock: Clock) -> None:
        self._account = account
        self._client = client
        self._clock = clock
        self._auth = httpx.BasicAuth(account.username, secret)
        self._department = account.options.get("department_uuid", "")
        self._user = account.options.get("user_uuid", "") or "default"

    # -- protocol -----------------------------------------------------------------------
    def check(self, draft: Draft) -> Sequence[Problem]:
        problems: list[Problem] = []
        if not self._department:
            problems.append(Problem("from", "missing_option", "the account needs its "
                                    "department ID (option department_uuid)"))
        if not draft.context.get("customer_uuid"):
            problems.append(Problem("context", "missing_customer",
                                    "myKaarma drafts belong to a customer: set the draft's "
                                    "customer (context customer_uuid)"))
        problems += declared_limits(draft, self.capabilities, "myKaarma")
        if len(draft.to) <= 1 and not any(a.valid for a in draft.to):
            problems.append(Problem("to", "one_recipient",
                                    "myKaarma sends to exactly one address, the customer's "
                                    f"email (this draft has {len(draft.to)} valid To "
                                    "addresses)"))
        for field, items in (("cc", draft.cc), ("bcc", draft.bcc)):
            for a in items:
                if not a.valid or not _JAVA_EMAIL.match(a.addr):
                    problems.append(Problem(field, "invalid_recipient",
                                            f"myKaarma cannot accept {a.raw or a.addr!r} as "
                                            "an email address"))
        if not self._body(draft).strip():
            problems.append(Problem("body", "body_required", "myKaarma needs a message body"))
        if draft.schedule is not None and draft.schedule.send_at <= self._clock():
            problems.append(Problem("schedule", "schedule_past",
                                    "the send-later time has passed; choose a new one"))
        return problems

    def test(self) -> str:
        # No read-only endpoint needs no customer; an empty list call proves the sign-in.
        self._post(self._customer_path("00000000-0000-0000-0000-000000000000")
                   + "/message/list", self._list_body(), allow={"INVALID_CUSTOMER"})
        return f"myKaarma accepted the service user {self._account.username}"

    def create(self, draft: Draft, files: AttachmentSource, marker: str) -> RemoteRef:
        customer = draft.context.get("customer_uuid", "")
        data = self._post(self._customer_path(customer) + "/message",
                          self._message(draft, marker))
        message_uuid = data.get("messageUUID")
        if not isinstance(message_uuid, str) or not message_uuid:
            raise protocol_error(SERVICE, "the answer to a create has no messageUUID")
        return self._stored(customer, message_uuid)

    def update(self, ref: RemoteRef, draft: Draft, previous: Draft | None,
               files: AttachmentSource, marker: str) -> RemoteRef:
        customer, message_uuid = self._split(ref.remote_id)
        if draft.context.get("customer_uuid", customer) != customer:
            # Moved to another customer: a draft cannot change its customer, so make a new one.
            self.delete(ref.remote_id)
            return self.create(draft, files, marker)
        self._post(f"{self._customer_path(customer)}/message/{_seg(message_uuid)}",
                   self._message(draft, marker))
        return self._stored(customer, message_uuid)

    def _stored(self, customer: str, message_uuid: str) -> RemoteRef:
        """The ref of a draft just written, its version from the service's copy."""
        remote = self.fetch(f"{customer}/{message_uuid}")
        return RemoteRef(remote.remote_id, remote.version)

    def fetch(self, remote_id: str) -> RemoteDraft:
        customer, message_uuid = self._split(remote_id)
        drafts, messages = self._conversation(customer)
        for item in drafts:
            if item["uuid"] == message_uuid:
                return self._remote(customer, item)
        for item in messages:
            if item["uuid"] == message_uuid:
                return self._remote(customer, item, status="sent")
        raise SyncError(SyncErrorKind.NOT_FOUND, f"{SERVICE}: the draft is not on the service")

    def list_drafts(self, known: Collection[str] = ()) -> Sequence[RemoteDraft]:
        raise SyncError(SyncErrorKind.UNSUPPORTED, f"{SERVICE}: drafts can only be listed "
                        "per customer", request_sent=False)

    def find(self, marker: str, draft: Draft) -> RemoteRef | None:
        customer = draft.context.get("customer_uuid")
        if not customer:
            return None
        for item in self._conversation(customer)[0]:
            remote = self._remote(customer, item)
            if remote.marker == marker:
                return RemoteRef(remote.remote_id, remote.version)
        return None

    def delete(self, remote_id: str) -> None:
        customer, message_uuid = self._split(remote_id)
        try:
            current = self.fetch(remote_id)
            body_text = current.html or current.text or "(discarded)"
        except SyncError as err:
            if err.kind is not SyncErrorKind.NOT_FOUND:
                raise
            return
        body = {
            "messageAttributes": {
                "body": body_text, "type": "DISCARDED_DRAFT", "protocol": "EMAIL",
                "isManual": True, "draftAttributes": {"draftStatus": "DISCARDED"},
            },
        }
        self._post(f"{self._customer_path(customer)}/message/{_seg(message_uuid)}", body)

    def send(self, remote_id: str) -> None:
        _, message_uuid = self._split(remote_id)
        self._post(f"department/{_seg(self._department)}/message/{_seg(message_uuid)}",
                   {"sendSynchronously": False})

    def close(self) -> None:
        self._client.close()

    # -- mapping ------------------------------------------------------------------------
    def _customer_path(self, customer: str) -> str:
        return (f"department/{_seg(self._department, 'from')}/user/{_seg(self._user, 'from')}"
                f"/customer/{_seg(customer, 'context')}")

    @staticmethod
    def _split(remote_id: str) -> tuple[str, str]:
        customer, sep, message_uuid = remote_id.partition("/")
        if not sep or not customer or not message_uuid:
            raise SyncError(SyncErrorKind.NOT_FOUND, f"{SERVICE}: unknown draft id "
                            f"{remote_id!r}", request_sent=False)
        return customer, message_uuid

    @staticmethod
    def _body(draft: Draft) -> str:
        return html_body(draft)

    def _message(self, draft: Draft, marker: str) -> dict[str, Any]:
        scheduled = _scheduled_on(draft)
        draft_attributes: dict[str, Any] = {"draftStatus": "SCHEDULED" if scheduled else "DRAFTED"}
        if scheduled:
            draft_attributes["scheduledOn"] = scheduled
        to = next((a.addr for a in draft.to if a.valid), "")
        return {
            "isFreeMarkerMessage": False,
            "messageAttributes": {
                "body": self._body(draft), "type": "DRAFT", "protocol": "EMAIL",
                "isManual": True, "subject": draft.subject,
                "metaData": {MARKER_KEY: marker}, "draftAttributes": draft_attributes,
                "attachments": [],
            },
            "messageSendingAttributes": {
                "communicationValueOfCustomer": to,
                "listOfEmailsToBeCCed": [a.addr for a in draft.cc if a.valid],
                "listOfEmailsToBeBCCed": [a.addr for a in draft.bcc if a.valid],
                "addSignature": False, "overrideOptoutRules": False, "sendVCard": False,
                "overrideHolidays": True, "queueIfOptedOut": False,
                "sendSynchronously": False, "delay": 0,
            },
        }

    def _remote(self, customer: str, item: dict[str, Any], *,
                status: str = "draft") -> RemoteDraft:
        """A ``MessageDTO`` (../shared/BACKENDS.md §4.3) in common fields; only the documented
        nested objects are read (the cc/bcc list names are not documented: optional)."""
        extn = _object(item, "messageExtnDTO")
        meta = _object(item, "messageMetaDataDTO")
        draft = _object(item, "draftMessageMetaDataDTO")
        scheduled = draft.get("scheduledOn")
        send_at = None
        if scheduled:
            try:
                send_at = datetime.fromisoformat(str(scheduled).replace("Z", "+00:00"))
            except ValueError:
                raise protocol_error(SERVICE, "a draft's scheduledOn is not a date") from None
            send_at = send_at.astimezone(UTC) if send_at.tzinfo else send_at.replace(tzinfo=UTC)
        subject = str(extn.get("subject") or "")
        body = str(extn.get("messageBody") or "")
        cc = _strings(item.get("emailCCList"))
        bcc = _strings(item.get("emailBCCList"))
        to = item.get("communicationValue")
        version = fingerprint(canonical_text(subject), canonical_text(body),
                              str(draft.get("status") or ""), canonical_time(send_at),
                              canonical_addresses(cc), canonical_addresses(bcc))
        return RemoteDraft(
            remote_id=f"{customer}/{item['uuid']}", version=version,
            to=(to,) if isinstance(to, str) and to else (), cc=cc, bcc=bcc,
            subject=subject, html=body, send_at=send_at, marker=_marker(meta.get("metaData")),
            status=status, extra={"customer_uuid": customer},
        )

    @staticmethod
    def _list_body() -> dict[str, Any]:
        return {"lastMessageReceivedOn": None, "protocolsSupported": ["EMAIL"],
                "messageUuidsReceivedAtSameTime": [], "maxResults": 20, "fetchDrafts": True,
                "maxDraftsToBeFetched": 100, "isManual": True}

    def _conversation(self, customer: str) -> tuple[list[dict[str, Any]],
                                                     list[dict[str, Any]]]:
        """(drafts, other messages) of ``customer`` from ``messagesMap``; any other shape
        is a protocol error."""
        data = self._post(f"{self._customer_path(customer)}/message/list", self._list_body())
        messages_map = data.get("messagesMap")
        if not isinstance(messages_map, dict):
            raise protocol_error(SERVICE, "the conversation list has no messagesMap")
        drafts = messages_map.get("DRAFT")
        if not isinstance(drafts, list):
            raise protocol_error(SERVICE, "the conversation list has no DRAFT list")
        messages = messages_map.get("MESSAGES") or []
        if not isinstance(messages, list):
            raise protocol_error(SERVICE, "the conversation list's MESSAGES is not a list")
        for item in (*drafts, *messages):
            if not isinstance(item, dict) or not isinstance(item.get("uuid"), str) \
                    or not item["uuid"]:
                raise protocol_error(SERVICE, "a message in the conversation list has no uuid")
        return drafts, messages

    # -- HTTP ---------------------------------------------------------------------------
    def _post(self, path: str, body: dict[str, Any], *,
              allow: set[str] | None = None) -> dict[str, Any]:
        with transport_errors(SERVICE):
            response = self._client.post(path, json=body, auth=self._auth)
        data = json_or_none(response)
        payload = data if isinstance(data, dict) else {}
        errors = [e for e in payload.get("errors") or [] if isinstance(e, dict)]
        if response.is_success and payload.get("status", "SUCCESS") == "SUCCESS":
            return payload
        codes = {str(e.get("errorCode")) for e in errors}
        if allow and codes and codes <= allow:
            return payload
        raise self._error(response.status_code, errors)

    def _error(self, status: int, errors: list[dict[str, Any]]) -> SyncError:
        first = errors[0] if errors else {}
        code = str(first.get("errorCode") or "")
        words = "; ".join(f"{e.get('errorCode')}: {str(e.get('errorDescription') or '').strip()}"
                          for e in errors) or f"HTTP {status}"
        field = _FIELD_BY_CODE.get(code)
        fields = tuple((_FIELD_BY_CODE.get(str(e.get("errorCode")), ""),
                        str(e.get("errorDescription") or "").strip()) for e in errors)
        if status == 401 or code in _AUTH_CODES:
            return status_error(SERVICE, status, words, kind=SyncErrorKind.AUTH)
        if code == "INVALID_MESSAGE_UUID":
            return status_error(SERVICE, status, words, kind=SyncErrorKind.NOT_FOUND)
        if code == "MESSAGE_ALREADY_SENT":
            return status_error(SERVICE, status, words, kind=SyncErrorKind.CONFLICT)
        if status >= 500 or code == "INTERNAL_SERVER_ERROR":
            return status_error(SERVICE, status, words, kind=SyncErrorKind.TRANSIENT)
        return status_error(SERVICE, status, words, field=field, fields=fields)


def _seg(value: str, field: str | None = None) -> str:
    return path_segment(value, SERVICE, field=field)


def _object(item: dict[str, Any], name: str) -> dict[str, Any]:
    value = item.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise protocol_error(SERVICE, f"a message's {name} is not an object")
    return value


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value if isinstance(v, str))


def _marker(meta: object) -> str | None:
    """The marker from ``metaData``: documented as a string ([I] the JSON text of the
    metaData sent); a map is accepted too."""
    if isinstance(meta, str) and meta:
        text = meta
        try:
            meta = json.loads(text)
        except ValueError:
            found = _MARKER_TEXT.search(text)
            return found.group(1) if found else None
    if isinstance(meta, dict) and isinstance(meta.get(MARKER_KEY), str):
        return str(meta[MARKER_KEY])
    return None
