"""Sync benchmarks against a fake over loopback (figures printed; never a pass/fail test).

    python scripts/bench_sync.py [--drafts 1000]

- push N drafts through the engine (outbox, adapter, sync-state bookkeeping) to the
  Exante fake, as a ratio against a bare httpx loop sending the same create requests to
  the same server (1.0 = no overhead; target >= 0.8);
- push one draft with a 32 MB attachment: time and peak memory growth.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "tests.memory_keyring.MemoryKeyring")

import httpx  # noqa: E402

from composer.domain.addresses import parse_addresses  # noqa: E402
from composer.domain.models import Draft, utcnow  # noqa: E402
from composer.secrets import SecretStore  # noqa: E402
from composer.settings import Settings, SettingsFile  # noqa: E402
from composer.store.drafts import DraftStore  # noqa: E402
from composer.sync.adapters.exante import ExanteAdapter  # noqa: E402
from composer.sync.engine import SyncEngine  # noqa: E402
from composer.sync.http import make_client  # noqa: E402
from composer.sync.service import AdapterPool  # noqa: E402
from tests.fakes.base import serve  # noqa: E402
from tests.fakes.exante import FakeExante  # noqa: E402
from tests.sync.services import five_services  # noqa: E402


def peak_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=1000)
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with five_services() as services:
        exante = services["work"]
        folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
        settings = SettingsFile(folder / "settings.json")
        settings.save(Settings(accounts=(exante.account,)))
        SecretStore().set("work", "ex_live_testkey")
        store = DraftStore.open(folder / "drafts.sqlite3")
        drafts = [Draft(account="work", to=tuple(parse_addresses("bob@x.example")),
                        subject=f"Draft {n}", html=f"<p>Body {n} " + "words " * 40 + "</p>")
                  for n in range(args.drafts)]
        for d in drafts:
            store.save(d)
        adapter = ExanteAdapter(exante.account, "ex_live_testkey",
                                make_client(exante.account.base_url), utcnow)
        bodies = [adapter._fields(d, None) | {"from_account_id": exante.account.options[
            "from_account_id"]} for d in drafts]
        adapter.close()
        # The bare loop: the same requests, one client, nothing else.
        with httpx.Client(base_url=exante.account.base_url + "/",
                          headers={"Authorization": "Bearer ex_live_testkey"}) as client:
            start = time.perf_counter()
            for body in bodies:
                client.post("api/email/drafts", json=body).raise_for_status()
            bare = time.perf_counter() - start
        exante.fake.drafts.clear()  # type: ignore[attr-defined]
        pool = AdapterPool(settings, SecretStore(), utcnow)
        engine = SyncEngine(store, pool, utcnow, random.Random(1))
        start = time.perf_counter()
        report = engine.run_once()
        ours = time.perf_counter() - start
        pool.close()
        assert report.pushed == args.drafts, report
        rows.append((f"push {args.drafts:,} drafts to the Exante fake (engine vs bare httpx)",
                     f"{ours:.2f} s vs {bare:.2f} s = {bare / ours:.2f} (throughput ratio)"))
        store.close()

    with serve(FakeExante()) as url:
        from composer.domain.accounts import Account

        folder = Path(tempfile.mkdtemp(prefix="bench-sync-big-"))
        store = DraftStore.open(folder / "drafts.sqlite3")
        big = folder / "video.bin"
        with big.open("wb") as f:
            for _ in range(32):
                f.write(os.urandom(1 << 20))
        draft = store.save(Draft(account="work", to=tuple(parse_addresses("bob@x.example")),
                                 subject="big"))
        draft = store.attach_file(draft.id, big)
        account = Account("work", "exante", url, options={
            "from_account_id": "7d1f0a52-8a43-4c4e-9a57-1b2f4b8e9c01"})
        adapter = ExanteAdapter(account, "ex_live_testkey", make_client(url), utcnow)
        reset_peak()
        base = peak_kb()
        start = time.perf_counter()
        adapter.create(draft, store.blobs, draft.id)
        took = time.perf_counter() - start
        growth = (peak_kb() - base) / 1024
        adapter.close()
        store.close()
        rows.append(("push one draft with a 32 MB attachment (inline base64, Exante)",
                     f"{took:.2f} s, peak RSS +{growth:.0f} MB (client and fake server in "
                     "one process)"))
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure'.ljust(width)} | result |")
    print(f"| {'-' * width} | ------ |")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")


if __name__ == "__main__":
    main()
