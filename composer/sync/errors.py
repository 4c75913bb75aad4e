"""Typed sync errors. Adapters raise only these; the engine and the UI act on ``kind``.

Text in ``service_message`` is the service's own words (shown to the user for
validation errors). No error ever contains a credential, a token or a URL with a query.
"""

from __future__ import annotations

import enum
from datetime import datetime

from composer.errors import ComposerError


class SyncErrorKind(enum.StrEnum):
    AUTH = "auth"                  # credentials wrong/expired/revoked: stop this account, ask
    FORBIDDEN = "forbidden"        # the account may not do this (403): not retried
    VALIDATION = "validation"      # the service refused the content: not retried until it changes
    RATE_LIMITED = "rate_limited"  # wait until retry_at, then retry
    TRANSIENT = "transient"        # network, timeout, 5xx: retry with backoff
    CONFLICT = "conflict"          # the service's copy changed / state forbids the operation
    NOT_FOUND = "not_found"        # the remote draft is gone
    UNSUPPORTED = "unsupported"    # the service cannot do this at all (capability)
    #: the answer's shape is not the documented one (a list without its container, an
    #: item without its id): never read as "nothing there"; not retried until the app or
    #: the draft changes
    PROTOCOL = "protocol"


class SyncError(ComposerError):
    def __init__(
        self,
        kind: SyncErrorKind,
        message: str,
        *,
        service_message: str = "",
        field: str | None = None,
        fields: tuple[tuple[str, str], ...] = (),
        retry_at: datetime | None = None,
        status: int | None = None,
        request_sent: bool = True,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        #: the service's own words, verbatim (validation, conflict, forbidden)
        self.service_message = service_message
        #: the common-draft field concerned (to, cc, bcc, subject, body, attachments, schedule)
        self.field = field
        #: several (field, message) pairs, e.g. Rebilly's invalidFields
        self.fields = fields
        #: when to try again (rate limits)
        self.retry_at = retry_at
        self.status = status
        #: False when the request certainly never reached the service (connect error):
        #: a create that failed this way cannot have made a remote copy.
        self.request_sent = request_sent

    def __reduce__(self) -> tuple[object, ...]:  # keep picklable across processes
        return (_rebuild, (self.kind, self.message, self.__dict__))


def _rebuild(kind: SyncErrorKind, message: str, state: dict[str, object]) -> SyncError:
    err = SyncError(kind, message)
    err.__dict__.update(state)
    return err
