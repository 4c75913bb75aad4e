"""The five fake services side by side, with an account each: for the soak test, the
secret-leak test and the sync benchmark."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import BodyMode, Draft
from tests.fakes.base import FakeService, serve
from tests.fakes.datamotion import FakeDataMotion
from tests.fakes.exante import FakeExante
from tests.fakes.mykaarma import FakeMykaarma
from tests.fakes.onlyoffice import FakeOnlyoffice
from tests.fakes.rebilly import FakeRebilly

Starter = Callable[[FakeService], str]

SECRETS = {
    "secure": "correct horse",
    "office": "office-pass",
    "work": "ex_live_testkey",
    "dealer": "kaarma-pass",
    "billing": "sk_sandbox_testkey",
}


@dataclass
class Service:
    account: Account
    fake: FakeService
    files: bool                                     # can carry file attachments
    #: remote id -> (subject, status) as the fake holds it; None when gone
    remote: Callable[[str], tuple[str, str] | None]
    #: every remote id the fake holds as a live draft
    live_ids: Callable[[], set[str]]
    #: someone changes the subject of a remote draft on the service itself
    edit_remote: Callable[[str, str], None]
    #: the path of the request that lists drafts (part of it), and of a create
    list_path: str
    create_path: str

    def draft(self, subject: str, body: str) -> Draft:
        to = "Pat <pat@customer.example>" if self.account.kind == "mykaarma" \
            else "Bob <bob@x.example>, carol@x.example"
        context = {"customer_uuid": "c-1"} if self.account.kind == "mykaarma" else {}
        return Draft(account=self.account.name, to=tuple(parse_addresses(to)),
                     subject=subject, body_mode=BodyMode.HTML, html=f"<p>{body}</p>",
                     context=context)


def _datamotion(start: Starter) -> Service:
    fake = FakeDataMotion()
    url = start(fake)

    def remote(rid: str) -> tuple[str, str] | None:
        m = fake.messages.get(int(rid))
        return None if m is None else (m["Subject"], "draft" if m["folder"] == 3 else "sent")

    return Service(Account("secure", "datamotion", url + "/SecureMessagingApi",
                           username="alice@acme.example", address="alice@acme.example"),
                   fake, True, remote,
                   lambda: {str(k) for k, m in fake.messages.items() if m["folder"] == 3},
                   lambda rid, subject: fake.touch(int(rid), Subject=subject),
                   "GetMessageSummaries", "SaveDraft")


def _onlyoffice(start: Starter) -> Service:
    fake = FakeOnlyoffice()
    url = start(fake)

    def remote(rid: str) -> tuple[str, str] | None:
        m = fake.messages.get(int(rid))
        if m is None or m["Folder"] == 4:
            return None
        return m["Subject"], "draft" if m["Folder"] == 3 else "sent"

    return Service(Account("office", "onlyoffice", url, username="alice@acme.example",
                           address="alice@acme.example"), fake, True, remote,
                   lambda: {str(k) for k, m in fake.messages.items() if m["Folder"] == 3},
                   lambda rid, subject: fake.touch(int(rid), Subject=subject),
                   "/api/2.0/mail/messages", "drafts/save")


def _exante(start: Starter) -> Service:
    fake = FakeExante()
    url = start(fake)

    def remote(rid: str) -> tuple[str, str] | None:
        d = fake.drafts.get(rid)
        return None if d is None else (d["subject"], d["status"])

    return Service(Account("work", "exante", url, options={
        "from_account_id": "7d1f0a52-8a43-4c4e-9a57-1b2f4b8e9c01"}), fake, True, remote,
        lambda: {k for k, d in fake.drafts.items() if d["status"] == "draft"},
        lambda rid, subject: fake.touch(rid, subject=subject), "/api/email/drafts",
        "/api/email/drafts")


def _mykaarma(start: Starter) -> Service:
    fake = FakeMykaarma()
    url = start(fake)

    def remote(rid: str) -> tuple[str, str] | None:
        m = fake.messages.get(rid.split("/", 1)[-1])
        if m is None or m["discarded"]:
            return None
        return m["messageAttributes"]["subject"], "sent" if m["sent"] else "draft"

    return Service(Account("dealer", "mykaarma", url + "/communications",
                           username="svc-composer",
                           options={"department_uuid": "d-1", "user_uuid": "u-1"}),
                   fake, False, remote,
                   lambda: {f"{m['customer']}/{k}" for k, m in fake.messages.items()
                            if not m["discarded"] and not m["sent"]},
                   lambda rid, subject: fake.touch(rid.split("/", 1)[-1], subject=subject),
                   "/message/list", "/message")


def _rebilly(start: Starter) -> Service:
    fake = FakeRebilly()
    url = start(fake)

    def remote(rid: str) -> tuple[str, str] | None:
        m = fake.messages.get(rid)
        return None if m is None else (m["subject"], "draft" if m["status"] == "draft"
                                       else "sent")

    return Service(Account("billing", "rebilly", url, address="billing@acme.example",
                           options={"organization_id": "org-acme"}), fake, False, remote,
                   lambda: {k for k, m in fake.messages.items() if m["status"] == "draft"},
                   lambda rid, subject: fake.touch(rid, subject=subject), "/email-messages",
                   "/email-messages")


#: kind -> the builder of its fake and account; the contract suite runs every one
BUILDERS: dict[str, Callable[[Starter], Service]] = {
    "datamotion": _datamotion, "onlyoffice": _onlyoffice, "exante": _exante,
    "mykaarma": _mykaarma, "rebilly": _rebilly,
}
#: the account names of the fakes (one per builder): what the contract suite runs over
NAMES = tuple(SECRETS)
#: kinds tested against real servers instead of a fake here: where their fixtures are
REAL_SERVERS = {"imap": "tests/servers/fixtures.py (Dovecot and an SMTP server on 127.0.0.1)"}


#: the two ways the fakes answer: exactly as sent, or as a normalising server would
MODES = ("exact", "normalising")


@contextmanager
def five_services(mode: str = "exact") -> Iterator[dict[str, Service]]:
    """Start the five fakes on 127.0.0.1 (``mode``: one of ``MODES``); yields account
    name -> Service."""
    with ExitStack() as stack:
        def start(fake: FakeService) -> str:
            fake.normalising = mode == "normalising"
            return stack.enter_context(serve(fake))

        services = [build(start) for build in BUILDERS.values()]
        yield {s.account.name: s for s in services}
