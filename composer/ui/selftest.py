"""``mail-composer --self-test``: can this installation do its job? (Used on frozen builds.)

Checks, each printed as one line: every service adapter imports; a draft database can be
created, written, searched and read in a temporary folder; the keychain backend is usable
(or says plainly that it is not); Qt loads with its platform plugin and SVG icons render.
Exit status 0 only when everything but the keychain passed (a missing keychain is a
warning: the app works offline without one).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def _check_adapters() -> str:
    from composer.sync.adapters import KINDS, adapter_class

    for kind in KINDS:
        adapter_class(kind)
    return ", ".join(KINDS)


def _check_database() -> str:
    from composer.domain.addresses import parse_addresses
    from composer.domain.models import Draft
    from composer.store.drafts import DraftStore

    with tempfile.TemporaryDirectory(prefix="mail-composer-selftest-") as folder:
        store = DraftStore.open(Path(folder) / "selftest.sqlite3")
        try:
            saved = store.save(Draft(to=tuple(parse_addresses("self@test.example")),
                                     subject="self-test", text="hello"))
            assert store.get(saved.id) == saved
            assert [s.id for s in store.list(search="self")] == [saved.id]
            assert store.integrity_ok()
            version = store.connection.execute("select sqlite_version()").fetchone()[0]
        finally:
            store.close()
    return f"SQLite {version}, WAL, FTS5"


def _check_keyring() -> str:
    from composer.secrets import SecretStore

    store = SecretStore()
    name = store.backend_name()
    store.get("__mail-composer-self-test__")
    return name


def _check_qt() -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(["mail-composer"])
    platform = QGuiApplication.platformName()
    from composer.resource_paths import resource_path

    icon = resource_path("app", "mail-composer.svg")
    renderer = QSvgRenderer(QByteArray(icon.read_bytes()))
    if not renderer.isValid():
        raise RuntimeError("the SVG renderer cannot read the app icon")
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return f"PySide6 {pyside_version}, platform {platform}, {type(app).__name__}"


def run_self_test(out: TextIO = sys.stdout) -> int:
    checks: list[tuple[str, Callable[[], str], bool]] = [
        ("adapters", _check_adapters, True),
        ("database", _check_database, True),
        ("keychain", _check_keyring, False),
        ("qt", _check_qt, True),
    ]
    failed = False
    from composer import __version__

    print(f"mail-composer {__version__} self-test", file=out)
    for name, check, required in checks:
        try:
            detail = check()
        except Exception as exc:  # report every failure, never a traceback
            status = "FAIL" if required else "WARN"
            failed = failed or required
            print(f"  {status} {name}: {type(exc).__name__}: {exc}", file=out)
        else:
            print(f"  ok   {name}: {detail}", file=out)
    print("self-test " + ("FAILED" if failed else "passed"), file=out)
    return 1 if failed else 0
