"""The IMAP account: options and their defaults, ``account add --kind imap`` and
``account test`` (which names the server that failed and why), and a draft written on
the command line reaching Dovecot's Drafts folder by ``sync``."""

from __future__ import annotations

import io
import json
import socket
import ssl
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from imapclient import IMAPClient

from composer.cli import run
from composer.domain.accounts import Account
from composer.domain.mail_servers import Server, mail_servers
from composer.errors import InvalidInputError
from composer.settings import validate_account
from composer.sync.adapters.smtp_send import network_error
from composer.sync.errors import SyncErrorKind
from tests.servers.dovecot import Dovecot, MailUser, TestCertificate, free_port
from tests.servers.smtp import SmtpServer


def _account(address: str = "ann@mail.example.org", **options: str) -> Account:
    return Account(name="m", kind="imap", base_url="", address=address, options=options)


def test_defaults_come_from_the_address_domain() -> None:
    servers = mail_servers(_account())
    assert servers.imap == Server("imap.mail.example.org", 993, "tls")
    assert servers.smtp == Server("smtp.mail.example.org", 587, "starttls")
    assert servers.username == "ann@mail.example.org" and servers.save_sent


def test_security_picks_the_usual_port() -> None:
    servers = mail_servers(_account(imap_security="starttls", smtp_security="tls",
                                    save_sent="no"))
    assert (servers.imap.port, servers.smtp.port) == (143, 465)
    assert not servers.save_sent


@pytest.mark.parametrize(("options", "field"), [
    ({"imap_security": "ssl3"}, "imap_security"),
    ({"smtp_port": "70000"}, "smtp_port"),
    ({"imap_port": "abc"}, "imap_port"),
    ({"imap_host": "user@host"}, "imap_host"),
    ({"imap_security": "none", "imap_host": "mail.example.org"}, "imap_security"),
    ({"smtp_security": "none"}, "smtp_security"),
    ({"colour": "blue"}, "option"),
    ({"save_sent": "maybe"}, "save_sent"),
])
def test_bad_options_are_refused_naming_the_option(options: dict[str, str],
                                                   field: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        validate_account(_account(**options))
    assert err.value.field == field


def test_no_address_and_no_host_is_refused() -> None:
    with pytest.raises(InvalidInputError) as err:
        mail_servers(_account(address=""))
    assert err.value.field == "imap_host"


def test_plain_imap_only_to_loopback() -> None:
    servers = mail_servers(_account(imap_host="127.0.0.1", imap_security="none",
                                    smtp_host="localhost", smtp_security="none"))
    assert servers.imap.security == "none" and servers.smtp.security == "none"


@given(st.one_of(st.text(max_size=40), st.ip_addresses().map(str),
                 st.sampled_from(["localhost", "LOCALHOST", "127.0.0.2", "::1", "[::1]",
                                  "127.0.0.1.example.org", "localhost.example.org"])))
def test_no_encryption_is_accepted_for_loopback_hosts_only(host: str) -> None:
    try:
        servers = mail_servers(_account(imap_host=host, imap_security="none"))
    except InvalidInputError:
        return
    assert servers.imap.security == "none"
    assert host.lower().rstrip(".") == "localhost" or host.strip("[]") == "::1" or \
        (host.startswith("127.") and host.replace(".", "").isdigit()) or \
        host.strip("[]").startswith("::ffff:127.")


def _cli(capsys: pytest.CaptureFixture[str], data: Path, *args: str,
         stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None
         ) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = run(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_account_add_with_defaults(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _cli(capsys, tmp_path, "account", "add", "home", "--kind", "imap",
                          "--address", "ann@example.org", "--display-name", "Ann Example",
                          "--save-sent", "no", "--secret-stdin", stdin="pw\n",
                          monkeypatch=monkeypatch)
    assert code == 0, err
    code, out, _ = _cli(capsys, tmp_path, "account", "list", "--json")
    [listed] = json.loads(out)
    assert listed["kind"] == "imap" and listed["address"] == "ann@example.org"
    assert listed["options"] == {"display_name": "Ann Example", "save_sent": "no"}


def test_account_add_refuses_imap_flags_for_other_kinds_and_bad_security(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(capsys, tmp_path, "account", "add", "x", "--kind", "exante",
                        "--base-url", "https://dev.exante.app", "--imap-host", "h")
    assert code == 1 and "imap accounts only" in err
    code, _, err = _cli(capsys, tmp_path, "account", "add", "x", "--kind", "imap",
                        "--address", "a@example.org", "--imap-host", "mail.example.org",
                        "--option", "imap_security=none")
    assert code == 1 and "imap_security" in err
    code, _, err = _cli(capsys, tmp_path, "account", "add", "x", "--kind", "exante")
    assert code == 1 and "--base-url" in err


def _add_local(capsys: pytest.CaptureFixture[str], data: Path,
               monkeypatch: pytest.MonkeyPatch, user: MailUser, imap_port: int,
               smtp_port: int, password: str | None = None) -> None:
    code, _, err = _cli(
        capsys, data, "account", "add", "mail", "--kind", "imap", "--username", user.name,
        "--address", "me@example.test", "--imap-host", "127.0.0.1",
        "--imap-port", str(imap_port), "--imap-security", "tls", "--smtp-host", "127.0.0.1",
        "--smtp-port", str(smtp_port), "--smtp-security", "starttls", "--secret-stdin",
        stdin=(password or user.password) + "\n", monkeypatch=monkeypatch)
    assert code == 0, err


def test_account_test_checks_both_servers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        dovecot: Dovecot, imap_user: MailUser, smtp_server: SmtpServer,
        certificate: TestCertificate) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))  # trust the test server
    _add_local(capsys, tmp_path, monkeypatch, imap_user, dovecot.imaps_port,
               smtp_server.port)
    code, out, err = _cli(capsys, tmp_path, "account", "test", "mail")
    assert code == 0, err
    assert "IMAP 127.0.0.1" in out and "SMTP 127.0.0.1" in out
    assert smtp_server.logins == [imap_user.name]


def test_account_test_names_the_failing_server_and_cause(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        dovecot: Dovecot, imap_user: MailUser, smtp_server: SmtpServer,
        certificate: TestCertificate) -> None:
    # Not trusted: the system's CA store does not know the test certificate.
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "empty.pem"))
    (tmp_path / "empty.pem").write_text("")
    _add_local(capsys, tmp_path, monkeypatch, imap_user, dovecot.imaps_port,
               smtp_server.port)
    code, _, err = _cli(capsys, tmp_path, "account", "test", "mail")
    assert code == 1 and "IMAP server 127.0.0.1" in err and "certificate" in err

    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    _add_local(capsys, tmp_path, monkeypatch, imap_user, dovecot.imaps_port,
               smtp_server.port, password="wrong-secret-42")
    code, _, err = _cli(capsys, tmp_path, "account", "test", "mail")
    assert code == 1 and "IMAP server 127.0.0.1" in err and "login was refused" in err
    assert "wrong-secret-42" not in err

    _add_local(capsys, tmp_path, monkeypatch, imap_user, dovecot.imaps_port, free_port())
    code, _, err = _cli(capsys, tmp_path, "account", "test", "mail")
    assert code == 1 and "SMTP server 127.0.0.1" in err and "refused" in err


def test_cli_draft_reaches_the_drafts_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        dovecot: Dovecot, imap_user: MailUser, smtp_server: SmtpServer,
        certificate: TestCertificate, other_client: IMAPClient) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    _add_local(capsys, tmp_path, monkeypatch, imap_user, dovecot.imaps_port,
               smtp_server.port)
    code, _, err = _cli(capsys, tmp_path, "draft", "new", "--account", "mail",
                          "--to", "bob@example.org", "--subject", "From the shell",
                          "--text", "hello")
    assert code == 0, err
    code, _, err = _cli(capsys, tmp_path, "sync")
    assert code == 0, err
    other_client.select_folder("Drafts")
    uids = other_client.search(["SUBJECT", "From the shell"])
    assert len(uids) == 1


@pytest.mark.parametrize(("error", "words"), [
    (socket.gaierror(-2, "Name or service not known"), "host name was not found (DNS)"),
    (ConnectionRefusedError(111, "Connection refused"), "connection was refused"),
    (TimeoutError("timed out"), "timeout"),
    (ssl.SSLCertVerificationError(1, "certificate verify failed"), "TLS certificate"),
])
def test_network_failures_name_the_server_and_the_cause(error: OSError, words: str) -> None:
    err = network_error("SMTP", Server("smtp.example.org", 587, "starttls"), error,
                        request_sent=False)
    assert err.message.startswith("SMTP server smtp.example.org:587: ")
    assert words in err.message
    assert err.kind is SyncErrorKind.TRANSIENT and not err.request_sent
