"""The command line: GUI launch, and headless ``draft`` / ``account`` / ``sync`` commands.

Errors: one clear line on stderr, ``mail-composer: error: ...``, and a non-zero exit
(1 for a refused action, 2 for a usage error); nothing is changed by a command that
fails. Whatever escapes a command (an OSError, a database error, undecodable text, a
number too large, nesting too deep ...) is mapped to such a line here, at the boundary,
with the details in the log file: the command line never shows a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Sequence

from composer.cli.output import PREFIX, printable, robust_output
from composer.cli.parser import (
    HEADLESS,
    UsageError,
    build_gui_parser,
    build_headless_parser,
    check_text_arguments,
    first_word,
    split_qt_args,
)
from composer.errors import ComposerError

log = logging.getLogger(__name__)


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
    robust_output()
    if first_word(argv) in HEADLESS:
        args = build_headless_parser().parse_args(argv)
        check_text_arguments(args)
        return _headless(args)
    rest, qt_args = split_qt_args(argv)
    args = build_gui_parser().parse_args(rest)
    args.qt_args = qt_args
    check_text_arguments(args)
    from composer.ui.launch import launch  # Qt only for a GUI start (start-up cost)

    return int(launch(args))


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
    # Imported here for start-up speed: a GUI start needs none of the core's commands.
    from composer.cli.dispatch import dispatch

    return dispatch(args, out=sys.stdout)
