"""A real Dovecot IMAP server for the tests, started from a generated configuration.

Everything lives in one temporary folder: the configuration, a passwd-file of users, each
user's Maildir, the log, a self-signed certificate for 127.0.0.1 (``TestCertificate``)
and Dovecot's runtime sockets (in a short folder under /tmp: unix socket paths are
limited to 108 bytes). Listens on 127.0.0.1 only: plain IMAP (with STARTTLS) and IMAPS
on free ports.

Root-safe and non-root-safe: as root (CI), the login processes run as ``dovenull``, the
internal ones as ``dovecot`` and mail is stored as the ``dovecot`` user (these users come
with the Debian package); as anyone else, everything runs as the current user.

Users get a quota (``quota_rule``) when asked, so ``NO [OVERQUOTA]`` can be provoked,
and the server advertises ``APPENDLIMIT`` (``quota_max_mail_size``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
OPENSSL = shutil.which("openssl")

#: why the Dovecot tests skip, or None when they can run
SKIP_REASON: str | None = (
    "Dovecot is not installed (apt-get install dovecot-imapd openssl); "
    "the IMAP tests need a real server" if DOVECOT is None or OPENSSL is None else None)
if SKIP_REASON is not None and os.environ.get("CI") == "true":
    # .ci/run installs Dovecot: in CI these tests run, never skip.
    raise RuntimeError(f"CI must run the IMAP tests: {SKIP_REASON}")

#: the APPENDLIMIT the server advertises (bytes)
APPEND_LIMIT = 2 * 1024 * 1024
#: users of a test session, and those with a small quota
USERS, QUOTA_USERS, QUOTA_BYTES = 400, 10, 3000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@dataclass(frozen=True)
class TestCertificate:
    """A self-signed certificate for 127.0.0.1 and localhost, trusted by ``context()``."""

    __test__ = False  # not a test class

    cert: Path
    key: Path

    @classmethod
    def make(cls, folder: Path) -> TestCertificate:
        assert OPENSSL is not None
        cert, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(
            [OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out", str(cert),
             "-days", "2", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, capture_output=True)
        key.chmod(0o600)
        return cls(cert, key)

    def context(self) -> ssl.SSLContext:
        """A client context that verifies the server against this certificate only."""
        return ssl.create_default_context(cafile=str(self.cert))

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(self.cert), str(self.key))
        return ctx


@dataclass(frozen=True)
class MailUser:
    name: str
    password: str


class Dovecot:
    """One Dovecot instance; ``start``/``stop`` may be called again (restart tests)."""

    def __init__(self, cert: TestCertificate) -> None:
        assert DOVECOT is not None, SKIP_REASON
        # Its own folder, readable by Dovecot's unprivileged processes (pytest's are 0700).
        self.folder = folder = Path(tempfile.mkdtemp(prefix="dovecot-"))
        folder.chmod(0o755)
        self.cert = cert
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self._run_dir = folder / "run"
        self._users = folder / "users"
        self._users.touch()
        self._users.chmod(0o644)  # throwaway passwords; the auth process is unprivileged
        self._mail = folder / "mail"
        self._mail.mkdir()
        self.log = folder / "dovecot.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._free_users: list[MailUser] = []
        self._quota_users: list[MailUser] = []
        if os.getuid() == 0:
            mail_user = pwd.getpwnam("dovecot")
            self._uid, self._gid = mail_user.pw_uid, mail_user.pw_gid
            internal, login = "dovecot", "dovenull"
            os.chown(self._mail, self._uid, self._gid)
        else:
            me = pwd.getpwuid(os.getuid())
            self._uid, self._gid = me.pw_uid, me.pw_gid
            internal = login = me.pw_name
        self._make_users()
        self.config = folder / "dovecot.conf"
        self.config.write_text(self._config(internal, login), encoding="utf-8")

    def _config(self, internal: str, login: str) -> str:
        return f"""\
protocols = imap
listen = 127.0.0.1
base_dir = {self._run_dir}
state_dir = {self._run_dir}/state
log_path = {self.log}
info_log_path = {self.log}
default_internal_user = {internal}
default_internal_group = {internal}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 0
mail_location = maildir:~/Maildir
disable_plaintext_auth = no
auth_mechanisms = plain login
ssl = yes
ssl_cert = <{self.cert.cert}
ssl_key = <{self.cert.key}
ssl_min_protocol = TLSv1.2
mail_plugins = $mail_plugins quota
protocol imap {{
  mail_plugins = $mail_plugins imap_quota
  # Dovecot 2.3 enforces the limit (NO [LIMIT]) but does not advertise it by itself.
  imap_capability = +APPENDLIMIT={APPEND_LIMIT}
}}
plugin {{
  quota = count:User quota
  quota_vsizes = yes
  quota_max_mail_size = {APPEND_LIMIT}
}}
passdb {{
  driver = passwd-file
  args = {self._users}
}}
userdb {{
  driver = passwd-file
  args = {self._users}
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \\Drafts
  }}
  mailbox Sent {{
    special_use = \\Sent
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""

    def _make_users(self) -> None:
        """Every user the session may need, written before the start: Dovecot does not
        always notice a passwd-file that changed within the same second."""
        lines = []
        for number in range(USERS + QUOTA_USERS):
            user = MailUser(f"user{number}", f"pw-{os.urandom(6).hex()}")
            quota = number >= USERS
            (self._quota_users if quota else self._free_users).append(user)
            extra = f"userdb_quota_rule=*:storage={QUOTA_BYTES}B" if quota else ""
            lines.append(f"{user.name}:{{PLAIN}}{user.password}:{self._uid}:{self._gid}::"
                         f"{self._mail / user.name}::{extra}\n")
        self._users.write_text("".join(lines), encoding="utf-8")

    def add_user(self, *, quota: bool = False) -> MailUser:
        """A user with an empty mailbox (each test gets its own); ``quota``: one whose
        mailbox is full after ``QUOTA_BYTES``."""
        users = self._quota_users if quota else self._free_users
        if not users:
            raise RuntimeError("out of test users: raise USERS in tests/servers/dovecot.py")
        return users.pop(0)

    def start(self) -> None:
        assert DOVECOT is not None
        self._process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_port(self.imap_port)
            wait_for_port(self.imaps_port)
        except OSError:
            self.stop()
            raise RuntimeError("Dovecot did not start: " + self.log_text()) from None

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]
        except FileNotFoundError:
            return "(no log)"

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
