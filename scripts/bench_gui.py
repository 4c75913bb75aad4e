"""GUI benchmarks (figures printed; never a pass/fail test).

    QT_QPA_PLATFORM=offscreen python scripts/bench_gui.py [--cache DIR_WITH_100K_DRAFTS]

- cold start of ``mail-composer --smoke-test`` against a bare PySide6 window doing the
  same (show, paint once, quit), interleaved runs, median ratio: to the first frame (the
  "painted" line both print) and to process exit;
- GUI-thread time per autosave (the editor snapshot; the save runs on the worker) for
  10 KB, 100 KB and 1 MB bodies;
- opening a draft from a 100,000-draft cache, and peak memory with the window open.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1100, 720); w.show(); image = w.grab()
print(f"smoke test: painted {image.width()}x{image.height()}", flush=True)
w.close(); app.quit()
"""


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from launch to the "painted" line (the first frame) and to exit."""
    start = time.perf_counter()
    with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True) as child:
        assert child.stdout is not None
        line = child.stdout.readline()
        painted = time.perf_counter() - start
        child.stdout.read()
        if child.wait() != 0 or not line.startswith("smoke test: painted"):
            raise SystemExit(f"{argv[:3]} failed: {line!r}")
    return painted, time.perf_counter() - start


def cold_start(runs: int) -> dict[str, tuple[float, float]]:
    """Medians (first frame, exit) of interleaved runs: ours and the bare window."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    data = tempfile.mkdtemp(prefix="bench-start-")
    runs_of: dict[str, list[tuple[float, float]]] = {"ours": [], "bare": []}
    for _ in range(runs):
        runs_of["ours"].append(_timed(
            [sys.executable, "-m", "composer", "--data-dir", data, "--smoke-test"], env))
        runs_of["bare"].append(_timed([sys.executable, "-c", BARE], env))
    return {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v))
            for k, v in runs_of.items()}


def peak_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", help="a folder holding drafts.sqlite3 with many drafts "
                        "(from scripts/bench_store.py --dir)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    starts = cold_start(args.runs)
    (ours_frame, ours_exit), (bare_frame, bare_exit) = starts["ours"], starts["bare"]
    rows.append(("cold start to the first frame, --smoke-test vs bare PySide6 window",
                 f"{ours_frame * 1000:.0f} ms vs {bare_frame * 1000:.0f} ms = "
                 f"{ours_frame / bare_frame:.2f}x"))
    rows.append(("the same runs to process exit",
                 f"{ours_exit * 1000:.0f} ms vs {bare_exit * 1000:.0f} ms = "
                 f"{ours_exit / bare_exit:.2f}x"))

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from composer.domain.models import Draft, utcnow
    from composer.paths import Paths
    from composer.settings import SettingsFile
    from composer.store.drafts import DraftStore
    from composer.ui.wiring import build_window

    app = QApplication.instance() or QApplication(sys.argv[:1])

    def settle(until: object, limit: float = 30.0) -> float:
        start = time.perf_counter()
        while not until():  # type: ignore[operator]
            loop = QEventLoop()
            QTimer.singleShot(1, loop.quit)
            loop.exec()
            if time.perf_counter() - start > limit:
                raise TimeoutError
        return time.perf_counter() - start

    if args.cache:
        folder = Path(args.cache)
        paths = Paths(folder, folder / "config", folder / "logs")
    else:
        folder = Path(tempfile.mkdtemp(prefix="bench-gui-"))
        paths = Paths(folder, folder / "config", folder / "logs")
    paths.ensure()
    store = DraftStore.open(paths.database)
    count = store.count()
    target = store.summaries(limit=1, offset=count // 2)[0].id if count > 1 else \
        store.save(Draft(subject="bench")).id
    store.close()
    window = build_window(paths, SettingsFile(paths.settings_file), utcnow)
    window.resize(1100, 720)
    window.show()
    settle(lambda: window.editor.draft is not None)
    opens = []
    for _ in range(5):
        window.open_draft(window.editor.draft.id if False else target)  # type: ignore[union-attr]
        start = time.perf_counter()
        window.editor.clear()
        opens.append(settle(lambda: window.editor.draft is not None) * 1000)
        del start
    rows.append((f"open a draft from a {count:,}-draft cache (median, worker + widgets)",
                 f"{statistics.median(opens):.1f} ms"))

    for label, size in (("10 KB", 10_000), ("100 KB", 100_000), ("1 MB", 1_000_000)):
        paragraph = "<p>" + "word " * 19 + "</p>"
        html = paragraph * (size // len(paragraph))
        window.editor.rich.set_safe_html(html)
        gui_seconds: list[float] = []
        for _ in range(30):
            window.editor.rich.insertPlainText("x")
            # The GUI thread's part of an autosave: the editor's snapshot and the hand-off
            # to the storage worker (the save itself runs there).
            started = time.perf_counter()
            window.autosaver.save_now()
            gui_seconds.append(time.perf_counter() - started)
            settle(lambda: window.autosaver.in_flight == 0)
        samples = sorted(s * 1000 for s in gui_seconds)
        p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
        rows.append((f"GUI-thread time per autosave, {label} body (median / p99)",
                     f"{statistics.median(samples):.2f} / {p99:.2f} ms"))
    rows.append(("peak memory with the window open (VmHWM, whole process)",
                 f"{peak_kb() / 1024:.0f} MB"))
    window.close()
    app.processEvents()
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure'.ljust(width)} | result |")
    print(f"| {'-' * width} | ------ |")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
