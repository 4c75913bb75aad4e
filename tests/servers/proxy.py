"""A TCP proxy between the adapter and Dovecot's plain IMAP port that can lose an answer:
armed with ``lose_append_answer()``, it forwards the next APPEND to the server, and when
the server's tagged answer to it comes back (``OK [APPENDUID ...]``), it closes both
connections instead of passing it on. The message is stored; the client never hears so.

Plain IMAP so the proxy can read the answers: loopback only, as the adapter allows.
"""

from __future__ import annotations

import re
import select
import socket
import threading

from tests.servers.dovecot import free_port

_APPEND_OK = re.compile(rb"(?m)^\S+ OK \[APPENDUID ")
_APPEND_COMMAND = re.compile(rb"(?m)^[A-Za-z0-9]+ APPEND ")


class LosingProxy:
    def __init__(self, upstream_port: int) -> None:
        self._upstream = upstream_port
        self.port = free_port()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._stop = threading.Event()
        self._then_refuse = False
        self._armed = threading.Event()
        self._refusing = threading.Event()
        self.lost = 0
        #: APPEND commands the client sent (one per MULTIAPPEND, however many messages)
        self.appends = 0
        self._threads: list[threading.Thread] = []
        self._accept_thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> None:
        self._accept_thread.start()

    def lose_append_answer(self, *, then_refuse: bool = False) -> None:
        """Lose the next APPEND's answer; ``then_refuse``: and close every connection at
        once after that (the server seems down) until ``heal()``."""
        self._armed.set()
        self._then_refuse = then_refuse

    def heal(self) -> None:
        self._refusing.clear()

    def _accept(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._refusing.is_set():
                client.close()
                continue
            server = socket.create_connection(("127.0.0.1", self._upstream))
            thread = threading.Thread(target=self._pump, args=(client, server), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([client, server], [], [], 0.1)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is server and self._armed.is_set() and _APPEND_OK.search(data):
                        self._armed.clear()
                        if self._then_refuse:
                            self._refusing.set()
                        self.lost += 1
                        return  # the answer never reaches the client
                    if sock is client:
                        self.appends += len(_APPEND_COMMAND.findall(data))
                    (server if sock is client else client).sendall(data)
        except OSError:
            return
        finally:
            client.close()
            server.close()

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        self._accept_thread.join(5)
        for thread in self._threads:
            thread.join(5)
