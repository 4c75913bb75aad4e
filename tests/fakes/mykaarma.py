"""A fake myKaarma Communications API (../shared/BACKENDS.md §4, §8.4) over real HTTP.

Under ``/communications``: HTTP Basic auth (401 ``WRONG_CREDENTIAL`` with the
"Credentials are wrong…" text); create ``POST department/{d}/user/{u}/customer/{c}/
message``; edit (full replace) ``…/message/{m}`` validated in the documented order with
every failure as HTTP 400 ``status: FAILURE`` and ``errors[{errorCode,
errorDescription}]``; warnings beside a 200 ``SUCCESS``; send
``POST department/{d}/message/{m}`` (``MESSAGE_ALREADY_SENT`` the second time);
``scheduledOn`` parsed like Joda's ``dateTimeNoMillis`` (no fractional seconds, offset
required) and refused when in the past.

Reading drafts back (§4.3 "List response"): ``POST …/customer/{c}/message/list``
answers ``{"status", "errors", "warnings", "requestUuid", "messagesMap": {"MESSAGES":
[MessageDTO…], "DRAFT": [MessageDTO…]}}``, ``DRAFT`` filled only when the request has
``fetchDrafts: true``. A ``MessageDTO`` has ``uuid``, ``customerUuid``, ``messageType``,
``protocol``, ``messageExtnDTO {messageUuid, subject, messageBody}``,
``messageMetaDataDTO {messageUuid, metaData}`` (``metaData`` a JSON *string*),
``draftMessageMetaDataDTO {messageUuid, status, scheduledOn}`` and the cc/bcc lists.
"Draft statuses": the service keeps drafts whose status is DRAFTED, SCHEDULED or
FAILED; a customer with more than one draft loses the others from the list
(``keeps_only_known_statuses``).

Normalising mode: subject and body trimmed, cc/bcc domains lower-cased and reordered,
``scheduledOn`` in another offset, and flat fields some servers add (``messageUUID``,
``subject``, ``body``, ``isDraft``) beside the documented nested ones.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from tests.fakes.base import FakeService, Reply, Request, norm_addresses, norm_text, norm_time

_JAVA_EMAIL = re.compile(
    r"^[a-zA-Z0-9_+&*-]+(?:\.[a-zA-Z0-9_+&*-]+)*@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z]{2,7}$")
_NO_MILLIS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
_CREDENTIALS = ("Credentials are wrong, Authorization refused for provided credentials. "
                "Please contact Communications API support. Reference MessageID: {}")


class FakeMykaarma(FakeService):
    def __init__(self, *, username: str = "svc-composer", password: str = "kaarma-pass",
                 department: str = "d-1", users: set[str] | None = None,
                 customers: dict[str, dict[str, list[str]]] | None = None) -> None:
        super().__init__()
        self.credentials = (username, password)
        self.department = department
        self.users = users if users is not None else {"u-1", "default"}
        self.customers = customers if customers is not None else {
            "c-1": {"emails": ["pat@customer.example"], "phones": ["+15551234567"]},
            "c-2": {"emails": ["lee@customer.example"], "phones": []},
        }
        #: statuses the service's draft handling keeps (../shared/BACKENDS.md §4.3 "Draft statuses")
        self.kept_statuses = {"DRAFTED", "SCHEDULED", "FAILED"}
        #: messageUUID -> stored message
        self.messages: dict[str, dict[str, Any]] = {}
        self.now = lambda: datetime.now(UTC)

    # -- replies ------------------------------------------------------------------------
    def _failure(self, status: int, code: str, description: str) -> Reply:
        return Reply(status, {"messageUUID": None, "status": "FAILURE",
                              "requestUUID": str(uuid.uuid4()), "customerUUID": None,
                              "metaData": {}, "errors": [{"errorCode": code,
                                                          "errorDescription": description,
                                                          "errorUID": str(uuid.uuid4())}],
                              "warnings": []})

    def error_reply(self, status: int, headers: dict[str, str]) -> Reply:
        if status == 401:
            reply = self._failure(401, "WRONG_CREDENTIAL",
                                  _CREDENTIALS.format(uuid.uuid4()))
        elif status == 400:
            reply = self._failure(400, "MISSING_MESSAGE_BODY", "Message body is missing")
        elif status >= 500:
            reply = self._failure(status, "INTERNAL_SERVER_ERROR", "Internal server error")
        else:
            reply = self._failure(status, "ERROR", f"HTTP {status}")
        reply.headers.update(headers)
        return reply

    def touch(self, message_uuid: str, **attributes: Any) -> None:
        self.messages[message_uuid]["messageAttributes"].update(attributes)
        self.messages[message_uuid]["version"] += 1

    # -- routing ------------------------------------------------------------------------
    def route(self, request: Request) -> Reply:
        auth = request.header("authorization") or ""
        try:
            user, _, password = base64.b64decode(auth.removeprefix("Basic ")).decode() \
                .partition(":") if auth.startswith("Basic ") else ("", "", "")
        except ValueError:
            user, password = "", ""
        if not auth:
            return self._failure(401, "CREDENTIALS_ARE_NULL", _CREDENTIALS.format(uuid.uuid4()))
        if (user, password) != self.credentials:
            return self._failure(401, "WRONG_CREDENTIAL", _CREDENTIALS.format(uuid.uuid4()))
        path = request.path.removeprefix("/communications/")
        if request.method != "POST":
            return self._failure(405, "METHOD_NOT_ALLOWED", "Method not allowed")
        try:
            body = request.json() if request.body else None
        except ValueError:
            body = None
        m = re.fullmatch(r"department/([^/]+)/message/([^/]+)", path)
        if m:
            return self._send(m.group(1), m.group(2))
        m = re.fullmatch(r"department/([^/]+)/user/([^/]+)/customer/([^/]+)/message/list", path)
        if m:
            return self._list(m.group(1), m.group(3), body)
        m = re.fullmatch(
            r"department/([^/]+)/user/([^/]+)/customer/([^/]+)/message(?:/([^/]*))?", path)
        if m:
            dept, user_uuid, customer, message_uuid = m.groups()
            return self._save(dept, user_uuid, customer, message_uuid, body)
        return self._failure(404, "NOT_FOUND", "Not found")

    def _save(self, dept: str, user_uuid: str, customer: str, message_uuid: str | None,
              body: Any) -> Reply:
        editing = message_uuid is not None
        if editing and not message_uuid:
            return self._failure(400, "MISSING_MESSAGE_UUID", "Message UUID is missing")
        attrs = body.get("messageAttributes") if isinstance(body, dict) else None
        if not isinstance(attrs, dict):
            return self._failure(400, "MISSING_MESSAGE_ATTRIBUTES",
                                 "Message Attributes are missing")
        if attrs.get("type") is None:
            return self._failure(400, "MISSING_MESSAGE_TYPE", "Message type is missing")
        if attrs.get("protocol") is None:
            return self._failure(400, "MISSING_MESSAGE_PROTOCOL", "Message protocol is missing")
        if attrs.get("isManual") is None:
            return self._failure(400, "MISSING_IS_MANUAL", "Is manual attribute is missing")
        kind = attrs["type"]
        if not attrs.get("body") and not (kind in ("INCOMING", "NOTE")
                                          and attrs.get("attachments")):
            return self._failure(400, "MISSING_MESSAGE_BODY", "Message body is missing")
        draft = attrs.get("draftAttributes")
        warnings: list[dict[str, str]] = []
        if kind == "DRAFT":
            if not isinstance(draft, dict) or not draft.get("draftStatus"):
                return self._failure(400, "MISSING_DRAFT_ATTRIBUTES",
                                     "Draft attributes are missing.")
            scheduled = draft.get("scheduledOn")
            if scheduled:
                if not _NO_MILLIS.match(str(scheduled)):
                    return self._failure(400, "INVALID_DRAFT_DATE",
                                         "Draft date time is invalid. Please use ISO format "
                                         "for sending draft dates.")
                when = datetime.fromisoformat(str(scheduled).replace("Z", "+00:00"))
                if when <= self.now():
                    return self._failure(400, "INVALID_DRAFT_DATE",
                                         "Draft sending date is in the past.")
            if draft.get("draftFailureReason") and draft["draftStatus"] != "FAILED":
                return self._failure(400, "MISMATCH_DRAFT_STATUS_FAILURE_REASON",
                                     "Failure reason should be absent if draft status is not "
                                     "failed")
            if draft["draftStatus"] == "DISCARDED":
                return self._failure(400, "MISMATCH_DRAFT_STATUS",
                                     "Draft Status does not match the intended.")
        elif kind == "DISCARDED_DRAFT" and (
                not isinstance(draft, dict) or draft.get("draftStatus") != "DISCARDED"):
            return self._failure(400, "MISMATCH_DRAFT_STATUS",
                                 "Draft Status does not match the intended DISARDED.")
        sending = body.get("messageSendingAttributes") or {}
        if kind != "DISCARDED_DRAFT":
            record = self.customers.get(customer)
            if record is None or dept != self.department:
                return self._failure(400, "INVALID_CUSTOMER",
                                     f"Customer_UUID={customer} is invalid ")
            value = sending.get("communicationValueOfCustomer") or (
                record["emails"] or record["phones"] or [""])[0]
            if value not in record["emails"] + record["phones"]:
                return self._failure(400, "INVALID_COMMUNICATION_VALUE",
                                     f"Phone Number/Email = {value} for the customer is "
                                     "invalid")
            cc, bcc = sending.get("listOfEmailsToBeCCed"), sending.get("listOfEmailsToBeBCCed")
            if attrs["protocol"] == "EMAIL" and cc is not None and bcc is not None:
                for name in ("listOfEmailsToBeCCed", "listOfEmailsToBeBCCed"):
                    kept = []
                    for email in sending[name]:
                        if _JAVA_EMAIL.match(email):
                            kept.append(email)
                        else:
                            warnings.append({"warningCode": "INVALID_EMAIL",
                                             "warningDescription":
                                                 f"Invalid email format for email_id={email} "})
                    sending[name] = kept
        if user_uuid not in self.users:
            return self._failure(400, "INVALID_USER", f"USER_UUID={user_uuid} is invalid ")
        if editing:
            assert message_uuid is not None
            existing = self.messages.get(message_uuid)
            if existing is None or existing["customer"] != customer or existing["discarded"]:
                return self._failure(400, "INVALID_MESSAGE_UUID",
                                     f"message_uuid={message_uuid} is invalid ")
            if kind == "DISCARDED_DRAFT":
                existing["discarded"] = True
                existing["version"] += 1
                return self._success(message_uuid, customer, warnings)
        else:
            message_uuid = uuid.uuid4().hex
        clean_attachments = []
        for att in attrs.get("attachments") or []:
            if all(att.get(k) for k in ("attachmentExtension", "docSize", "fileURL",
                                        "originalFileName")):
                clean_attachments.append(att)
            else:
                warnings.append({"warningCode": "MISSING_ATTACHMENT_DETAILS",
                                 "warningDescription": "Missing attachment details for "
                                 f"file_url={att.get('fileURL')} "})
        stored_attrs = dict(attrs)
        stored_attrs["attachments"] = clean_attachments
        sending = dict(sending)
        if self.normalising:
            stored_attrs["subject"] = norm_text(stored_attrs.get("subject"))
            stored_attrs["body"] = norm_text(stored_attrs.get("body"))
            for name in ("listOfEmailsToBeCCed", "listOfEmailsToBeBCCed"):
                sending[name] = norm_addresses(sending.get(name))
            stored_draft = dict(stored_attrs.get("draftAttributes") or {})
            if stored_draft.get("scheduledOn"):
                stored_draft["scheduledOn"] = norm_time(datetime.fromisoformat(
                    str(stored_draft["scheduledOn"]).replace("Z", "+00:00")))
            stored_attrs["draftAttributes"] = stored_draft
        previous = self.messages.get(message_uuid)
        self.messages[message_uuid] = {
            "messageUUID": message_uuid, "customer": customer, "department": dept,
            "messageAttributes": stored_attrs, "messageSendingAttributes": sending,
            "sent": False, "discarded": False,
            "version": (previous["version"] + 1) if previous else 1,
        }
        return self._success(message_uuid, customer, warnings)

    def _success(self, message_uuid: str, customer: str,
                 warnings: list[dict[str, str]]) -> Reply:
        return Reply(200, {"messageUUID": message_uuid, "status": "SUCCESS",
                           "requestUUID": str(uuid.uuid4()), "customerUUID": customer,
                           "metaData": {}, "errors": [], "warnings": warnings})

    def dto(self, m: dict[str, Any]) -> dict[str, Any]:
        """A stored message as the list returns it (a ``MessageDTO``)."""
        attrs = m["messageAttributes"]
        sending = m["messageSendingAttributes"]
        draft = attrs.get("draftAttributes") or {}
        uid = m["messageUUID"]
        dto: dict[str, Any] = {
            "uuid": uid, "customerUuid": m["customer"],
            "messageType": "S" if m["sent"] else "D",  # shape: guess, not documented
            "protocol": attrs.get("protocol"),
            "messageExtnDTO": {"messageUuid": uid, "subject": attrs.get("subject"),
                               "messageBody": attrs.get("body")},
            # shape: guess, not documented (metaData is a string; its JSON content is [I])
            "messageMetaDataDTO": {"messageUuid": uid,
                                   "metaData": json.dumps(attrs.get("metaData") or {})},
            "draftMessageMetaDataDTO": {"messageUuid": uid,
                                        "status": draft.get("draftStatus"),
                                        "scheduledOn": draft.get("scheduledOn")},
            # shape: guess, not documented (../shared/BACKENDS.md names "the cc/bcc lists" only)
            "emailCCList": list(sending.get("listOfEmailsToBeCCed") or []),
            "emailBCCList": list(sending.get("listOfEmailsToBeBCCed") or []),
            "communicationValue": sending.get("communicationValueOfCustomer"),
        }
        if self.normalising:  # flat fields some servers add beside the documented ones
            dto.update(messageUUID=uid, subject=attrs.get("subject"),
                       body=attrs.get("body"), isDraft=not m["sent"],
                       customerUUID=m["customer"])
        return dto

    def _list(self, dept: str, customer: str, body: Any) -> Reply:
        if customer not in self.customers:
            return self._failure(400, "INVALID_CUSTOMER", f"Customer_UUID={customer} is invalid ")
        request = body if isinstance(body, dict) else {}
        mine = [m for m in self.messages.values()
                if m["customer"] == customer and not m["discarded"]]
        drafts = [m for m in mine if not m["sent"]]
        if len(drafts) > 1:  # the service's draft handling keeps only these statuses
            drafts = [m for m in drafts if (m["messageAttributes"].get("draftAttributes")
                                            or {}).get("draftStatus") in self.kept_statuses]
        messages_map: dict[str, Any] = {"MESSAGES": [self.dto(m) for m in mine if m["sent"]]}
        if request.get("fetchDrafts") is True:
            messages_map["DRAFT"] = [self.dto(m) for m in drafts]
            if self.normalising:
                messages_map["DRAFT"].reverse()
        return Reply(200, {"status": "SUCCESS", "errors": [], "warnings": [],
                           "requestUuid": str(uuid.uuid4()), "messagesMap": messages_map})

    def _send(self, dept: str, message_uuid: str) -> Reply:
        message = self.messages.get(message_uuid)
        if message is None or message["discarded"]:
            return self._failure(400, "INVALID_MESSAGE_UUID",
                                 f"Message_UUID={message_uuid} is invalid ")
        if message["department"] != dept:
            return self._failure(400, "MISMATCH_DEPARTMENT_MESSAGE",
                                 f"Message_UUID={message_uuid} is not matching with "
                                 f"department_uuid={dept} ")
        if message["sent"]:
            return self._failure(400, "MESSAGE_ALREADY_SENT",
                                 "Message has already been sent, not trying again for "
                                 f"message_uuid={message_uuid}")
        message["sent"] = True
        return self._success(message_uuid, message["customer"], [])
