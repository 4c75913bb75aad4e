"""Starting the GUI: QApplication, theme, the core, the window, and what the command
line asked for (a mailto: link, prefilled fields, --smoke-test, --self-test).

One instance per data folder (composer/ui/single_instance.py): a later start hands its
request to the running window and exits 0; macOS open events (composer/ui/file_open.py)
reach the window the same way. Without a display the start fails with one line instead
of Qt's abort.

Imports inside the functions here are for start-up speed: the command line imports this
module for every start, and Qt, the core and the window load only when needed.
composer/ui/wiring.py builds the window and what it works with."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from composer import APP_ID, APP_NAME, APP_SLUG, __version__
from composer.domain.models import Draft
from composer.errors import ComposerError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from composer.ui.file_open import FileOpenFilter
    from composer.ui.main_window import MainWindow
    from composer.ui.single_instance import InstanceServer


def _local_zone() -> str:
    """The system's IANA zone name, for the send-later picker (UTC when unknown)."""
    tz = os.environ.get("TZ", "")
    if tz and "/" in tz:
        return tz.lstrip(":")
    link = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in link:
        return link.split("zoneinfo/", 1)[1]
    from PySide6.QtCore import QTimeZone

    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("utf-8", "replace")
    return name if "/" in name else "UTC"


def launch(args: argparse.Namespace) -> int:
    if getattr(args, "self_test", False):
        from composer.ui.selftest import run_self_test

        return run_self_test()
    from PySide6.QtWidgets import QApplication

    # Qt's own options (-style, -platform, -reverse…), when the command line kept them.
    qt_args = [str(a) for a in getattr(args, "qt_args", None) or []]
    existing = QApplication.instance()
    if existing is None:
        from composer.ui.selftest import new_application, no_display_reason

        reason = None if "-platform" in qt_args else no_display_reason()
        if reason is not None:
            print(f"mail-composer: error: cannot open a window: {reason}", file=sys.stderr)
            return 1
    app = existing or new_application(qt_args)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_SLUG)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    from composer.ui.file_open import install_file_open_filter

    opened = install_file_open_filter(app)  # before anything can deliver an open event
    server = None
    if not args.smoke_test:
        from composer.paths import resolve_paths
        from composer.ui.single_instance import claim_or_forward, request_of, server_name

        name = server_name(resolve_paths(args.data_dir).data_dir)
        server = claim_or_forward(name, request_of(args), app)
        if server is None:
            return 0  # the running window took the request
    try:
        return _run_window(app, args, opened, server)
    finally:  # the next start in this process (tests) starts afresh
        app.removeEventFilter(opened)
        opened.deleteLater()
        if server is not None:
            server.close()
            server.deleteLater()


def _run_window(app: QApplication, args: argparse.Namespace, opened: FileOpenFilter,
                server: InstanceServer | None) -> int:
    # Qt and the window load only once a window is wanted (not for --self-test, a
    # forwarded request or a usage error): start-up speed.
    from composer.app import open_core
    from composer.ui.theme import apply_theme
    from composer.ui.wiring import build_window

    try:
        core = open_core(args.data_dir)
    except ComposerError as exc:
        print(f"mail-composer: error: {exc}", file=sys.stderr)
        return 1
    settings = core.settings_file.load()
    apply_theme(settings.theme)
    from PySide6.QtGui import QIcon

    from composer.resource_paths import resource_path

    app.setWindowIcon(QIcon(str(resource_path("app", "mail-composer.svg"))))
    window = build_window(core.paths, core.settings_file, core.clock, default_tz=_local_zone())
    core.close()  # the window's workers open their own connections
    # After the first frame: sync (its imports, its first pass) and housekeeping on the
    # storage worker (blobs a crash left behind).
    window.first_painted.connect(window.attach_sync)
    window.first_painted.connect(
        lambda: window.bridge.submit(lambda store: store.blobs.collect_garbage()))
    window.show()
    opened.set_handler(lambda link_or_file: open_request(window, {"mailto": link_or_file}))
    if server is not None:
        server.request_received.connect(lambda request: open_request(window, request))
    if core.recovery is not None:
        from PySide6.QtWidgets import QMessageBox

        r = core.recovery
        QMessageBox.warning(
            window, APP_NAME,
            window.tr("The draft database was damaged. It was moved aside (not deleted) to:"
                      "\n%1\n\n%2 drafts were recovered into a fresh database.")
            .replace("%1", str(r.moved_to)).replace("%2", str(r.drafts_recovered)))
    prefill = _prefill(args)
    if prefill is not None or args.attach:
        window.new_draft(prefill, attach=[Path(a).expanduser() for a in args.attach])
    if args.smoke_test:
        return _smoke(app, window)
    return app.exec()


def open_request(window: MainWindow, request: dict[str, object]) -> None:
    """A mailto: link, .eml file or prefilled fields from another start or an open event:
    a new draft in the running window, which comes to the front."""
    from composer.ui.single_instance import request_args

    args = request_args(request)
    prefill = _prefill(args)
    if prefill is not None or args.attach:
        window.new_draft(prefill, attach=[Path(a) for a in args.attach])
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()


def _prefill(args: argparse.Namespace) -> Draft | None:
    if not (args.mailto or args.to or args.cc or args.bcc or args.subject or args.body):
        return None
    from composer.domain.addresses import parse_addresses
    from composer.domain.mailto import parse_mailto
    from composer.domain.models import Address, BodyMode

    to, cc, bcc = list(args.to), list(args.cc), list(args.bcc)
    subject, body = args.subject or "", args.body or ""
    if args.mailto:
        if args.mailto.lower().endswith(".eml") and Path(args.mailto).is_file():
            from composer.domain.eml import MAX_EML_BYTES, eml_to_draft
            from composer.store.files import read_file

            try:
                return eml_to_draft(read_file(Path(args.mailto), MAX_EML_BYTES)).draft
            except ComposerError as exc:
                print(f"mail-composer: error: {exc}", file=sys.stderr)
                return None
        try:
            fields = parse_mailto(args.mailto)
        except ComposerError as exc:
            print(f"mail-composer: error: {exc}", file=sys.stderr)
            return None
        to, cc, bcc = fields.to + to, fields.cc + cc, fields.bcc + bcc
        subject = subject or fields.subject
        body = body or fields.body
    if not (to or cc or bcc or subject or body):
        return None

    def addresses(values: list[str]) -> tuple[Address, ...]:
        out: list[Address] = []
        for value in values:
            out += parse_addresses(value)
        return tuple(out)

    return Draft(to=addresses(to), cc=addresses(cc), bcc=addresses(bcc),
                 subject=" ".join(subject.splitlines()), body_mode=BodyMode.TEXT, text=body)


def _smoke(app: QApplication, window: MainWindow) -> int:
    from PySide6.QtCore import QTimer

    result: list[int] = []

    def paint_and_quit() -> None:
        image = window.grab()
        result.append(0 if not image.isNull() and image.width() > 0 else 1)
        # The moment the first frame exists (benchmarks time it); then a normal shutdown.
        print(f"smoke test: painted {image.width()}x{image.height()}", flush=True)
        window.close()
        app.quit()

    QTimer.singleShot(0, paint_and_quit)
    app.exec()
    return result[0] if result else 1
