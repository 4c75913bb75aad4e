"""Grab the window to PNGs for a look by eye: empty state, a busy draft (12 recipients,
5 attachments, formatted body, send-later), a 300-draft list, light and dark.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py OUT_DIR
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from composer.domain.addresses import parse_addresses
from composer.domain.models import Draft
from composer.paths import resolve_paths
from composer.settings import SettingsFile
from composer.store.drafts import DraftStore
from composer.ui.main_window import MainWindow
from composer.ui.theme import apply_theme


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def dark_palette() -> QPalette:
    p = QPalette()
    for role, color in ((QPalette.ColorRole.Window, "#202124"),
                        (QPalette.ColorRole.WindowText, "#e8eaed"),
                        (QPalette.ColorRole.Base, "#2a2b2e"),
                        (QPalette.ColorRole.AlternateBase, "#35363a"),
                        (QPalette.ColorRole.Text, "#e8eaed"),
                        (QPalette.ColorRole.Button, "#303134"),
                        (QPalette.ColorRole.ButtonText, "#e8eaed"),
                        (QPalette.ColorRole.Highlight, "#8ab4f8"),
                        (QPalette.ColorRole.HighlightedText, "#202124"),
                        (QPalette.ColorRole.PlaceholderText, "#9aa0a6"),
                        (QPalette.ColorRole.Mid, "#5f6368"),
                        (QPalette.ColorRole.Link, "#8ab4f8")):
        p.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#777a80"))
    return p


def shoot(window: MainWindow, path: Path) -> None:
    settle()
    window.grab().save(str(path))
    print(path)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme("system")
    for scheme in ("light", "dark"):
        if scheme == "dark":
            QApplication.setPalette(dark_palette())
        data = Path(tempfile.mkdtemp(prefix=f"shots-{scheme}-"))
        paths = resolve_paths(data)
        paths.ensure()
        window = MainWindow(paths, SettingsFile(paths.settings_file),
                            __import__("composer.domain.models").domain.models.utcnow,
                            default_tz="Europe/Berlin")
        window.resize(1200, 800)
        window.show()
        shoot(window, out / f"{scheme}-empty.png")
        window.close()
        store = DraftStore.open(paths.database)
        for n in range(300):
            store.save(Draft(to=tuple(parse_addresses(f"Person {n} <p{n}@example.org>")),
                             subject=f"Draft number {n}: quarterly planning notes",
                             html=f"<p>Body {n}</p>"))
        blobs = [store.blobs.put_bytes(name, os.urandom(size)) for name, size in (
            ("report.pdf", 2_400_000), ("photo.jpg", 880_000), ("budget.xlsx", 150_000),
            ("notes.txt", 2_000), ("slides.pptx", 6_100_000))]
        recipients = ", ".join(f'"Colleague {n}, Team" <c{n}@example.org>' for n in range(10))
        busy = store.save(Draft(
            to=tuple(parse_addresses(recipients + ", not-an-address, x@example.org")),
            cc=tuple(parse_addresses("boss@example.org")),
            subject="Quarterly report — numbers, slides and photos",
            html="<p>Hello all,</p><p>Here are the <b>numbers</b> and <i>slides</i>:</p>"
                 "<ul><li>Revenue up 12%</li><li>Costs flat</li></ul>"
                 "<p>See <a href='https://example.org/q3'>the dashboard</a>.</p>",
            attachments=tuple(blobs)))
        store.close()
        window = MainWindow(paths, SettingsFile(paths.settings_file),
                            __import__("composer.domain.models").domain.models.utcnow,
                            default_tz="Europe/Berlin")
        window.resize(1200, 800)
        window.show()
        settle(600)
        window.open_draft(busy.id)
        settle(600)
        window.editor.schedule.choose(
            __import__("datetime").datetime(2031, 3, 30, 2, 30), "Europe/Berlin")
        shoot(window, out / f"{scheme}-busy-draft.png")
        window.close()
        QCoreApplication.processEvents()
    app.processEvents()
    os._exit(0)  # skip interpreter teardown of Qt objects (a screenshot script)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/shots"))
