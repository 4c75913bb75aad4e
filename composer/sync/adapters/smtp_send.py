"""SMTP submission for the ``imap`` account (stdlib ``smtplib``), and the mapping of
socket/TLS failures of both servers to typed errors that name the server and the cause
(host name not found, connection refused, TLS certificate, timeout).

TLS (465) or STARTTLS (587), the certificate always verified; a server that offers no
STARTTLS never gets the password. The message's size is checked against the server's
``SIZE`` before ``MAIL FROM``. No error text contains the password.
"""

from __future__ import annotations

import smtplib
import socket
import ssl

from composer.domain.mail_servers import Server
from composer.sync.errors import SyncError, SyncErrorKind


def network_error(role: str, server: Server, exc: BaseException, *,
                  request_sent: bool) -> SyncError:
    """A socket/TLS failure talking to ``server`` (``role``: "IMAP" or "SMTP")."""
    where = f"{role} server {server}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = getattr(exc, "verify_message", "") or "not trusted"
        return SyncError(SyncErrorKind.TRANSIENT,
                         f"{where}: its TLS certificate could not be verified ({reason})",
                         service_message=f"TLS certificate: {reason}", request_sent=False)
    if isinstance(exc, socket.gaierror):
        return SyncError(SyncErrorKind.TRANSIENT,
                         f"{where}: the host name was not found (DNS)",
                         service_message="host name not found (DNS)", request_sent=False)
    if isinstance(exc, ConnectionRefusedError):
        return SyncError(SyncErrorKind.TRANSIENT, f"{where}: the connection was refused",
                         service_message="connection refused", request_sent=False)
    if isinstance(exc, TimeoutError | socket.timeout):
        return SyncError(SyncErrorKind.TRANSIENT, f"{where}: no answer in time (timeout)",
                         service_message="timeout", request_sent=request_sent)
    if isinstance(exc, ssl.SSLError):
        return SyncError(SyncErrorKind.TRANSIENT,
                         f"{where}: the TLS connection failed ({exc.reason or 'TLS error'})",
                         service_message="TLS error", request_sent=request_sent)
    return SyncError(SyncErrorKind.TRANSIENT,
                     f"{where}: the connection was lost ({type(exc).__name__})",
                     service_message="connection lost", request_sent=request_sent)


def _words(reply: object) -> str:
    if isinstance(reply, bytes):
        return reply.decode("utf-8", "replace")
    return str(reply)


class SmtpSubmitter:
    """One SMTP session per call: submissions are rare, and a kept-open session times
    out on the server anyway."""

    def __init__(self, server: Server, username: str, secret: str,
                 ssl_context: ssl.SSLContext, timeout: float) -> None:
        self._server = server
        self._username = username
        self._secret = secret
        self._ssl = ssl_context
        self._timeout = timeout

    def _error(self, kind: SyncErrorKind, message: str, words: str = "", *,
               field: str | None = None, request_sent: bool = True) -> SyncError:
        words = words.replace(self._secret, "***") if self._secret else words
        return SyncError(kind, f"SMTP server {self._server}: {message}", service_message=words,
                         field=field, request_sent=request_sent)

    def _open(self) -> smtplib.SMTP:
        server = self._server
        try:
            if server.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port,
                                                      timeout=self._timeout,
                                                      context=self._ssl)
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=self._timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise network_error("SMTP", server, exc, request_sent=False) from None
        try:
            smtp.ehlo()
            if server.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise self._error(SyncErrorKind.FORBIDDEN, "it offers no STARTTLS; the "
                                      "password is never sent unencrypted", request_sent=False)
                smtp.starttls(context=self._ssl)
                smtp.ehlo()
            if smtp.has_extn("auth"):
                smtp.login(self._username, self._secret)
        except smtplib.SMTPAuthenticationError as exc:
            self._quit(smtp)
            raise self._error(SyncErrorKind.AUTH, "the login was refused", _words(exc.smtp_error),
                              request_sent=False) from None
        except SyncError:
            self._quit(smtp)
            raise
        except (OSError, smtplib.SMTPException) as exc:
            self._quit(smtp)
            raise network_error("SMTP", server, exc, request_sent=False) from None
        return smtp

    @staticmethod
    def _quit(smtp: smtplib.SMTP) -> None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def test(self) -> str:
        smtp = self._open()
        try:
            size = smtp.esmtp_features.get("size", "")
        finally:
            self._quit(smtp)
        limit = f", messages up to {int(size) / 1e6:.0f} MB" if size.isdigit() and \
            int(size) else ""
        return f"SMTP {self._server} ({self._server.security}) signed in{limit}"

    def submit(self, mail_from: str, recipients: list[str], data: bytes,
               smtputf8: bool) -> None:
        """Send ``data`` (already without Bcc) to ``recipients``."""
        smtp = self._open()
        try:
            size = smtp.esmtp_features.get("size", "")
            if size.isdigit() and int(size) and len(data) > int(size):
                raise self._error(SyncErrorKind.VALIDATION,
                                  f"the message is {len(data) / 1e6:.1f} MB; the server "
                                  f"accepts at most {int(size) / 1e6:.1f} MB",
                                  field="attachments", request_sent=False)
            addresses = [mail_from, *recipients]
            if not all(a.isascii() for a in addresses) and not smtp.has_extn("smtputf8"):
                raise self._error(SyncErrorKind.VALIDATION, "the server does not take "
                                  "addresses with non-ASCII characters before the @ "
                                  "(no SMTPUTF8)", field="to", request_sent=False)
            options = ["SMTPUTF8"] if smtputf8 and smtp.has_extn("smtputf8") else []
            if smtp.has_extn("size"):
                options.append(f"SIZE={len(data)}")
            smtp.sendmail(mail_from, recipients, data, mail_options=options)
        except smtplib.SMTPRecipientsRefused as exc:
            words = "; ".join(f"{r}: {_words(m)}" for r, (_, m) in exc.recipients.items())
            raise self._error(SyncErrorKind.VALIDATION, "recipients refused", words,
                              field="to", request_sent=False) from None
        except smtplib.SMTPSenderRefused as exc:
            kind = SyncErrorKind.TRANSIENT if 400 <= exc.smtp_code < 500 else \
                SyncErrorKind.VALIDATION
            raise self._error(kind, "the sender was refused", _words(exc.smtp_error),
                              field="from", request_sent=False) from None
        except smtplib.SMTPDataError as exc:
            kind = SyncErrorKind.TRANSIENT if 400 <= exc.smtp_code < 500 else \
                SyncErrorKind.VALIDATION
            raise self._error(kind, "the message was refused", _words(exc.smtp_error),
                              request_sent=False) from None
        except SyncError:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            # The answer to DATA may be what was lost: the outcome is unknown.
            raise network_error("SMTP", self._server, exc, request_sent=True) from None
        finally:
            self._quit(smtp)
