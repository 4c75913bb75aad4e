"""One running app per data folder: a second start (a click on a mailto: link, an opened
.eml, or just the app started again) hands its request to the running window over a
local socket and exits 0, instead of opening a second window on the same database.

The socket's name is derived from the data folder and the user, so two data folders (or
two users) each get their own instance. The protocol is one JSON object per connection,
newline-terminated, answered with ``ok`` (or ``error`` for what is not a request).
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

MAX_REQUEST = 1 << 20  # bytes; a request is a few paths and addresses
CONNECT_TIMEOUT_MS = 2000
REPLY_TIMEOUT_MS = 5000


def server_name(data_dir: Path) -> str:
    """The local socket's name for this user and data folder. On Linux it lives in the
    user's own runtime folder (XDG_RUNTIME_DIR, mode 0700) when there is one; elsewhere
    Qt puts it in the temporary folder (Unix: a socket file only its owner may write to,
    i.e. connect to) or makes it a named pipe (Windows). Short: Unix socket paths are
    limited to about 100 bytes."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name (containers without a passwd entry)
        user = ""
    folder = str(Path(data_dir).expanduser().resolve())
    digest = hashlib.sha256(f"{user}\0{folder}".encode()).hexdigest()[:20]
    name = f"mail-composer-{digest}"
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if (sys.platform.startswith("linux") and os.path.isabs(runtime) and os.path.isdir(runtime)
            and len(runtime) + len(name) < 100):
        return os.path.join(runtime, name)
    return name


def send_to_running(name: str, request: dict[str, Any],
                    timeout_ms: int = CONNECT_TIMEOUT_MS) -> bool:
    """Hand ``request`` to the instance listening on ``name``; True once it confirmed.
    False when none runs (or it did not answer)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    try:
        socket.write((json.dumps(request) + "\n").encode())
        if not socket.waitForBytesWritten(timeout_ms):
            return False
        reply = b""
        while not reply.endswith(b"\n") and socket.waitForReadyRead(REPLY_TIMEOUT_MS):
            reply += bytes(socket.readAll().data())
        return reply.strip() == b"ok"
    finally:
        socket.disconnectFromServer()


class InstanceServer(QObject):
    """Listens for the requests of later starts; each arrives as ``request_received``."""

    request_received = Signal(dict)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        # No socket options: with them Qt (Unix) binds in a temporary folder and renames
        # the socket over any existing one, taking the name from a running instance.
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening; False when another live instance holds the name."""
        if self._server.listen(self.name):
            return True
        if self._server.serverError() != QAbstractSocket.SocketError.AddressInUseError:
            return False
        # Left behind by a crash (nobody answers on it) or held by a running instance.
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(CONNECT_TIMEOUT_MS):
            probe.disconnectFromServer()
            return False
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_REQUEST:
                self._answer(socket, b"error\n")
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        request = _parse(line)
        self._answer(socket, b"ok\n" if request is not None else b"error\n")
        if request is not None:
            self.request_received.emit(request)

    def _answer(self, socket: QLocalSocket, reply: bytes) -> None:
        self._buffers.pop(socket, None)
        socket.write(reply)
        socket.flush()
        socket.disconnectFromServer()


# What a later start hands to the running window: its command line's draft fields.
_REQUEST_LISTS = ("to", "cc", "bcc", "attach")
_REQUEST_TEXTS = ("mailto", "subject", "body")


def request_of(args: argparse.Namespace) -> dict[str, object]:
    """The command line's draft fields, with file paths made absolute (the running
    instance has another working folder)."""
    request: dict[str, object] = {key: getattr(args, key) for key in _REQUEST_TEXTS}
    request.update({key: list(getattr(args, key)) for key in _REQUEST_LISTS})
    mailto = args.mailto
    if mailto and not mailto.lower().startswith("mailto:") and Path(mailto).is_file():
        request["mailto"] = str(Path(mailto).resolve())
    request["attach"] = [str(Path(a).expanduser().resolve()) for a in args.attach]
    return request


def request_args(request: dict[str, object]) -> argparse.Namespace:
    """A request from another process (hostile until checked) as command-line fields:
    strings and lists of strings only, everything else left out."""
    fields: dict[str, object] = {}
    for key in _REQUEST_TEXTS:
        value = request.get(key)
        fields[key] = value if isinstance(value, str) and value else None
    for key in _REQUEST_LISTS:
        value = request.get(key)
        fields[key] = ([v for v in value if isinstance(v, str)]
                       if isinstance(value, list) else [])
    return argparse.Namespace(**fields)


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def claim_or_forward(name: str, request: dict[str, Any],
                     parent: QObject | None = None) -> InstanceServer | None:
    """The first start gets a listening server; a later one hands ``request`` to the
    running instance and gets None (it should exit). When neither works (the socket
    cannot be created), the app runs on without one: an InstanceServer that is not
    listening."""
    if send_to_running(name, request):
        return None
    server = InstanceServer(name, parent)
    if server.listen():
        return server
    if send_to_running(name, request):  # another start won the race to listen
        server.deleteLater()
        return None
    return server
