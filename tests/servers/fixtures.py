"""pytest fixtures of the real-server tests: one Dovecot per test session (a fresh user
per test), an SMTP server per test, and the IMAP account and adapter that use them.

tests/conftest.py imports them; every test using them skips with one reason when
Dovecot is not installed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from imapclient import IMAPClient

from composer.domain.accounts import Account
from composer.sync.adapters.imap import ImapAdapter
from tests.servers.dovecot import SKIP_REASON, Dovecot, MailUser, TestCertificate
from tests.servers.proxy import LosingProxy
from tests.servers.smtp import SmtpServer

__all__ = ["account", "adapter", "certificate", "dovecot", "imap_user", "make_adapter",
           "other_client", "proxied", "proxy", "requires_dovecot", "smtp_server"]

requires_dovecot = pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")


@pytest.fixture(scope="session")
def certificate() -> Iterator[TestCertificate]:
    if SKIP_REASON is not None:
        pytest.skip(SKIP_REASON)
    folder = Path(tempfile.mkdtemp(prefix="imap-cert-"))
    yield TestCertificate.make(folder)
    for item in folder.iterdir():
        item.unlink()
    folder.rmdir()


@pytest.fixture(scope="session")
def dovecot(certificate: TestCertificate) -> Iterator[Dovecot]:
    server = Dovecot(certificate)
    server.start()
    yield server
    server.close()


@pytest.fixture
def imap_user(dovecot: Dovecot) -> MailUser:
    return dovecot.add_user()


@pytest.fixture
def smtp_server(certificate: TestCertificate, imap_user: MailUser) -> Iterator[SmtpServer]:
    server = SmtpServer(certificate.server_context(), imap_user.name, imap_user.password)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def account(dovecot: Dovecot, imap_user: MailUser, smtp_server: SmtpServer) -> Account:
    return Account(name="mail", kind="imap", base_url="", username=imap_user.name,
                   address="me@example.test", options={
                       "imap_host": "127.0.0.1", "imap_port": str(dovecot.imaps_port),
                       "imap_security": "tls", "smtp_host": "127.0.0.1",
                       "smtp_port": str(smtp_server.port), "smtp_security": "starttls",
                       "display_name": "Me Myself"})


MakeAdapter = Callable[..., ImapAdapter]


@pytest.fixture
def make_adapter(certificate: TestCertificate, imap_user: MailUser,
                 account: Account) -> Iterator[MakeAdapter]:
    made: list[ImapAdapter] = []

    def make(acct: Account | None = None, secret: str | None = None) -> ImapAdapter:
        adapter = ImapAdapter(acct or account, imap_user.password if secret is None else secret,
                              None, lambda: datetime.now(UTC),
                              ssl_context=certificate.context(), timeout=10)
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()


@pytest.fixture
def adapter(make_adapter: MakeAdapter) -> ImapAdapter:
    return make_adapter()


@pytest.fixture
def other_client(dovecot: Dovecot, imap_user: MailUser,
                 certificate: TestCertificate) -> Iterator[IMAPClient]:
    """Another mail program on the same mailbox (what the user's phone would be)."""
    client = IMAPClient("127.0.0.1", port=dovecot.imaps_port, ssl=True,
                        ssl_context=certificate.context(), timeout=10)
    try:
        client.login(imap_user.name, imap_user.password)
    except Exception:
        client.shutdown()
        raise
    yield client
    client.logout()



@pytest.fixture
def proxy(dovecot: Dovecot) -> Iterator[LosingProxy]:
    """A proxy to Dovecot's plain IMAP port that can lose an APPEND's answer."""
    p = LosingProxy(dovecot.imap_port)
    p.start()
    yield p
    p.stop()


@pytest.fixture
def proxied(make_adapter: MakeAdapter, account: Account, proxy: LosingProxy) -> ImapAdapter:
    """The adapter talking to Dovecot through the answer-losing proxy (plain IMAP, which
    the adapter allows to 127.0.0.1 only)."""
    return make_adapter(Account(**{**account.__dict__, "options": {
        **account.options, "imap_port": str(proxy.port), "imap_security": "none"}}))
