"""An SMTP submission server on 127.0.0.1 (aiosmtpd) that records what it received.

STARTTLS (required before anything else, as on port 587) or implicit TLS (as on 465),
AUTH PLAIN/LOGIN with one user, ``SIZE`` advertised from ``size_limit``. Each accepted
message is kept as ``Received`` (envelope and the bytes as they arrived).
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.servers.dovecot import free_port


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes


@dataclass
class _Recorder:
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append(Received(str(envelope.mail_from), tuple(envelope.rcpt_tos),
                                      bytes(content)))
        return "250 Message accepted for delivery"


class _Session(Session):
    """aiosmtpd itself sets the deprecated ``login_data`` after a successful AUTH, which
    warns (an error in the tests): keep the value without the warning."""

    @property  # type: ignore[override]
    def login_data(self) -> Any:
        return self._login_data

    @login_data.setter
    def login_data(self, value: Any) -> None:
        self._login_data = value


class _Smtp(SMTP):
    def __init__(self, handler: Any, *, implicit_tls: bool, **options: Any) -> None:
        # Implicit TLS: the whole connection is TLS, which aiosmtpd does not see, so it
        # would refuse AUTH "before TLS" (or warn when told not to require it).
        super().__init__(handler, auth_required=False,
                         auth_require_tls=not implicit_tls, **options)
        self._auth_required = True

    def _create_session(self) -> Session:
        return _Session(self.loop)


class _Controller(Controller):
    def __init__(self, handler: Any, port: int, server_options: dict[str, Any],
                 implicit_tls: ssl.SSLContext | None) -> None:
        super().__init__(handler, hostname="127.0.0.1", port=port, ssl_context=implicit_tls)
        self._server_options = server_options
        self._implicit = implicit_tls is not None

    def factory(self) -> SMTP:
        return _Smtp(self.handler, implicit_tls=self._implicit, **self._server_options)


class SmtpServer:
    def __init__(self, tls: ssl.SSLContext, user: str, password: str, *,
                 implicit_tls: bool = False, size_limit: int = 10 * 1024 * 1024) -> None:
        self.user, self.password = user, password
        self.port = free_port()
        self._recorder = _Recorder()
        self.logins: list[str] = []
        options: dict[str, Any] = {
            "data_size_limit": size_limit, "authenticator": self._authenticate,
            "hostname": "smtp.test", "enable_SMTPUTF8": True,
        }
        if not implicit_tls:
            options.update(tls_context=tls, require_starttls=True)
        self._controller = _Controller(self._recorder, self.port, options,
                                       tls if implicit_tls else None)

    @property
    def received(self) -> list[Received]:
        return self._recorder.received

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope,
                      mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode()
            ok = login == self.user and auth_data.password.decode() == self.password
            self.logins.append(login)
            return AuthResult(success=ok, handled=False)
        return AuthResult(success=False, handled=False)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
        loop: asyncio.AbstractEventLoop = self._controller.loop
        if not loop.is_closed():
            loop.close()
