"""A tiny threaded HTTP server on 127.0.0.1 that fakes one service, with fault switches.

A fake service subclasses ``FakeService`` and implements ``route`` (the documented
contract: paths, auth, status codes, body shapes, exact messages) and ``error_reply``
(the service's own error body for an injected status). Faults are queued with
``inject``; each matching request consumes one:

- an int status (401, 403, 404, 409, 422, 429, 500, 503, ...): answered with
  ``error_reply(status)`` without touching the state;
- ``"slow"``: the request waits ``slow_seconds`` before being handled (past the
  client's timeout in tests);
- ``"drop"``: the connection is closed before the request is applied;
- ``"lost"``: the request IS applied, then the connection is closed with no answer.

Normalising mode (``normalising = True``): like many real servers, a fake then stores
and answers what it was given in its own canonical form: strings trimmed, dates
without milliseconds and in another offset, address domains lower-cased, lists
reordered, default fields added. Adapters must not take that for a change made
elsewhere (a conflict) or for a missing copy (a second create). The helpers below are
what each fake applies.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Fault = int | str

#: the offset a normalising fake writes its dates in
OTHER_OFFSET = timezone(timedelta(hours=2))
_DOMAIN = re.compile(r"@([^@\s<>]+)")


def norm_text(value: Any) -> Any:
    """Trimmed, as a normalising server stores strings."""
    return value.strip() if isinstance(value, str) else value


def norm_address(value: Any) -> Any:
    """The domain lower-cased (``Bob <bob@X.Example>`` -> ``Bob <bob@x.example>``)."""
    if not isinstance(value, str):
        return value
    return _DOMAIN.sub(lambda m: "@" + m.group(1).lower(), value.strip())


def norm_addresses(values: Any) -> Any:
    """Every address normalised, the list reordered (reversed sort)."""
    if not isinstance(values, list):
        return values
    return sorted((norm_address(v) for v in values), key=str, reverse=True)


def norm_time(value: datetime) -> str:
    """ISO 8601 without fractional seconds, in another offset than the client's."""
    return value.astimezone(OTHER_OFFSET).replace(microsecond=0).isoformat()


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Reply:
    status: int
    body: Any = None  # dict/list -> JSON; str/bytes -> as is
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


@dataclass
class _Queued:
    fault: Fault
    match: str | None
    method: str | None
    headers: dict[str, str]


class FakeService:
    """Base for the five fakes: a lock around state, a fault queue, a request log."""

    slow_seconds = 1.5
    #: store and answer in the server's own canonical form (see the module's docstring)
    normalising = False

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self._faults: deque[_Queued] = deque()
        self._idle = threading.Condition(self.lock)
        self._in_flight = 0
        #: rewrites answers (an undocumented shape, for the adapters' parse-or-fail tests)
        self.reshape: Callable[[Request, Reply], Reply] | None = None

    # -- to implement -------------------------------------------------------------------
    def route(self, request: Request) -> Reply:
        raise NotImplementedError

    def error_reply(self, status: int, headers: dict[str, str]) -> Reply:
        raise NotImplementedError

    # -- fault switches -----------------------------------------------------------------
    def inject(
        self, fault: Fault, *, times: int = 1, match: str | None = None,
        method: str | None = None, headers: dict[str, str] | None = None,
    ) -> None:
        """Queue ``fault`` for the next ``times`` requests whose path contains ``match``
        (and whose method is ``method``); ``headers`` are added to an injected error."""
        with self.lock:
            for _ in range(times):
                self._faults.append(_Queued(fault, match, method, dict(headers or {})))

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def _take_fault(self, request: Request) -> _Queued | None:
        with self.lock:
            for queued in list(self._faults):
                if queued.match is not None and queued.match not in request.path:
                    continue
                if queued.method is not None and queued.method != request.method:
                    continue
                self._faults.remove(queued)
                return queued
        return None

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no request is being handled (e.g. a "slow" one still sleeping)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def _enter(self) -> None:
        with self.lock:
            self._in_flight += 1

    def _leave(self) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def count(self, method: str, path_part: str = "") -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.method == method and path_part in r.path)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    # Headers and body go out in separate writes: without this, Nagle's algorithm and
    # delayed ACKs add ~40 ms to every request.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _handle(self) -> None:
        self.server.service._enter()
        try:
            self._handle_request()
        finally:
            self.server.service._leave()

    def _handle_request(self) -> None:
        service = self.server.service
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        with service.lock:
            service.requests.append(request)
        queued = service._take_fault(request)
        if queued is not None:
            if queued.fault == "drop":
                self._abort()
                return
            if queued.fault == "slow":
                time.sleep(service.slow_seconds)
            elif queued.fault == "lost":
                with service.lock:
                    service.route(request)
                self._abort()
                return
            elif isinstance(queued.fault, int):
                self._send(service.error_reply(queued.fault, queued.headers))
                return
        with service.lock:
            reply = service.route(request)
            if service.reshape is not None:
                reply = service.reshape(request, reply)
        self._send(reply)

    def _abort(self) -> None:
        self.close_connection = True
        with suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, reply: Reply) -> None:
        data = reply.encoded()
        try:
            self.send_response(reply.status)
            if data:
                self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if data:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    service: FakeService


@contextmanager
def serve(service: FakeService) -> Iterator[str]:
    """Run ``service`` on 127.0.0.1 on a free port; yields the root URL (no trailing /)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.service = service
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="fake-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
