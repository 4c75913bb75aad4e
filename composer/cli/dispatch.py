"""Runs a headless command (``mail-composer draft|account|sync``): opens the core, picks
the command's handler, and salvages a damaged database found on the way."""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Callable
from typing import TextIO

from composer.app import Core, open_core
from composer.cli import accounts, drafts
from composer.errors import StorageError, StorageProblem
from composer.store.db import storage_problem
from composer.store.recovery import RecoveryReport, recover_store


def dispatch(args: argparse.Namespace, out: TextIO) -> int:
    core = open_core(args.data_dir)
    try:
        if core.recovery is not None:
            _report_recovery(core.recovery)
        handler = _HANDLERS[(args.command, getattr(args, "action", None))]
        try:
            return handler(core, args, out)
        except (StorageError, sqlite3.DatabaseError) as exc:
            problem = exc.problem if isinstance(exc, StorageError) else storage_problem(exc)
            if problem is not StorageProblem.CORRUPT:
                raise
            # Damage found by a query, not at open: the failed command changed nothing;
            # move the file aside, salvage what can be read, and run the command again.
            _warn_damaged(exc)
            core.store.close()
            store, report = recover_store(core.paths.database, core.clock)
            core.store = store
            _report_recovery(report)
            return handler(core, args, out)
    finally:
        core.close()


def _warn_damaged(exc: Exception) -> None:
    logging.getLogger(__name__).warning("draft database damage found by a query: %s",
                                        exc.__cause__ or exc)


def _report_recovery(r: RecoveryReport) -> None:
    print(
        f"mail-composer: warning: the draft database was damaged ({r.reason}); it was "
        f"moved to {r.moved_to}; {r.drafts_recovered} drafts were saved"
        + (f" and {r.drafts_lost} lost" if r.drafts_lost else "")
        + f" ({r.rows_recovered} records saved, {r.rows_lost} lost)",
        file=sys.stderr,
    )


Handler = Callable[[Core, argparse.Namespace, TextIO], int]

_HANDLERS: dict[tuple[str, str | None], Handler] = {
    ("draft", "new"): drafts.draft_new,
    ("draft", "edit"): drafts.draft_edit,
    ("draft", "list"): drafts.draft_list,
    ("draft", "show"): drafts.draft_show,
    ("draft", "history"): drafts.draft_history,
    ("draft", "restore"): drafts.draft_restore,
    ("draft", "export"): drafts.draft_export,
    ("draft", "import"): drafts.draft_import,
    ("draft", "delete"): drafts.draft_delete,
    ("draft", "undelete"): drafts.draft_undelete,
    ("draft", "send"): drafts.draft_send,
    ("draft", "resolve"): drafts.draft_resolve,
    ("account", "add"): accounts.account_add,
    ("account", "list"): accounts.account_list,
    ("account", "remove"): accounts.account_remove,
    ("account", "test"): accounts.account_test,
    ("sync", None): accounts.sync_once,
}
