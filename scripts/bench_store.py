"""Benchmark of the draft cache (prints figures; never a pass/fail test).

    python scripts/bench_store.py [--drafts 100000] [--dir DIR]

Fills a cache with realistic drafts (bulk-loaded in one transaction through the same
write path as ``DraftStore.save``), then measures what a user feels: opening, listing,
searching, loading, saving an edit of a 100 KB body, attaching a 32 MB file (time and
peak-memory growth), and exporting an .eml.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from composer.domain.eml import draft_to_eml
from composer.domain.models import Address, BodyMode, Draft, utcnow
from composer.store.db import transaction
from composer.store.drafts import DraftStore

WORDS = (
    "quarterly report budget meeting lunch invoice contract draft review schedule team project "
    "deadline update customer order shipment travel plan holiday proposal agenda minutes offer "
    "design release bug fix server launch hiring feedback"
).split()


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _peak_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def fill(store: DraftStore, count: int, rng: random.Random) -> None:
    now = utcnow()
    with transaction(store.connection):
        for i in range(count):
            to = tuple(Address(f"{rng.choice(WORDS)}{i % 997}@example.org", rng.choice(WORDS))
                       for _ in range(rng.randint(1, 4)))
            body = "".join(f"<p>{_text(rng, 25)}</p>" for _ in range(rng.randint(2, 12)))
            d = Draft(to=to, subject=_text(rng, 5).capitalize(), body_mode=BodyMode.HTML,
                      html=body, revision=1, created_at=now, updated_at=now)
            store._write(d, None, now)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=100_000)
    parser.add_argument("--dir")
    args = parser.parse_args()
    rng = random.Random(1)
    folder = Path(args.dir or tempfile.mkdtemp(prefix="composer-bench-"))
    path = folder / "drafts.sqlite3"
    rows: list[tuple[str, str]] = []
    if not path.exists():
        store = DraftStore.open(path)
        start = time.perf_counter()
        fill(store, args.drafts, rng)
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rows.append(("fill (bulk, not a user action)", f"{time.perf_counter() - start:.1f} s"))
        store.close()
    size = path.stat().st_size / 1e6

    start = time.perf_counter()
    store = DraftStore.open(path)
    store.summaries(limit=100)
    opened = (time.perf_counter() - start) * 1000
    rows.append(("open cache + first list of 100", f"{opened:.1f} ms"))
    lst = timed(lambda: store.summaries(limit=100), 50)
    rows.append(("list newest 100 (median)", f"{statistics.median(lst):.2f} ms"))
    srch = timed(lambda: store.summaries(search=rng.choice(WORDS) + " " + rng.choice(WORDS)), 50)
    rows.append(("full-text search, 2 words (median)", f"{statistics.median(srch):.2f} ms"))
    some = [s.id for s in store.summaries(limit=1000, offset=args.drafts // 2)]
    load = timed(lambda: store.get(rng.choice(some)), 200)
    rows.append(("load one draft (median)", f"{statistics.median(load):.3f} ms"))

    draft = store.get(some[0])
    body = "<p>" + ("x" * 99 + " ") * 1000 + "</p>"  # ~100 KB
    draft = store.save(draft.evolve(html=body))
    saves = []
    for n in range(100):
        start = time.perf_counter()
        draft = store.save(draft.evolve(html=body + f"<p>{n}</p>"))
        saves.append((time.perf_counter() - start) * 1000)
    saves.sort()
    rows.append(("save one edit, 100 KB body (median / p95)",
                 f"{statistics.median(saves):.2f} / {saves[94]:.2f} ms"))

    big = folder / "big.bin"
    with big.open("wb") as f:
        for _ in range(32):
            f.write(os.urandom(1 << 20))
    _reset_peak()
    base = _peak_kb()
    start = time.perf_counter()
    draft = store.attach_file(draft.id, big)
    took = time.perf_counter() - start
    growth = (_peak_kb() - base) / 1024
    rows.append(("attach a 32 MB file", f"{took * 1000:.0f} ms, peak RSS +{growth:.1f} MB"))
    start = time.perf_counter()
    data = draft_to_eml(draft, store.blobs.read_bytes)
    rows.append(("export one .eml (with the 32 MB file)",
                 f"{(time.perf_counter() - start) * 1000:.0f} ms ({len(data) / 1e6:.1f} MB)"))
    small = store.get(some[1])
    ex = timed(lambda: draft_to_eml(small, store.blobs.read_bytes), 20)
    rows.append(("export one .eml (typical draft, median)", f"{statistics.median(ex):.2f} ms"))
    store.close()

    print(f"drafts: {args.drafts:,}  database: {size:.0f} MB  python {sys.version.split()[0]}")
    width = max(len(r[0]) for r in rows)
    print(f"| {'operation'.ljust(width)} | result |")
    print(f"| {'-' * width} | ------ |")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")


if __name__ == "__main__":
    main()
