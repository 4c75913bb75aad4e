"""One httpx client per account, and the mapping of transport failures to SyncError.

Timeouts are explicit (a 32 MB upload gets a long write timeout), TLS verification is
always on, and nothing here logs a URL query, a header or a body.
"""

from __future__ import annotations

import email.utils
import functools
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx

from composer import __version__
from composer.sync.errors import SyncError, SyncErrorKind

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=120.0, pool=5.0)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default verifying context (system CA bundle or certifi), built once per
    process: loading the CA bundle takes ~50 ms, and each account has its own client."""
    return httpx.create_ssl_context()


def make_client(
    base_url: str,
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
) -> httpx.Client:
    return httpx.Client(
        base_url=base_url.rstrip("/") + "/",
        transport=transport,
        timeout=timeout,
        verify=_tls_context(),
        follow_redirects=False,
        headers={"User-Agent": f"MailComposer/{__version__}", "Accept": "application/json"},
    )


@contextmanager
def transport_errors(service: str) -> Iterator[None]:
    """Turn httpx transport failures into TRANSIENT SyncErrors without leaking the URL."""
    try:
        yield
    except httpx.ConnectError as exc:
        raise SyncError(
            SyncErrorKind.TRANSIENT, f"{service}: cannot connect ({type(exc).__name__})",
            request_sent=False,
        ) from None
    except httpx.ConnectTimeout:
        raise SyncError(
            SyncErrorKind.TRANSIENT, f"{service}: connection timed out", request_sent=False
        ) from None
    except httpx.TimeoutException:
        raise SyncError(SyncErrorKind.TRANSIENT, f"{service}: the service did not answer in time")\
            from None
    except httpx.TransportError as exc:
        raise SyncError(
            SyncErrorKind.TRANSIENT, f"{service}: connection lost ({type(exc).__name__})"
        ) from None


def retry_after_seconds(value: str | None, now: datetime) -> datetime | None:
    """Parse ``Retry-After`` (delta seconds or an HTTP date) into an absolute UTC time."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def retry_at_epoch(value: str | None) -> datetime | None:
    """Parse an epoch-seconds header (Rebilly's ``X-RateLimit-Retry-After``)."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(float(value.strip()), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def server_error(service: str, response: httpx.Response) -> SyncError:
    """5xx and other unexpected answers: transient, retried with backoff."""
    return SyncError(
        SyncErrorKind.TRANSIENT,
        f"{service}: the service answered {response.status_code}; will retry",
        status=response.status_code,
    )


def path_segment(value: str, service: str, *, field: str | None = None) -> str:
    """``value`` as one URL path segment: every character that could change the path
    (``/``, ``?``, ``#``, ``%``, spaces...) is percent-encoded, and a value that is a dot
    segment (``.``, ``..``) or empty, which no encoding keeps from moving the path, is
    refused before any request."""
    if value in ("", ".", ".."):
        raise SyncError(SyncErrorKind.VALIDATION if field else SyncErrorKind.NOT_FOUND,
                        f"{service}: {value!r} cannot be part of a request path",
                        field=field, request_sent=False)
    return quote(value, safe="")


def protocol_error(service: str, what: str, *, status: int | None = None) -> SyncError:
    """An answer whose shape this version does not recognise (``what`` names the part
    that is missing or wrong, never a value from the answer)."""
    return SyncError(SyncErrorKind.PROTOCOL,
                     f"{service}: the service answered in a way this version does not "
                     f"understand ({what})", status=status)


def json_or_none(response: httpx.Response) -> object | None:
    try:
        value: object = response.json()
        return value
    except ValueError:
        return None


_KIND_BY_STATUS = {
    401: SyncErrorKind.AUTH,
    403: SyncErrorKind.FORBIDDEN,
    404: SyncErrorKind.NOT_FOUND,
    409: SyncErrorKind.CONFLICT,
    429: SyncErrorKind.RATE_LIMITED,
}

_SUMMARY = {
    SyncErrorKind.AUTH: "the sign-in was refused",
    SyncErrorKind.FORBIDDEN: "this account may not do that",
    SyncErrorKind.NOT_FOUND: "the draft is not on the service",
    SyncErrorKind.CONFLICT: "the draft's state on the service does not allow that",
    SyncErrorKind.RATE_LIMITED: "too many requests; waiting as the service asked",
    SyncErrorKind.VALIDATION: "the service refused the draft",
    SyncErrorKind.TRANSIENT: "the service had a problem; will retry",
    SyncErrorKind.PROTOCOL: "the service answered in a way this version does not understand",
}


def status_error(
    service: str,
    status: int,
    words: str,
    *,
    kind: SyncErrorKind | None = None,
    field: str | None = None,
    fields: tuple[tuple[str, str], ...] = (),
    retry_at: datetime | None = None,
) -> SyncError:
    """The usual mapping of an HTTP status to a typed error, keeping the service's words."""
    if kind is None:
        kind = _KIND_BY_STATUS.get(status) or (
            SyncErrorKind.VALIDATION if 400 <= status < 500 else SyncErrorKind.TRANSIENT)
    return SyncError(kind, f"{service}: {_SUMMARY.get(kind, 'error')} ({status})",
                     service_message=words, field=field, fields=fields, retry_at=retry_at,
                     status=status)
