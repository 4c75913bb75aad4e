"""The command line's words: the GUI start's and the headless commands' argparse parsers,
Qt's own options split off, and the checks every argument passes before a command runs.

A usage error raises ``UsageError`` (one line on stderr, exit status 2: composer/cli/main.py).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from composer import __version__
from composer.domain.services import KINDS

HEADLESS = {"draft", "account", "sync"}
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
    res = dsub.add_parser(
        "resolve", help="settle a sync conflict: keep this computer's version (mine), the "
        "service's (theirs) or both; for a draft deleted on the service, mine saves it "
        "there again and theirs deletes it here too")
    res.add_argument("id", help="either draft of the conflict")
    res.add_argument("--keep", required=True, choices=["mine", "theirs", "both"])

    account = sub.add_parser("account", help="accounts: " + ", ".join(KINDS))
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


def first_word(argv: Sequence[str]) -> str | None:
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


def check_text_arguments(args: argparse.Namespace) -> None:
    for name, value in vars(args).items():
        if name in PATH_ARGUMENTS:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and any("\ud800" <= ch <= "\udfff" for ch in item):
                flag = "--" + name.replace("_", "-").removesuffix("-addr")
                raise UsageError(f"{flag}: the value is not valid UTF-8 text")
