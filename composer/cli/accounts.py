"""Headless ``account`` and ``sync`` commands."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from composer.app import Core
from composer.cli.output import dump_json
from composer.domain.accounts import Account
from composer.domain.services import SERVICES, Service, service
from composer.errors import InvalidInputError, NotFoundError
from composer.settings import validate_account
from composer.sync.adapters import adapter_class
from composer.sync.engine import SyncEngine
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.service import AdapterPool


def _options(values: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInputError("option", f"{item!r} is not KEY=VALUE")
        options[key.strip()] = value.strip()
    return options


def _form_options(entry: Service) -> set[str]:
    return {f.key.removeprefix("option:") for f in entry.fields if f.key.startswith("option:")}


IMAP_FLAGS = ("imap_host", "imap_port", "imap_security", "smtp_host", "smtp_port",
              "smtp_security", "display_name", "save_sent")


def account_add(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    options = _options(args.option)
    given = {k: str(getattr(args, k)) for k in IMAP_FLAGS if getattr(args, k, None)}
    entry = service(args.kind)
    for flag in given:  # each is an option some services' forms declare (imap's servers)
        if flag not in _form_options(entry):
            kinds = " or ".join(s.kind for s in SERVICES if flag in _form_options(s))
            raise InvalidInputError("kind", "--" + flag.replace("_", "-")
                                    + f" is for {kinds} accounts only")
    if entry.base_url and not args.base_url.strip():
        raise InvalidInputError("base_url", f"a {args.kind} account needs --base-url URL")
    account = Account(
        name=args.name.strip(), kind=args.kind, base_url=args.base_url.strip().rstrip("/"),
        username=args.username, address=args.address, options={**options, **given},
    )
    validate_account(account)
    missing = [o for o in entry.required_options if not account.options.get(o)]
    if missing:
        raise InvalidInputError(
            "option", f"a {account.kind} account needs --option "
            + " --option ".join(f"{m}=..." for m in missing))
    adapter_class(account.kind)  # the adapter must import before we promise anything
    secret = None
    if args.secret_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
        if not secret:
            raise InvalidInputError("secret", "no password or API key on standard input")
        core.secrets.set(account.name, secret)  # keychain first: no half-added account
    settings = core.settings_file.load()
    accounts = (*(a for a in settings.accounts if a.name != account.name), account)
    default = settings.default_account or account.name
    core.settings_file.save(settings.evolve(accounts=accounts, default_account=default))
    note = "" if secret else " (no secret stored: add one with --secret-stdin to sync)"
    print(f"account {account.name!r} ({account.kind}) saved{note}", file=out)
    return 0


def account_list(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    settings = core.settings_file.load()
    rows = []
    for a in settings.accounts:
        try:
            has_secret: bool | None = core.secrets.get(a.name) is not None
        except Exception:
            has_secret = None
        rows.append({"name": a.name, "kind": a.kind, "base_url": a.base_url,
                     "username": a.username, "address": a.address, "options": a.options,
                     "default": a.name == settings.default_account, "secret_stored": has_secret})
    if args.json:
        print(dump_json(rows), file=out)
    elif not rows:
        print("No accounts. Add one with: mail-composer account add NAME --kind KIND "
              "--base-url URL --secret-stdin", file=out)
    else:
        for r in rows:
            mark = "*" if r["default"] else " "
            print(f"{mark} {r['name']}  {r['kind']}  {r['base_url']}  {r['address']}", file=out)
    return 0


def account_remove(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    settings = core.settings_file.load()
    if settings.account(args.name) is None:
        raise NotFoundError("account", args.name)
    accounts = tuple(a for a in settings.accounts if a.name != args.name)
    default = settings.default_account if settings.default_account != args.name else (
        accounts[0].name if accounts else None)
    core.settings_file.save(settings.evolve(accounts=accounts, default_account=default))
    core.secrets.delete(args.name)
    print(f"account {args.name!r} removed; its drafts stay on this computer", file=out)
    return 0


def account_test(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    pool = AdapterPool(core.settings_file, core.secrets, core.clock)
    try:
        description = pool(args.name).test()
    except SyncError as err:
        raise InvalidInputError("account", _describe(err)) from None
    finally:
        pool.close()
    print(f"{args.name}: OK — {description}", file=out)
    return 0


def _describe(err: SyncError) -> str:
    words = f": {err.service_message}" if err.service_message and \
        err.service_message not in err.message else ""
    return f"{err.kind.value}: {err.message}{words}"


def sync_once(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    """One pull and push pass. Problems go to stderr, one line per account and problem
    (the drafts it concerns listed on that line); a sign-in refused while pulling
    stops that account for the pass."""
    pool = AdapterPool(core.settings_file, core.secrets, core.clock)
    problems: dict[tuple[str, str], list[str]] = {}
    refused: set[str] = set()
    try:
        engine = SyncEngine(core.store, pool, core.clock)
        pulled = 0
        for account in core.settings_file.load().accounts:
            if args.account in (None, account.name):
                try:
                    pulled += engine.pull(account.name)
                except SyncError as pull_error:
                    problems.setdefault((account.name, _describe(pull_error)), [])
                    if pull_error.kind is SyncErrorKind.AUTH:
                        refused.add(account.name)
        report = engine.run_once(args.account, skip=refused)
        for draft_id, err in report.errors:
            state = core.store.sync_states.get(draft_id)  # every failure records one
            name = state.account if state is not None else "?"
            problems.setdefault((name, _describe(err)), []).append(draft_id)
    finally:
        pool.close()
    print(f"pulled {pulled}, pushed {report.pushed}, deleted {report.deleted}, "
          f"sent {report.sent}, "
          f"conflicts {report.conflicts}, failed {report.failed}, waiting {report.waiting}",
          file=out)
    for (name, words), drafts in problems.items():
        which = ""
        if drafts:
            shown = ", ".join(drafts[:3]) + (f" and {len(drafts) - 3} more"
                                            if len(drafts) > 3 else "")
            which = f" (draft {shown})" if len(drafts) == 1 else f" (drafts {shown})"
        print(f"mail-composer: error: {name}: {words}{which}", file=sys.stderr)
    return 0 if report.waiting == 0 and report.failed == 0 and not problems else 1
