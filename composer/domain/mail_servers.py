"""The IMAP and SMTP servers of an ``imap`` account, from its options, with defaults
taken from the address's domain (imap.<domain>:993 TLS, smtp.<domain>:587 STARTTLS).

Options (all optional when the account has an address): ``imap_host``, ``imap_port``,
``imap_security`` (tls | starttls), ``smtp_host``, ``smtp_port``, ``smtp_security``
(tls | starttls), ``display_name``, ``save_sent`` (yes | no, default yes). ``none``
(no encryption) is accepted only for a loopback host: a password never crosses a
network in clear.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from composer.domain.accounts import Account
from composer.errors import InvalidInputError

SECURITIES = ("tls", "starttls", "none")
IMAP_PORTS = {"tls": 993, "starttls": 143, "none": 143}
SMTP_PORTS = {"tls": 465, "starttls": 587, "none": 587}
OPTION_KEYS = ("imap_host", "imap_port", "imap_security", "smtp_host", "smtp_port",
               "smtp_security", "display_name", "save_sent")


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: str   # tls | starttls | none (loopback only)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class MailServers:
    imap: Server
    smtp: Server
    username: str
    address: str
    display_name: str
    save_sent: bool


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower() if "@" in address else ""


def _server(options: dict[str, str], prefix: str, domain: str,
            ports: dict[str, int], default_security: str) -> Server:
    security = (options.get(f"{prefix}_security") or default_security).strip().lower()
    if security not in SECURITIES:
        raise InvalidInputError(f"{prefix}_security", f"{prefix}_security must be tls or "
                                f"starttls (not {security!r})")
    host = (options.get(f"{prefix}_host") or "").strip()
    if not host:
        if not domain:
            raise InvalidInputError(f"{prefix}_host", f"give the account's address, or the "
                                    f"{prefix.upper()} server with --option {prefix}_host=HOST")
        host = f"{prefix}.{domain}"
    if any(c in "/@?#\\%" or c.isspace() or not c.isprintable() for c in host) \
            or not host.strip("[]"):
        raise InvalidInputError(f"{prefix}_host", f"{host!r} is not a host name")
    if security == "none" and not is_loopback(host):
        raise InvalidInputError(f"{prefix}_security", f"{prefix.upper()} without encryption "
                                "is only allowed to this computer (127.0.0.1, localhost): "
                                "use tls or starttls")
    raw_port = (options.get(f"{prefix}_port") or "").strip()
    try:
        port = int(raw_port) if raw_port else ports[security]
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise InvalidInputError(f"{prefix}_port", f"{prefix}_port must be a port number "
                                f"(1-65535), not {raw_port!r}")
    return Server(host, port, security)


def mail_servers(account: Account) -> MailServers:
    """The servers of ``account``; raises InvalidInputError naming the bad option."""
    options = account.options
    unknown = sorted(set(options) - set(OPTION_KEYS))
    if unknown:
        raise InvalidInputError("option", f"unknown option {unknown[0]!r} for an IMAP "
                                f"account; known: {', '.join(OPTION_KEYS)}")
    domain = _domain(account.address)
    save_sent = (options.get("save_sent") or "yes").strip().lower()
    if save_sent not in ("yes", "no", "true", "false", "1", "0"):
        raise InvalidInputError("save_sent", "save_sent must be yes or no")
    return MailServers(
        imap=_server(options, "imap", domain, IMAP_PORTS, "tls"),
        smtp=_server(options, "smtp", domain, SMTP_PORTS, "starttls"),
        username=account.username or account.address,
        address=account.address,
        display_name=options.get("display_name", "").strip(),
        save_sent=save_sent in ("yes", "true", "1"),
    )
