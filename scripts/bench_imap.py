"""IMAP benchmark against a real Dovecot on loopback (figures printed; never a test).

    python scripts/bench_imap.py [--drafts 1000] [--runs 3]

Pushes N drafts through the engine (outbox, sync-state bookkeeping, the .eml built from
each draft, IMAPS to Dovecot's Drafts folder: a backlog of new drafts goes in MULTIAPPEND
commands of up to 32) against two bare imapclient loops over one connection to a fresh
mailbox of the same server, sending the same messages (built before the clock starts):
one APPEND per message (what the issue's bar names), and MULTIAPPEND in the engine's
batches of 32 (the same protocol work, so what is left is the engine's own cost). Runs
alternate; a ratio is bare time / engine time (1.0 = no overhead; target >= 0.8 against
the APPEND loop). Needs Dovecot (apt-get install dovecot-imapd).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from imapclient import IMAPClient  # noqa: E402

from composer.domain.accounts import Account  # noqa: E402
from composer.domain.addresses import parse_addresses  # noqa: E402
from composer.domain.models import Draft  # noqa: E402
from composer.store.drafts import DraftStore  # noqa: E402
from composer.sync.adapters.base import RemoteRef  # noqa: E402
from composer.sync.adapters.imap import ImapAdapter  # noqa: E402
from composer.sync.engine import SyncEngine  # noqa: E402
from composer.sync.errors import SyncError  # noqa: E402
from tests.servers.dovecot import SKIP_REASON, Dovecot, TestCertificate  # noqa: E402


def now() -> datetime:
    return datetime.now(UTC)


def drafts(count: int) -> list[Draft]:
    return [Draft(account="mail", to=tuple(parse_addresses("bob@x.example")),
                  subject=f"Draft {n}", html=f"<p>Body {n} " + "words " * 40 + "</p>")
            for n in range(count)]


class TimedAdapter(ImapAdapter):
    """Where the engine's time goes: building the .eml, and the whole create."""

    building = 0.0
    creating = 0.0

    def _message(self, *args: Any, **kwargs: Any) -> bytes:
        start = time.perf_counter()
        try:
            return super()._message(*args, **kwargs)
        finally:
            TimedAdapter.building += time.perf_counter() - start

    def create(self, *args: Any, **kwargs: Any) -> RemoteRef:
        start = time.perf_counter()
        try:
            return super().create(*args, **kwargs)
        finally:
            TimedAdapter.creating += time.perf_counter() - start

    def create_many(self, *args: Any, **kwargs: Any) -> list[RemoteRef | SyncError]:
        start = time.perf_counter()
        try:
            return super().create_many(*args, **kwargs)
        finally:
            TimedAdapter.creating += time.perf_counter() - start


def engine_run(dovecot: Dovecot, cert: TestCertificate, count: int) -> float:
    user = dovecot.add_user()
    folder = Path(tempfile.mkdtemp(prefix="bench-imap-"))
    store = DraftStore.open(folder / "drafts.sqlite3")
    try:
        for d in drafts(count):
            store.save(d)
        account = Account("mail", "imap", "", username=user.name, address="me@x.example",
                          options={"imap_host": "127.0.0.1",
                                   "imap_port": str(dovecot.imaps_port),
                                   "smtp_host": "127.0.0.1"})
        adapter = TimedAdapter(account, user.password, None, now,
                               ssl_context=cert.context())
        engine = SyncEngine(store, lambda name: adapter, now, random.Random(1))
        engine.start()
        start = time.perf_counter()
        report = engine.run_once()
        took = time.perf_counter() - start
        adapter.close()
        assert report.pushed == count and report.clean, report
        return took
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


def bare_run(dovecot: Dovecot, cert: TestCertificate, messages: list[bytes], *,
             together: int = 1) -> float:
    user = dovecot.add_user()
    client = IMAPClient("127.0.0.1", port=dovecot.imaps_port, ssl=True,
                        ssl_context=cert.context())
    client.login(user.name, user.password)
    client.create_folder("Drafts")
    client.select_folder("Drafts")
    start = time.perf_counter()
    if together == 1:
        for data in messages:
            client.append("Drafts", data, flags=(b"\\Draft",))
    else:
        for first in range(0, len(messages), together):
            client.multiappend("Drafts", [{"msg": data, "flags": (b"\\Draft",)}
                                          for data in messages[first:first + together]])
    took = time.perf_counter() - start
    client.logout()
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if SKIP_REASON:
        sys.exit(SKIP_REASON)
    cert_dir = Path(tempfile.mkdtemp(prefix="bench-imap-cert-"))
    cert = TestCertificate.make(cert_dir)
    dovecot = Dovecot(cert)
    dovecot.start()
    try:
        # The bare loop sends what the engine sends: the same .eml, built beforehand.
        builder = ImapAdapter(Account("mail", "imap", "", address="me@x.example"), "", None,
                              now)

        class _NoFiles:
            def read_bytes(self, sha256: str) -> bytes:
                raise KeyError(sha256)

        messages = [builder._message(d, _NoFiles(), d.id)  # type: ignore[arg-type]
                    for d in drafts(args.drafts)]
        ours: list[float] = []
        bare: list[float] = []
        bare_multi: list[float] = []
        for _ in range(args.runs):
            bare.append(bare_run(dovecot, cert, messages))
            ours.append(engine_run(dovecot, cert, args.drafts))
            bare_multi.append(bare_run(dovecot, cert, messages,
                                       together=SyncEngine.BATCH_SIZE))
    finally:
        dovecot.close()
        shutil.rmtree(cert_dir, ignore_errors=True)
    engine_s = statistics.median(ours)
    print("| measure | result |\n| --- | --- |")
    for label, times in (("bare imapclient APPEND loop", bare),
                         (f"bare imapclient MULTIAPPEND loop ({SyncEngine.BATCH_SIZE} a "
                          "command)", bare_multi)):
        ratios = [b / o for b, o in zip(times, ours, strict=True)]
        bare_s = statistics.median(times)
        print(f"| push {args.drafts:,} drafts to Dovecot (IMAPS): engine vs {label}, "
              f"{args.runs} runs | median {engine_s:.2f} s vs {bare_s:.2f} s = "
              f"{bare_s / engine_s:.2f} (runs: {', '.join(f'{r:.2f}' for r in ratios)}) |")
    total = sum(ours)
    per = 1000 / (args.drafts * args.runs)
    print(f"| where the engine's time went (all runs, per draft) | building the .eml "
          f"{TimedAdapter.building * per:.2f} ms, storing "
          f"{(TimedAdapter.creating - TimedAdapter.building) * per:.2f} ms (bare loops: "
          f"APPEND {sum(bare) * per:.2f} ms, MULTIAPPEND {sum(bare_multi) * per:.2f} ms), "
          f"engine and draft cache {(total - TimedAdapter.creating) * per:.2f} ms |")


if __name__ == "__main__":
    main()
