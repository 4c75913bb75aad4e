"""GUI benchmarks (figures printed; never a pass/fail test).

    QT_QPA_PLATFORM=offscreen python scripts/bench_gui.py [--cache DIR_WITH_100K_DRAFTS]

- cold start of ``mail-composer --smoke-test`` against a bare PySide6 window doing the
  same (show, paint once, quit), interleaved runs, median ratio;
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
w = QMainWindow(); w.resize(1100, 720); w.show(); w.grab(); w.close(); app.quit()
"""


def cold_start(runs: int) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    data = tempfile.mkdtemp(prefix="bench-start-")
    ours, bare = [], []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "composer", "--data-dir", data, "--smoke-test"],
                       check=True, env=env, capture_output=True)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", BARE], check=True, env=env, capture_output=True)
        bare.append(time.perf_counter() - start)
    return statistics.median(ours), statistics.median(bare)


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
    ours, bare = cold_start(args.runs)
    rows.append(("cold start, --smoke-test vs bare PySide6 window (median)",
                 f"{ours * 1000:.0f} ms vs {bare * 1000:.0f} ms = {ours / bare:.2f}x"))

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from composer.domain.models import Draft, utcnow
    from composer.paths import Paths
    from composer.settings import SettingsFile
    from composer.store.drafts import DraftStore
    from composer.ui.main_window import MainWindow

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
    target = store.list(limit=1, offset=count // 2)[0].id if count > 1 else \
        store.save(Draft(subject="bench")).id
    store.close()
    window = MainWindow(paths, SettingsFile(paths.settings_file), utcnow)
    window.resize(1100, 720)
    window.show()
    settle(lambda: window.editor.draft is not None)
    opens = []
    for _ in range(5):
        window.open_draft(window.editor.draft.id if False else target)  # type: ignore[union-attr]
        start = time.perf_counter()
        window.editor._draft = None
        opens.append(settle(lambda: window.editor.draft is not None) * 1000)
        del start
    rows.append((f"open a draft from a {count:,}-draft cache (median, worker + widgets)",
                 f"{statistics.median(opens):.1f} ms"))

    for label, size in (("10 KB", 10_000), ("100 KB", 100_000), ("1 MB", 1_000_000)):
        paragraph = "<p>" + "word " * 19 + "</p>"
        html = paragraph * (size // len(paragraph))
        window.editor.rich.set_safe_html(html)
        window.autosaver.gui_seconds.clear()
        for _ in range(30):
            window.editor.rich.insertPlainText("x")
            window.autosaver.save_now()
            settle(lambda: window.autosaver.in_flight == 0)
        samples = sorted(s * 1000 for s in window.autosaver.gui_seconds)
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
