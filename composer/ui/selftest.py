"""``mail-composer --self-test``: can this installation do its job? (Used on frozen builds.)

Checks, each printed as one line: every service adapter imports; a draft database can be
created, written, searched and read in a temporary folder; the keychain backend is usable
(or says plainly that it is not); Qt loads with its platform plugin and SVG icons render;
a rich-text document with inline JPEG, GIF, WebP and SVG images draws each of them (the
image plugins a frozen build must keep). Exit status 0 only when everything but the
keychain passed (a missing keychain is a warning: the app works offline without one).

Without a display (no DISPLAY / WAYLAND_DISPLAY on Linux and no QT_QPA_PLATFORM that needs
none), Qt would abort the process (SIGABRT, exit 134): ``no_display_reason`` says so first.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

# Platform plugins that need no display server.
_HEADLESS_PLATFORMS = {"offscreen", "minimal", "vnc", "linuxfb", "eglfs", "vkkhrdisplay",
                       "minimalegl"}


def no_display_reason(env: Mapping[str, str] | None = None,
                      system: str | None = None) -> str | None:
    """Why Qt cannot open a window here (one line), or None when it can try.

    Only Linux and the other X11/Wayland systems can lack a display; Windows and macOS
    always have their own platform plugin."""
    env = os.environ if env is None else env
    system = sys.platform if system is None else system
    if system.startswith(("win", "darwin", "cygwin")):
        return None
    wanted = [p.strip().split(":", 1)[0] for p in env.get("QT_QPA_PLATFORM", "").split(";")
              if p.strip()]
    if any(p in _HEADLESS_PLATFORMS for p in wanted):
        return None
    x11, wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    if not wanted and (x11 or wayland):
        return None
    if any((p == "xcb" and x11) or (p.startswith("wayland") and wayland) for p in wanted):
        return None
    if wanted:
        return (f"no display for Qt's platform {';'.join(wanted)} (DISPLAY and "
                "WAYLAND_DISPLAY are not set)")
    return ("no display: neither DISPLAY nor WAYLAND_DISPLAY is set (start it in a desktop "
            "session, or set QT_QPA_PLATFORM=offscreen to check without one)")


def new_application(qt_args: list[str] | None = None) -> object:
    """QApplication, with Qt's fatal start errors (no platform plugin could be loaded: a
    system library missing, the display unreachable) as one line and exit status 1
    instead of an abort; Qt's messages before it are part of that line."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    said: list[str] = []

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if kind == QtMsgType.QtFatalMsg:
            first = (message.strip().splitlines() or ["Qt could not start"])[0]
            details = "; ".join(m.strip() for m in said if m.strip())
            print(f"mail-composer: error: cannot open a window: {first}"
                  + (f" ({details})" if details else ""), file=sys.stderr, flush=True)
            os._exit(1)  # Qt aborts once this handler returns
        said.append(message)

    previous = qInstallMessageHandler(handler)
    try:
        app = QApplication([*sys.argv[:1], *(qt_args or [])])
    finally:
        qInstallMessageHandler(previous)
    for message in said:  # what Qt said on a start that worked goes where it would have
        print(message, file=sys.stderr)
    return app


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
            assert [s.id for s in store.summaries(search="self")] == [saved.id]
            assert store.integrity_ok()
            version = store.sqlite_version()
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
    reason = no_display_reason()
    if reason is not None:
        raise RuntimeError(reason)
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


# 8x8 solid images, one per format a pasted or imported draft may carry inline.
_SAMPLES = {
    "jpeg": ("#d02020", "/9j/4AAQSkZJRgABAQEAYABgAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoM"
             "DAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQU"
             "FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wAARCAAIAAgDASIAAhEB"
             "AxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQID"
             "AAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdI"
             "SUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5"
             "usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAA"
             "AAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHB"
             "CSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3"
             "eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk"
             "5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDwyiiivy8/us//2Q=="),
    "gif": ("#2020d0", "R0lGODlhCAAIAIAAACAg0AAAACwAAAAACAAIAAACJQQIECBAgAABAgQIECBAgAABAgQIECBA"
            "gAABAgQIECBAgAABAgUAOw=="),
    "webp": ("#20a020", "UklGRjoAAABXRUJQVlA4IC4AAADQAQCdASoIAAgAAUAmJaACdLoB+AADsAD+645f/NgQM0Pp"
             "g/9NI8aR40j5TQAA"),
    "svg+xml": ("#e0a000", "PHN2ZyB4bWxucz0naHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmcnIHdpZHRoPSc4"
                "JyBoZWlnaHQ9JzgnPjxyZWN0IHdpZHRoPSc4JyBoZWlnaHQ9JzgnIGZpbGw9JyNlMGEwMDAnLz48L3N2"
                "Zz4="),
}


def _check_images() -> str:
    """Draw a draft body with each inline format through the editor's document and find
    every image's colour in the result (a missing image plugin leaves a blank)."""
    from PySide6.QtCore import QSizeF, Qt
    from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter

    from composer.ui.widgets.body_editor import SafeDocument

    QGuiApplication.instance() or QGuiApplication(["mail-composer"])
    html = "".join(f'<img src="data:image/{fmt};base64,{data}" width="8" height="8"> '
                   for fmt, (_, data) in _SAMPLES.items())
    document = SafeDocument()
    document.setHtml(f"<p>{html}</p>")
    document.setPageSize(QSizeF(400, 100))
    canvas = QImage(400, 100, QImage.Format.Format_RGB32)
    canvas.fill(Qt.GlobalColor.white)
    painter = QPainter(canvas)
    document.drawContents(painter)
    painter.end()
    colours = {canvas.pixelColor(x, y).rgb() for x in range(0, 400) for y in range(0, 40)}
    missing = []
    for fmt, (colour, _) in _SAMPLES.items():
        want = QColor(colour)
        if not any(abs(QColor(c).red() - want.red()) <= 24
                   and abs(QColor(c).green() - want.green()) <= 24
                   and abs(QColor(c).blue() - want.blue()) <= 24 for c in colours):
            missing.append(fmt)
    if missing:
        raise RuntimeError("not drawn (image plugin missing?): " + ", ".join(missing))
    return ", ".join(f.split("+")[0] for f in _SAMPLES)


def run_self_test(out: TextIO = sys.stdout) -> int:
    checks: list[tuple[str, Callable[[], str], bool]] = [
        ("adapters", _check_adapters, True),
        ("database", _check_database, True),
        ("keychain", _check_keyring, False),
        ("qt", _check_qt, True),
        ("images", _check_images, True),
    ]
    failed = False
    from composer import __version__

    if no_display_reason() is not None:  # Qt would abort: skip what needs it
        checks = [c for c in checks if c[0] != "images"]

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
