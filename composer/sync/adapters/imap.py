"""IMAP Drafts folder and SMTP submission (any mail provider): ``imapclient`` and ``smtplib``.

- Servers from the account's options (``composer.domain.mail_servers``): TLS or STARTTLS,
  certificates verified (an injected ``ssl_context`` in tests), no login over an
  unencrypted connection except to a loopback host.
- Drafts folder: the mailbox with the ``\\Drafts`` special-use attribute (RFC 6154), else
  one of the usual names, else created. Sent likewise with ``\\Sent``.
- A draft is the .eml the export writes (``composer.domain.eml``) with ``X-Composer-Marker``
  (the engine's marker) and ``X-Composer-Revision`` headers and the ``\\Draft`` flag.
  Non-ASCII text in header fields is written as RFC 2047 encoded words (a non-ASCII
  address itself as UTF-8, RFC 6532: it has no ASCII form).
- ``remote_id`` is ``marker:<marker>`` for our drafts (every copy of one draft has the same
  id, so a leftover copy is never pulled in as a new draft) and ``uid:<uidvalidity>:<uid>``
  for drafts written by another client. ``version`` is ``<uidvalidity>.<uid>.<sha256 of the
  stored header, 16 hex>``: IMAP messages are immutable, so another client's edit (a new
  message, our copy replaced) always changes it; flags (read, MODSEQ) do not.
- Create = ``APPEND``; a backlog of new drafts (``create_many``, which the engine calls
  for the creates of one batch) goes in ``MULTIAPPEND`` commands (RFC 3502: all of a
  command's messages are stored or none), one ``APPEND`` each on servers without it; a
  refusal (quota, size) is asked again one message at a time, so each draft gets its own
  answer. Update = ``APPEND`` the new revision, then delete every older copy
  by UID (``UID EXPUNGE`` with UIDPLUS; without it ``EXPUNGE``, which also removes other
  messages flagged ``\\Deleted`` in Drafts, as every client does) and return a new ref.

Guarantees. A lost ``APPEND`` answer: the adapter reconnects and looks the message up by
its unique ``Message-ID``; failing that the engine's ``find`` searches the marker header
(a create), or (an update) ``fetch`` recognises that copy by its Message-ID as our own
write and reports the version from before it, so it is replaced by the next update, not
taken for another client's edit (within one process: after a restart that is a conflict
kept side by side, never a loss).
A delete that fails after a successful APPEND does not fail the save: the stale copies
(lower revision, or the same bytes) are removed the next time the draft is fetched,
found, updated or listed, so the folder converges to one copy per draft. A copy with our
marker but other content and no lower revision (another client's edit) is never deleted.
Pull reads each message once (messages never change; kept parsed by UID while the
folder's ``UIDVALIDITY`` holds); a later pull asks for every message's flags and only the
new messages' bodies. With CONDSTORE a pull whose folder ``HIGHESTMODSEQ`` is unchanged
asks for nothing more; without it, the flags of the whole folder are read each time.
(QRESYNC's VANISHED would spare that flag listing too; not used.)
Send = SMTP submission of the stored message without its ``Bcc`` and ``X-Composer-*``
headers (the envelope still carries Bcc), then the copy is flagged ``$Submitted`` (a
retried send does not submit twice), stored in Sent unless ``save_sent=no`` and removed
from Drafts. A submission whose answer is lost may be made twice (SMTP has no way to ask).
Sizes: ``APPENDLIMIT`` (and SMTP ``SIZE``) refuse a too-big message before it is sent;
``NO [OVERQUOTA]``/``[LIMIT]`` are validation errors.
"""

from __future__ import annotations

import dataclasses
import hashlib
import imaplib
import logging
import re
import ssl
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from composer.domain.addresses import ascii_domain, parse_header_addresses
from composer.domain.eml import MESSAGE_ID_DOMAIN, draft_to_eml, eml_to_draft
from composer.domain.mail_servers import MailServers, mail_servers
from composer.domain.models import Address, Draft
from composer.errors import InvalidInputError
from composer.sync.adapters.base import (
    AccountConfig,
    AttachmentMode,
    AttachmentSource,
    BodyKind,
    Capabilities,
    Clock,
    Problem,
    RemoteDraft,
    RemoteRef,
    declared_limits,
    invalid_recipients,
)
from composer.sync.adapters.smtp_send import SmtpSubmitter, network_error
from composer.sync.errors import SyncError, SyncErrorKind

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

MARKER_HEADER = "X-Composer-Marker"
REVISION_HEADER = "X-Composer-Revision"
SUBMITTED = b"$Submitted"          # keyword: this copy went out by SMTP
FILED = b"$ComposerFiled"          # keyword: its copy is in Sent
DRAFT_NAMES = ("Drafts", "INBOX.Drafts", "INBOX/Drafts", "Draft", "[Gmail]/Drafts")
SENT_NAMES = ("Sent", "INBOX.Sent", "INBOX/Sent", "Sent Items", "Sent Messages",
              "[Gmail]/Sent Mail")
DEFAULT_TIMEOUT = 30.0
#: drafts stored by one MULTIAPPEND at most, and their size in bytes at most
MULTIAPPEND_MAX = 32
MULTIAPPEND_BYTES = 8 * 1024 * 1024
_VALIDATION_CODES = ("OVERQUOTA", "LIMIT", "TOOBIG")
_AUTH_CODES = ("AUTHENTICATIONFAILED", "AUTHORIZATIONFAILED", "EXPIRED")


@dataclass(frozen=True)
class _Copy:
    """One message in Drafts: its UID, flags and stored header."""

    uid: int
    flags: tuple[bytes, ...]
    header: bytes

    def field(self, name: str) -> str:
        match = re.search(rb"(?im)^" + re.escape(name.encode()) + rb":[ \t]*(.*?)\r?$",
                          self.header)
        return match.group(1).decode("ascii", "replace").strip() if match else ""

    @property
    def marker(self) -> str:
        return self.field(MARKER_HEADER)

    @property
    def ours(self) -> bool:
        return self.field("Message-ID").endswith(f"@{MESSAGE_ID_DOMAIN}>")

    @property
    def revision(self) -> int:
        value = self.field(REVISION_HEADER)
        return int(value) if value.isdigit() else -1


def _header_block(data: bytes) -> bytes:
    end = data.find(b"\r\n\r\n")
    if end < 0:
        end = data.find(b"\n\n")
    return data[:end] if end >= 0 else data


def _fingerprint(header: bytes) -> str:
    normal = _header_block(header).replace(b"\r\n", b"\n").rstrip(b"\n")
    return hashlib.sha256(normal).hexdigest()[:16]


def _header_fields(block: bytes) -> list[bytes]:
    """The header block split into fields (each with its folded continuation lines)."""
    fields: list[bytes] = []
    for line in block.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\r\n" + line
        elif line:
            fields.append(line)
    return fields


def _field_name(raw: bytes) -> str:
    return raw.split(b":", 1)[0].decode("ascii", "replace").strip().lower()


def _field_value(raw: bytes) -> str:
    """A header field's value, unfolded (raw UTF-8 read as UTF-8; encoded words kept)."""
    value = raw.split(b":", 1)[1].decode("utf-8", "replace") if b":" in raw else ""
    return re.sub(r"\r\n(?=[ \t])", "", value).strip()


def _message_id(data: bytes) -> str:
    return _Copy(0, (), _header_block(data)).field("Message-ID")


def for_submission(data: bytes) -> tuple[bytes, list[str]]:
    """The stored draft as it is submitted: without ``Bcc`` and ``X-Composer-*`` header
    fields (the body bytes unchanged), and the envelope recipients (To, Cc and Bcc)."""
    block = _header_block(data)
    kept: list[bytes] = []
    recipients: list[str] = []
    for raw in _header_fields(block):
        name = _field_name(raw)
        if name in ("to", "cc", "bcc"):
            # (not email.utils.getaddresses: CVE-2023-27043; a draft may come from
            # another client)
            recipients += [ascii_domain(a.addr) for a in
                           parse_header_addresses(_field_value(raw)) if a.valid]
        if name == "bcc" or name.startswith("x-composer-"):
            continue
        kept.append(raw)
    unique = list(dict.fromkeys(recipients))
    return b"\r\n".join(kept) + data[len(block):], unique


def _code(err: BaseException) -> str:
    match = re.search(r"\[([A-Z-]+)", str(err))
    return match.group(1) if match else ""


class ImapAdapter:
    kind = "imap"
    capabilities = Capabilities(
        schedule=False, body=BodyKind.TEXT_AND_HTML, attachments=AttachmentMode.INLINE_BASE64,
        partial_update=False, editable_after_create=False, can_list=True, can_fetch=True,
        max_subject_chars=998,
    )

    def __init__(self, account: AccountConfig, secret: str, client: httpx.Client | None,
                 clock: Clock, *, ssl_context: ssl.SSLContext | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self._account = account
        self._secret = secret
        if client is not None:
            client.close()  # no HTTP here; the factory's signature gives every adapter one
        self._clock = clock
        self._ssl = ssl_context
        self._timeout = timeout
        self._servers_or_error: MailServers | InvalidInputError
        try:
            self._servers_or_error = mail_servers(account)
        except InvalidInputError as exc:
            self._servers_or_error = exc
        self._imap: IMAPClient | None = None
        self._caps: set[bytes] = set()
        self._drafts: str | None = None
        self._uidvalidity = 0
        #: APPENDLIMIT learned from the server (None: not known yet or no limit)
        self.append_limit: int | None = None
        self._listing: tuple[tuple[int, int], list[RemoteDraft]] | None = None
        #: every message of Drafts read so far, by UID (for ``_parsed_validity``)
        self._parsed: dict[int, tuple[_Copy, RemoteDraft]] = {}
        self._parsed_validity = 0
        #: marker -> (Message-ID, version before) of updates whose answer was lost
        self._unconfirmed: dict[str, tuple[str, str]] = {}
        #: Message-IDs submitted by SMTP in this process
        self._submitted: set[str] = set()

    # -- settings and connection --------------------------------------------------------
    @property
    def _servers(self) -> MailServers:
        value = self._servers_or_error
        if isinstance(value, InvalidInputError):
            raise SyncError(SyncErrorKind.VALIDATION, value.reason, field="from",
                            request_sent=False)
        return value

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    def _connect(self) -> IMAPClient:
        if self._imap is not None:
            return self._imap
        servers = self._servers
        server = servers.imap
        try:
            client = IMAPClient(server.host, port=server.port, ssl=server.security == "tls",
                                ssl_context=self._context(), timeout=self._timeout)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise network_error("IMAP", server, exc, request_sent=False) from None
        try:
            if server.security == "starttls":
                if not client.has_capability("STARTTLS"):
                    raise SyncError(SyncErrorKind.FORBIDDEN, f"IMAP server {server}: it offers "
                                    "no STARTTLS; the password is never sent unencrypted",
                                    request_sent=False)
                client.starttls(self._context())
            client.login(servers.username, self._secret)
            self._caps = set(client.capabilities())
            self._drafts = self._find_folder(client, b"\\Drafts", DRAFT_NAMES, "Drafts")
            selected = client.select_folder(self._drafts)
            self._uidvalidity = int(selected.get(b"UIDVALIDITY", 0))
        except LoginError as exc:
            self._drop(client)
            raise SyncError(SyncErrorKind.AUTH, f"IMAP server {server}: the login was refused "
                            f"for {servers.username!r}", service_message=self._scrub(
                                str(exc).strip("b'\"")), request_sent=False) from None
        except SyncError:
            self._drop(client)
            raise
        except (OSError, imaplib.IMAP4.abort) as exc:
            self._drop(client)
            raise network_error("IMAP", server, exc, request_sent=False) from None
        except imaplib.IMAP4.error as exc:
            self._drop(client)
            raise self._imap_error(exc, "opening the Drafts folder", request_sent=False) \
                from None
        self.append_limit = self._append_limit()
        self._imap = client
        return client

    def _append_limit(self) -> int | None:
        for cap in self._caps:
            if cap.upper().startswith(b"APPENDLIMIT="):
                value = cap.split(b"=", 1)[1]
                return int(value) if value.isdigit() and int(value) else None
        return None

    @staticmethod
    def _drop(client: IMAPClient) -> None:
        with suppress(OSError, imaplib.IMAP4.error):
            client.shutdown()

    def _disconnect(self) -> None:
        client, self._imap = self._imap, None
        if client is not None:
            self._drop(client)

    @staticmethod
    def _find_folder(client: IMAPClient, use: bytes, names: tuple[str, ...],
                     create: str) -> str:
        folders = client.list_folders()
        for flags, _, name in folders:
            if use in flags:
                return str(name)
        existing = {str(name).lower(): str(name) for _, _, name in folders}
        for candidate in names:
            if candidate.lower() in existing:
                return existing[candidate.lower()]
        client.create_folder(create)
        return create

    def _imap_error(self, exc: imaplib.IMAP4.error, doing: str, *,
                    request_sent: bool = True) -> SyncError:
        code = _code(exc)
        words = self._scrub(str(exc))
        where = f"IMAP server {self._servers.imap}"
        if code in _VALIDATION_CODES:
            what = "the mailbox is full (quota)" if code == "OVERQUOTA" else \
                "the message is larger than the server accepts"
            return SyncError(SyncErrorKind.VALIDATION, f"{where}: {what}",
                             service_message=words, field="attachments",
                             request_sent=request_sent)
        if code in _AUTH_CODES:
            return SyncError(SyncErrorKind.AUTH, f"{where}: not allowed ({doing})",
                             service_message=words, request_sent=request_sent)
        if code == "NONEXISTENT":
            return SyncError(SyncErrorKind.NOT_FOUND, f"{where}: not found ({doing})",
                             service_message=words, request_sent=request_sent)
        return SyncError(SyncErrorKind.TRANSIENT, f"{where}: {doing} failed",
                         service_message=words, request_sent=request_sent)

    @contextmanager
    def _session(self, doing: str) -> Iterator[IMAPClient]:
        """The open connection (opened when needed); a dropped connection becomes a
        TRANSIENT error and is opened again next time."""
        client = self._connect()
        try:
            yield client
        except (OSError, imaplib.IMAP4.abort) as exc:
            self._disconnect()
            raise network_error("IMAP", self._servers.imap, exc, request_sent=True) from None
        except imaplib.IMAP4.error as exc:
            raise self._imap_error(exc, doing) from None

    # -- the adapter protocol ------------------------------------------------------------
    def check(self, draft: Draft) -> Sequence[Problem]:
        problems: list[Problem] = []
        if isinstance(self._servers_or_error, InvalidInputError):
            problems.append(Problem("from", "account_settings", self._servers_or_error.reason))
        problems += invalid_recipients(draft)
        problems += declared_limits(draft, self.capabilities, "mail")
        if self.append_limit is not None:
            # base64 makes files about 4/3 larger; headers and bodies add a little
            size = sum(a.size for a in draft.attachments) * 4 // 3 + \
                len(draft.html.encode()) + len(draft.text.encode()) * 2 + 4096
            if size > self.append_limit:
                problems.append(Problem(
                    "attachments", "too_large",
                    f"the message would be about {size / 1e6:.1f} MB; the IMAP server "
                    f"accepts at most {self.append_limit / 1e6:.1f} MB (APPENDLIMIT)"))
        return problems

    def test(self) -> str:
        with self._session("listing the Drafts folder") as client:
            count = int(client.folder_status(self._drafts, [b"MESSAGES"])
                        .get(b"MESSAGES", 0))
        servers = self._servers
        imap = f"IMAP {servers.imap} ({servers.imap.security}) signed in, {count} drafts " \
            f"in {self._drafts!r}"
        return f"{imap}; {self._submitter().test()}"

    def _message(self, draft: Draft, files: AttachmentSource, marker: str) -> bytes:
        servers = self._servers
        if not draft.from_addr and servers.address:
            draft = draft.evolve(from_addr=Address(servers.address,
                                                   servers.display_name).formatted())
        try:
            return draft_to_eml(draft, files.read_bytes, extra=(
                (MARKER_HEADER, marker), (REVISION_HEADER, str(draft.revision))))
        except InvalidInputError as exc:
            raise SyncError(SyncErrorKind.VALIDATION, exc.reason, field=exc.field,
                            request_sent=False) from None

    def create(self, draft: Draft, files: AttachmentSource, marker: str) -> RemoteRef:
        return self._append(self._message(draft, files, marker), marker)

    def create_many(self, items: Sequence[tuple[Draft, str]],
                    files: AttachmentSource) -> list[RemoteRef | SyncError]:
        """Several new drafts in one ``MULTIAPPEND`` (RFC 3502: all are stored or none) per
        ``MULTIAPPEND_MAX`` messages or ``MULTIAPPEND_BYTES``; one ``APPEND`` each when the
        server lacks it. A refusal (quota, size) is asked again one message at a time, so
        each draft gets its own answer; a lost answer is looked up by Message-ID, as for
        ``create``."""
        results: dict[int, RemoteRef | SyncError] = {}
        ready: list[tuple[int, bytes, str]] = []
        for n, (draft, marker) in enumerate(items):
            try:
                data = self._message(draft, files, marker)
                self._check_size(data)
            except SyncError as err:
                results[n] = err
                continue
            ready.append((n, data, marker))
        for chunk in self._chunks(ready):
            if len(chunk) > 1 and b"MULTIAPPEND" in self._caps:
                answers = self._append_together(chunk)
            else:
                answers = self._append_each(chunk)
            for (n, _, _), answer in zip(chunk, answers, strict=True):
                results[n] = answer
        return [results[n] for n in range(len(items))]

    def _chunks(self, ready: list[tuple[int, bytes, str]]
                ) -> Iterator[list[tuple[int, bytes, str]]]:
        chunk: list[tuple[int, bytes, str]] = []
        size = 0
        for item in ready:
            if chunk and (len(chunk) >= MULTIAPPEND_MAX or
                          size + len(item[1]) > MULTIAPPEND_BYTES):
                yield chunk
                chunk, size = [], 0
            chunk.append(item)
            size += len(item[1])
        if chunk:
            yield chunk

    def _append_each(self, chunk: list[tuple[int, bytes, str]]
                     ) -> list[RemoteRef | SyncError]:
        answers: list[RemoteRef | SyncError] = []
        stop: SyncError | None = None
        for _, data, marker in chunk:
            if stop is not None:  # signed out or told to wait: nothing more is sent
                answers.append(SyncError(stop.kind, stop.message, retry_at=stop.retry_at,
                                         service_message=stop.service_message,
                                         request_sent=False))
                continue
            try:
                answers.append(self._append(data, marker))
            except SyncError as err:
                answers.append(err)
                if err.kind in (SyncErrorKind.AUTH, SyncErrorKind.RATE_LIMITED):
                    stop = err
        return answers

    def _append_together(self, chunk: list[tuple[int, bytes, str]]
                         ) -> list[RemoteRef | SyncError]:
        try:
            with self._session("saving the drafts") as client:
                typ, lines = client.multiappend(self._drafts, [
                    {"msg": data, "flags": (b"\\Draft",)} for _, data, _ in chunk])
                answer = b" ".join(x if isinstance(x, bytes) else str(x).encode()
                                   for x in lines or ())
                if typ != "OK":
                    raise imaplib.IMAP4.error(answer.decode("utf-8", "replace"))
        except SyncError as err:
            if err.kind is SyncErrorKind.VALIDATION:
                return self._append_each(chunk)  # which of them is refused, and why
            if err.kind is not SyncErrorKind.TRANSIENT or not err.request_sent:
                return [err] * len(chunk)
            # The answer was lost: all of them or none are there. Look them up.
            return [self._found_again(data, marker, err) for _, data, marker in chunk]
        self._listing = None
        uids = _appended_uids(answer, self._uidvalidity)
        if len(uids) != len(chunk):
            return [self._found_again(data, marker, SyncError(
                SyncErrorKind.TRANSIENT, "IMAP server: the saved draft could not be found "
                "again")) for _, data, marker in chunk]
        return [RemoteRef(f"marker:{marker}", self._version(uid, data))
                for uid, (_, data, marker) in zip(uids, chunk, strict=True)]

    def _found_again(self, data: bytes, marker: str, err: SyncError) -> RemoteRef | SyncError:
        try:
            uid = self._lookup_message_id(_message_id(data))
        except SyncError:
            return err
        return err if uid is None else RemoteRef(f"marker:{marker}", self._version(uid, data))

    def update(self, ref: RemoteRef, draft: Draft, previous: Draft | None,
               files: AttachmentSource, marker: str) -> RemoteRef:
        data = self._message(draft, files, marker)
        with self._session("looking up the draft"):
            old = [c.uid for c in self._copies(marker)]
        foreign = self._uid_of(ref.remote_id)
        if foreign is not None:
            old.append(foreign)
        try:
            new = self._append(data, marker)
        except SyncError as err:
            if err.kind is SyncErrorKind.TRANSIENT and err.request_sent:
                # Maybe stored, answer lost: if that copy turns up, it is ours, not a
                # change by someone else (see ``fetch``).
                self._unconfirmed[marker] = (_message_id(data),
                                             ref.version)
            raise
        self._unconfirmed.pop(marker, None)
        stale = [uid for uid in old if f".{uid}." not in new.version]
        if stale:
            try:
                self._expunge(stale)
            except SyncError as err:
                # Saved: the old copies go on the next pass (``_converge``).
                log.info("old draft copies not deleted yet (%s)", err.kind.value)
        return new

    def fetch(self, remote_id: str) -> RemoteDraft:
        with self._session("reading the draft") as client:
            best = self._best(remote_id)
            if best is None:
                raise SyncError(SyncErrorKind.NOT_FOUND,
                                "the draft is no longer in the Drafts folder")
            data = client.fetch([best.uid], [b"BODY.PEEK[]"]).get(best.uid, {})
        body = data.get(b"BODY[]")
        if not isinstance(body, bytes):
            raise SyncError(SyncErrorKind.NOT_FOUND,
                            "the draft is no longer in the Drafts folder")
        remote = self._remote(remote_id, best, body)
        unconfirmed = self._unconfirmed.get(remote_id.partition(":")[2])
        if unconfirmed is not None and best.ours and \
                best.field("Message-ID") == unconfirmed[0]:
            # Our own update whose answer was lost: the draft is as we last knew it
            # plus our change, which the next update replaces.
            remote = dataclasses.replace(remote, version=unconfirmed[1])
        return remote

    def list_drafts(self, known: Collection[str] = ()) -> Sequence[RemoteDraft]:
        """Every draft in the folder (``known`` is not needed: messages never change, so
        each is read and parsed once per UID and kept anyway); later listings ask only for
        every message's flags and the bodies of new ones. With CONDSTORE an unchanged
        folder (``HIGHESTMODSEQ``) is not asked about at all."""
        with self._session("listing the Drafts folder") as client:
            state: tuple[int, int] | None = None
            client.noop()  # the server shows other clients' changes from here on
            if b"CONDSTORE" in self._caps:
                status = client.folder_status(self._drafts, [b"HIGHESTMODSEQ", b"UIDVALIDITY"])
                state = (int(status.get(b"UIDVALIDITY", 0)),
                         int(status.get(b"HIGHESTMODSEQ", 0)))
                if self._listing is not None and self._listing[0] == state:
                    return list(self._listing[1])
            if self._parsed_validity != self._uidvalidity:
                self._parsed.clear()
                self._parsed_validity = self._uidvalidity
            uids = client.search(["NOT", "DELETED"])
            flags = {int(uid): tuple(item.get(b"FLAGS", ()))
                     for uid, item in client.fetch(uids, [b"FLAGS"]).items()} if uids else {}
            new = [uid for uid in flags if uid not in self._parsed]
            fetched = client.fetch(new, [b"BODY.PEEK[]"]) if new else {}
        for uid, item in fetched.items():
            body = item.get(b"BODY[]")
            if isinstance(body, bytes):
                copy = _Copy(int(uid), (), _header_block(body))
                self._parsed[int(uid)] = (copy, self._remote("", copy, body))
        for gone in set(self._parsed) - set(flags):
            del self._parsed[gone]
        by_marker: dict[str, list[tuple[_Copy, RemoteDraft]]] = {}
        out: list[RemoteDraft] = []
        for uid, (cached, remote) in sorted(self._parsed.items()):
            copy = dataclasses.replace(cached, flags=flags[uid])
            if SUBMITTED in copy.flags:
                continue  # sent; its removal is finished by the next ``send``
            if copy.marker:
                by_marker.setdefault(copy.marker, []).append((copy, remote))
            else:
                out.append(dataclasses.replace(
                    remote, remote_id=f"uid:{self._uidvalidity}:{uid}", marker=None))
        for marker, copies in by_marker.items():
            best = self._converge([c for c, _ in copies])
            remote = next(r for c, r in copies if c.uid == best.uid)
            out.append(dataclasses.replace(remote, remote_id=f"marker:{marker}"))
        if state is not None:
            # Converging may have changed the folder: its new HIGHESTMODSEQ is read next time.
            self._listing = (state, out) if all(len(c) == 1 for c in by_marker.values()) \
                else None
        return out

    def find(self, marker: str, draft: Draft) -> RemoteRef | None:
        with self._session("looking up the draft"):
            copies = self._copies(marker)
        if not copies:
            return None
        best = self._converge(copies)
        return RemoteRef(f"marker:{marker}", self._version(best.uid, best.header))

    def delete(self, remote_id: str) -> None:
        with self._session("looking up the draft"):
            uids = self._uids(remote_id)
        if not uids:
            raise SyncError(SyncErrorKind.NOT_FOUND, "the draft is no longer in the Drafts "
                            "folder")
        self._expunge(uids)

    def send(self, remote_id: str) -> None:
        servers = self._servers
        with self._session("reading the draft") as client:
            best = self._best(remote_id)
            if best is None:
                raise SyncError(SyncErrorKind.NOT_FOUND,
                                "the draft is no longer in the Drafts folder")
            data = client.fetch([best.uid], [b"BODY.PEEK[]"]).get(best.uid, {}).get(b"BODY[]")
        if not isinstance(data, bytes):
            raise SyncError(SyncErrorKind.NOT_FOUND, "the draft is no longer in the Drafts "
                            "folder")
        message, recipients = for_submission(data)
        message_id = best.field("Message-ID")
        if SUBMITTED not in best.flags and message_id not in self._submitted:
            if not recipients:
                raise SyncError(SyncErrorKind.VALIDATION, "the draft has no recipients",
                                field="to", request_sent=False)
            sender = servers.address or next(
                (ascii_domain(a.addr) for a in parse_header_addresses(best.field("From"))
                 if a.valid), "")
            if not sender:
                raise SyncError(SyncErrorKind.VALIDATION, "no sender address: set the "
                                "account's email address", field="from", request_sent=False)
            self._submitter().submit(sender, recipients, message, smtputf8=not (
                message.isascii() and sender.isascii() and
                all(r.isascii() for r in recipients)))
            # Remembered here too: if flagging fails, a retry in this process does not
            # submit again.
            self._submitted.add(message_id)
            with self._session("marking the draft as sent") as client:
                client.add_flags(self._uids(remote_id), [SUBMITTED])
        if servers.save_sent and FILED not in best.flags:
            with self._session("storing the message in Sent") as client:
                sent = self._find_folder(client, b"\\Sent", SENT_NAMES, "Sent")
                client.append(sent, message, flags=(b"\\Seen",))
                client.add_flags(self._uids(remote_id), [FILED])
        with self._session("removing the sent draft"):
            uids = self._uids(remote_id)
        if uids:
            self._expunge(uids)

    def close(self) -> None:
        client, self._imap = self._imap, None
        if client is None:
            return
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            self._drop(client)

    # -- helpers (called inside a session) -------------------------------------------
    def _submitter(self) -> SmtpSubmitter:
        servers = self._servers
        return SmtpSubmitter(servers.smtp, servers.username, self._secret, self._context(),
                             self._timeout)

    def _version(self, uid: int, header: bytes) -> str:
        return f"{self._uidvalidity}.{uid}.{_fingerprint(header)}"

    def _uid_of(self, remote_id: str) -> int | None:
        kind, _, rest = remote_id.partition(":")
        if kind != "uid":
            return None
        validity, _, uid = rest.partition(":")
        if validity != str(self._uidvalidity) or not uid.isdigit():
            return None
        return int(uid)

    def _copies(self, marker: str) -> list[_Copy]:
        client = self._connect()
        client.noop()  # the server shows other clients' changes from here on
        uids = client.search(["NOT", "DELETED", "HEADER", MARKER_HEADER, marker])
        if not uids:
            return []
        fetched = client.fetch(uids, [b"FLAGS", b"BODY.PEEK[HEADER]"])
        copies = [_Copy(int(uid), tuple(item.get(b"FLAGS", ())), item.get(b"BODY[HEADER]", b""))
                  for uid, item in fetched.items()]
        return [c for c in copies if c.marker == marker]  # SEARCH HEADER is a substring match

    def _uids(self, remote_id: str) -> list[int]:
        kind, _, rest = remote_id.partition(":")
        if kind == "marker":
            return [c.uid for c in self._copies(rest)]
        uid = self._uid_of(remote_id)
        if uid is None:
            return []
        client = self._connect()
        client.noop()
        found = client.search(["UID", str(uid), "NOT", "DELETED"])
        return [int(u) for u in found]

    def _best(self, remote_id: str) -> _Copy | None:
        kind, _, rest = remote_id.partition(":")
        if kind == "marker":
            copies = self._copies(rest)
            return self._converge(copies) if copies else None
        uids = self._uids(remote_id)
        if not uids:
            return None
        item = self._connect().fetch(uids, [b"FLAGS", b"BODY.PEEK[HEADER]"]).get(uids[0], {})
        return _Copy(uids[0], tuple(item.get(b"FLAGS", ())), item.get(b"BODY[HEADER]", b""))

    def _converge(self, copies: list[_Copy]) -> _Copy:
        """The copy that stands for the draft (highest revision, then newest). Copies we
        wrote (our Message-ID) of an older revision, or of the same revision as the copy
        kept when that one is ours too, are deleted (best effort). A copy another client
        wrote (it keeps our marker but has its own Message-ID) is never deleted."""
        best = max(copies, key=lambda c: (c.revision, c.uid))
        stale = [c.uid for c in copies if c.uid != best.uid and c.ours and (
            c.revision < best.revision or best.ours)]
        if stale:
            try:
                self._expunge(stale)
            except SyncError as err:
                log.info("extra draft copies not deleted yet (%s)", err.kind.value)
        return best

    def _expunge(self, uids: list[int]) -> None:
        with self._session("deleting the old copy") as client:
            client.add_flags(uids, [b"\\Deleted"], silent=True)
            if b"UIDPLUS" in self._caps:
                client.uid_expunge(uids)
            else:
                client.expunge()

    def _check_size(self, data: bytes) -> None:
        if self._imap is None:
            self._connect()  # learn APPENDLIMIT (and MULTIAPPEND) before sending anything
        if self.append_limit is not None and len(data) > self.append_limit:
            raise SyncError(SyncErrorKind.VALIDATION, f"the message is {len(data) / 1e6:.1f} "
                            f"MB; the IMAP server accepts at most "
                            f"{self.append_limit / 1e6:.1f} MB (APPENDLIMIT)",
                            field="attachments", request_sent=False)

    def _append(self, data: bytes, marker: str) -> RemoteRef:
        self._check_size(data)
        message_id = _message_id(data)
        try:
            with self._session("saving the draft") as client:
                answer = client.append(self._drafts, data, flags=(b"\\Draft",))
        except SyncError as err:
            if err.kind is not SyncErrorKind.TRANSIENT or not err.request_sent:
                raise
            # The answer was lost: the message may be there. Look once, by its Message-ID
            # (if even that fails, the outcome stays unknown: the engine's ``find``).
            try:
                uid = self._lookup_message_id(message_id)
            except SyncError:
                raise err from None
            if uid is None:
                raise
            return RemoteRef(f"marker:{marker}", self._version(uid, data))
        self._listing = None
        match = re.search(rb"APPENDUID (\d+) (\d+)", answer or b"")
        if match and int(match.group(1)) == self._uidvalidity:
            uid = int(match.group(2))
        else:
            found = self._lookup_message_id(message_id)
            if found is None:
                raise SyncError(SyncErrorKind.TRANSIENT, "IMAP server: the saved draft "
                                "could not be found again")
            uid = found
        return RemoteRef(f"marker:{marker}", self._version(uid, data))

    def _lookup_message_id(self, message_id: str) -> int | None:
        if not message_id:
            return None
        with self._session("looking up the draft") as client:
            client.noop()
            uids = client.search(["NOT", "DELETED", "HEADER", "Message-ID", message_id])
        return max(int(u) for u in uids) if uids else None

    def _remote(self, remote_id: str, copy: _Copy, data: bytes) -> RemoteDraft:
        parsed = eml_to_draft(data).draft
        return RemoteDraft(
            remote_id=remote_id, version=self._version(copy.uid, copy.header),
            to=_addresses(data, "To") or tuple(a.formatted() for a in parsed.to),
            cc=_addresses(data, "Cc") or tuple(a.formatted() for a in parsed.cc),
            bcc=_addresses(data, "Bcc") or tuple(a.formatted() for a in parsed.bcc),
            subject=parsed.subject, html=parsed.html, text=parsed.text,
            from_addr=parsed.from_addr, send_at=parsed.schedule.send_at
            if parsed.schedule else None, marker=copy.marker or None,
            # A submitted copy still here is finished by ``send`` (Sent, then removed).
            status="draft",
            attachment_names=tuple(a.name for a in parsed.attachments),
        )


def _appended_uids(answer: bytes, uidvalidity: int) -> list[int]:
    """The UIDs an ``APPENDUID`` answer (RFC 4315) gives, in the order of the messages;
    none when it is missing or for another UIDVALIDITY."""
    match = re.search(rb"APPENDUID (\d+) ([\d:,]+)", answer)
    if not match or int(match.group(1)) != uidvalidity:
        return []
    uids: list[int] = []
    for part in match.group(2).decode("ascii").split(","):
        first, _, last = part.partition(":")
        if not first or (last and not last.isdigit()):
            return []
        low, high = int(first), int(last or first)
        step = 1 if high >= low else -1
        if abs(high - low) > MULTIAPPEND_MAX:
            return []
        uids += range(low, high + step, step)
    return uids


def _addresses(data: bytes, name: str) -> tuple[str, ...]:
    """The valid addresses of one header field, display names decoded (RFC 2047) after
    the field is split, so a name with a comma stays one address."""
    return tuple(a.formatted() for raw in _header_fields(_header_block(data))
                 if _field_name(raw) == name.lower()
                 for a in parse_header_addresses(_field_value(raw)) if a.valid)
