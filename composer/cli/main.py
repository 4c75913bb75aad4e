"""The command line: GUI launch, and headless ``draft`` / ``account`` / ``sync`` commands.

Errors: one clear line on stderr, ``mail-composer: error: ...``, and a non-zero exit
(1 for a refused action, 2 for a usage error); nothing is changed by a command that
fails. Whatever escapes a command (an OSError, a database error, undecodable text, a
number too large, nesting too deep ...) is mapped to such a line here, at the boundary,
with the details in the log file: the command line never shows a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from composer import __version__
from composer.domain.services import KINDS
from composer.errors import ComposerError

log = logging.getLogger(__name__)

HEADLESS = {"draft", "account", "sync"}
PREFIX = "mail-composer: error:"
#: Arguments that name files: any bytes the file system allows (undecodable ones arrive
#: as surrogate escapes and go back to the OS unchanged). Every other argument is text
#: that gets stored or shown, and must be valid UTF-8.
PATH_ARGUMENTS = {"data_dir", "attach", "eml", "path"}
MAX_LIMIT = 1_000_000
MAX_REVISION = 2**62


class UsageError(Exception):
    """The command line's words are off: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        where = self.prog.removeprefix("mail-composer").strip()
        raise UsageError(f"{where}: {message}" if where else message)


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a decimal integer in [low, high] (no 10,000-digit numbers)."""

    def parse(text: str) -> int:
        value = text.strip()
        if not value.lstrip("+-").isdigit() or len(value) > 24 or not value.isascii():
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number")
        number = int(value)
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{number} is not between {low} and {high}")
        return number

    return parse


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR", help="keep drafts and settings in DIR")


def _draft_fields(p: argparse.ArgumentParser, *, edit: bool) -> None:
    p.add_argument("--account", metavar="NAME", help="the account to sync through "
                   "('none' for this computer only)" if edit else "the account to sync through")
    p.add_argument("--from", dest="from_addr", metavar="ADDR")
    for name in ("to", "cc", "bcc"):
        p.add_argument(f"--{name}", action="append", default=[], metavar="ADDR",
                       help="one address or a pasted list; repeatable")
    p.add_argument("--subject")
    body = p.add_mutually_exclusive_group()
    body.add_argument("--html", metavar="HTML", help="HTML body ('-' reads standard input)")
    body.add_argument("--text", metavar="TEXT", help="plain-text body ('-' reads standard input)")
    p.add_argument("--attach", action="append", default=[], metavar="FILE")
    p.add_argument("--send-at", metavar="ISO8601", help="send-later time ('none' clears)"
                   if edit else "send-later time")
    p.add_argument("--tz", metavar="IANA", help="time zone of --send-at (e.g. Europe/Berlin)")
    p.add_argument("--context", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--importance", choices=["low", "normal", "high"])


def build_headless_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mail-composer", description="Mail Composer command line")
    _common(parser)
    sub = parser.add_subparsers(dest="command", required=True)

    draft = sub.add_parser("draft", help="create, edit, list and move drafts")
    dsub = draft.add_subparsers(dest="action", required=True)
    new = dsub.add_parser("new", help="create a draft; prints its id")
    _draft_fields(new, edit=False)
    edit = dsub.add_parser("edit", help="change a draft")
    edit.add_argument("id")
    _draft_fields(edit, edit=True)
    edit.add_argument("--remove-attachment", action="append", default=[], metavar="NAME")
    lst = dsub.add_parser("list", help="list drafts, newest first")
    lst.add_argument("--json", action="store_true")
    lst.add_argument("--search", metavar="QUERY")
    lst.add_argument("--limit", type=bounded_int(1, MAX_LIMIT), default=100)
    lst.add_argument("--deleted", action="store_true", help="list deleted drafts instead")
    show = dsub.add_parser("show", help="show one draft")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    hist = dsub.add_parser("history", help="list a draft's saved versions")
    hist.add_argument("id")
    hist.add_argument("--json", action="store_true")
    rest = dsub.add_parser("restore", help="make an older version current again")
    rest.add_argument("id")
    rest.add_argument("revision", type=bounded_int(1, MAX_REVISION))
    exp = dsub.add_parser("export", help="write a draft as an .eml file")
    exp.add_argument("id")
    exp.add_argument("--eml", required=True, metavar="PATH")
    imp = dsub.add_parser("import", help="read an .eml file as a new draft; prints its id")
    imp.add_argument("path")
    dele = dsub.add_parser("delete", help="delete a draft (restorable with 'undelete')")
    dele.add_argument("id")
    und = dsub.add_parser("undelete", help="bring back a deleted draft")
    und.add_argument("id")
    send = dsub.add_parser("send", help="queue a draft to be sent by its account")
    send.add_argument("id")

    account = sub.add_parser("account", help="accounts of the five services")
    asub = account.add_subparsers(dest="action", required=True)
    add = asub.add_parser("add", help="add or replace an account")
    add.add_argument("name")
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument("--base-url", default="", metavar="URL",
                     help="the service's address (every kind but imap)")
    add.add_argument("--username", default="")
    add.add_argument("--address", default="", metavar="EMAIL")
    add.add_argument("--secret-stdin", action="store_true",
                     help="read the password or API key from standard input")
    add.add_argument("--option", action="append", default=[], metavar="KEY=VALUE")
    imap = add.add_argument_group("imap accounts (defaults from the address's domain)")
    for flag, meta in (("imap-host", "HOST"), ("imap-port", "PORT"), ("smtp-host", "HOST"),
                       ("smtp-port", "PORT"), ("display-name", "NAME")):
        imap.add_argument(f"--{flag}", metavar=meta)
    imap.add_argument("--imap-security", choices=["tls", "starttls"],
                      help="tls (993, the default) or starttls (143)")
    imap.add_argument("--smtp-security", choices=["tls", "starttls"],
                      help="tls (465) or starttls (587, the default)")
    imap.add_argument("--save-sent", choices=["yes", "no"],
                      help="keep a copy of sent messages in the Sent folder (default yes)")
    alist = asub.add_parser("list")
    alist.add_argument("--json", action="store_true")
    arem = asub.add_parser("remove")
    arem.add_argument("name")
    atest = asub.add_parser("test")
    atest.add_argument("name")

    sync = sub.add_parser("sync", help="push waiting changes once")
    sync.add_argument("--account", metavar="NAME")
    return parser


def build_gui_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mail-composer", description="Mail Composer: write email drafts.")
    _common(parser)
    parser.add_argument("--version", action="version", version=f"mail-composer {__version__}")
    parser.add_argument("--smoke-test", action="store_true",
                        help="start, show and paint the main window once, then exit")
    parser.add_argument("--self-test", action="store_true",
                        help="check adapters, database and keychain; print a report")
    parser.add_argument("mailto", nargs="?", help="a mailto: link to open as a new draft")
    parser.add_argument("--to", action="append", default=[], metavar="ADDR")
    parser.add_argument("--cc", action="append", default=[], metavar="ADDR")
    parser.add_argument("--bcc", action="append", default=[], metavar="ADDR")
    parser.add_argument("--subject")
    parser.add_argument("--body")
    parser.add_argument("--attach", action="append", default=[], metavar="FILE")
    return parser


def _first_word(argv: Sequence[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--data-dir":
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m composer`` and the ``mail-composer`` command."""
    return run(sys.argv[1:] if argv is None else argv)


def run(argv: Sequence[str]) -> int:
    """The process boundary: parse, dispatch, and turn every failure into one line."""
    try:
        return _run(argv)
    except UsageError as exc:
        print(f"{PREFIX} {printable(str(exc))}", file=sys.stderr)
        return 2
    except ComposerError as exc:
        print(f"{PREFIX} {printable(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mail-composer: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if logging.getLogger().handlers:  # (before logging is set up: nothing to log to,
            log.error("command failed", exc_info=exc)  # and stderr gets only the line)
        print(f"{PREFIX} {printable(describe_failure(exc))}", file=sys.stderr)
        return 1


def _run(argv: Sequence[str]) -> int:
    _robust_output()
    if _first_word(argv) in HEADLESS:
        args = build_headless_parser().parse_args(argv)
        _check_text_arguments(args)
        return _headless(args)
    rest, qt_args = split_qt_args(argv)
    args = build_gui_parser().parse_args(rest)
    args.qt_args = qt_args
    _check_text_arguments(args)
    from composer.ui.launch import launch  # Qt only for a GUI start (start-up cost)

    return int(launch(args))


#: QApplication's own options (Qt's documentation of QApplication and QGuiApplication):
#: those that take a value, and flags
QT_VALUE_OPTIONS = frozenset({
    "-style", "-stylesheet", "-platform", "-platformpluginpath", "-platformtheme", "-plugin",
    "-qwindowgeometry", "-qwindowtitle", "-qwindowicon", "-display", "-geometry", "-session",
    "-name"})
QT_FLAG_OPTIONS = frozenset({"-reverse", "-widgetcount", "-nograb", "-dograb", "-sync"})


def split_qt_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the app's arguments, Qt's own options) of a GUI start: ``-style fusion``,
    ``-style=fusion``, ``-reverse``... go to QApplication, the rest to our parser."""
    rest: list[str] = []
    qt: list[str] = []
    items = iter(argv)
    for item in items:
        name = item.split("=", 1)[0]
        if name in QT_VALUE_OPTIONS:
            if "=" in item:
                qt += [name, item.split("=", 1)[1]]
            else:
                value = next(items, None)
                if value is None:
                    raise UsageError(f"{item} needs a value")
                qt += [item, value]
        elif item in QT_FLAG_OPTIONS:
            qt.append(item)
        else:
            rest.append(item)
    return rest, qt


def _robust_output() -> None:
    """Stored text is printed as it is; a terminal that cannot show a character gets an
    escape instead of an error."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


MAX_MESSAGE = 400


def printable(text: str) -> str:
    """One line of readable length, whatever the message quotes (a hostile value is
    shown escaped, a huge one shortened)."""
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + "... (shortened)"
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


def _check_text_arguments(args: argparse.Namespace) -> None:
    for name, value in vars(args).items():
        if name in PATH_ARGUMENTS:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and any("\ud800" <= ch <= "\udfff" for ch in item):
                flag = "--" + name.replace("_", "-").removesuffix("-addr")
                raise UsageError(f"{flag}: the value is not valid UTF-8 text")


def describe_failure(exc: BaseException) -> str:
    """Words for a failure no command expected (the details go to the log)."""
    if isinstance(exc, PermissionError):
        return f"permission denied: {exc.filename or exc.strerror}"
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return f"{exc.filename or 'a path'} is in the way (a file where a folder is needed)"
    if isinstance(exc, IsADirectoryError):
        return f"{exc.filename or 'a path'} is a folder where a file is needed"
    if isinstance(exc, OSError):
        return f"the operating system refused: {exc.strerror or exc}" + (
            f" ({exc.filename})" if exc.filename else "")
    if isinstance(exc, sqlite3.Error):
        return f"the draft database failed: {exc}"
    if isinstance(exc, UnicodeError):
        return "some text is not valid UTF-8 (or cannot be encoded)"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply"
    if isinstance(exc, (OverflowError, MemoryError)):
        return "a value is too large"
    return f"unexpected failure ({type(exc).__name__}); details are in the log file"


def _headless(args: argparse.Namespace) -> int:
    from composer.cli import drafts

    return drafts.dispatch(args, out=sys.stdout)


def dump_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


#: The most a body read from standard input may be (as for one attachment).
MAX_STDIN_BYTES = 32 * 1024 * 1024


def read_stdin_arg(value: str | None) -> str | None:
    """``value``, or standard input for ``-``: UTF-8 text of at most 32 MB."""
    if value != "-":
        return value
    from composer.errors import InvalidInputError

    data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    if len(data) > MAX_STDIN_BYTES:
        raise InvalidInputError("stdin", "standard input is larger than 32 MB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError("stdin", f"standard input is not UTF-8 text (byte "
                                f"{exc.start})") from None


def as_path(value: str) -> Path:
    return Path(value).expanduser()
