"""Headless ``draft`` commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from composer.app import Core
from composer.cli.output import draft_json, dump_json, printable, revision_json, summary_json
from composer.domain.addresses import check_header_text, header_recipients, parse_addresses
from composer.domain.context import check_context
from composer.domain.eml import MAX_EML_BYTES, draft_to_eml, eml_to_draft
from composer.domain.html import html_to_text, sanitize_html
from composer.domain.models import (
    Address,
    Attachment,
    BodyMode,
    Draft,
    DraftStatus,
    Importance,
)
from composer.domain.schedule import parse_iso_send_at
from composer.errors import InvalidInputError, NotFoundError
from composer.store.blobs import check_file
from composer.store.files import read_file, write_file
from composer.store.outbox import Op
from composer.sync import conflicts
from composer.sync.service import prepare_send

#: The most a body read from standard input may be (as for one attachment).
MAX_STDIN_BYTES = 32 * 1024 * 1024


def read_stdin_arg(value: str | None) -> str | None:
    """``value``, or standard input for ``-``: UTF-8 text of at most 32 MB."""
    if value != "-":
        return value
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


def _warn(message: str) -> None:
    print(f"mail-composer: warning: {printable(message)}", file=sys.stderr)


def _note(message: str) -> None:
    print(f"mail-composer: note: {printable(message)}", file=sys.stderr)


def _addresses(values: list[str]) -> tuple[Address, ...]:
    parsed: list[Address] = []
    for value in values:
        parsed += parse_addresses(value)
    for a in parsed:
        if not a.valid:
            _warn(f"{a.raw or a.addr!r} is not a valid address ({a.error}); kept in the draft")
    return tuple(parsed)


def _context(values: list[str], base: dict[str, str]) -> dict[str, str]:
    context = dict(base)
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInputError("context", f"{item[:80]!r} is not KEY=VALUE")
        if value == "":
            context.pop(key.strip(), None)
        else:
            context[key.strip()] = value
    return check_context(context)


def _check_account(core: Core, name: str | None) -> str | None:
    if name is None or name == "none":
        return None
    if core.settings_file.load().account(name) is None:
        raise NotFoundError("account", name)
    return name


def _apply(core: Core, draft: Draft, args: argparse.Namespace) -> Draft:
    """The draft with the command's changes; raises before anything is stored."""
    changes: dict[str, object] = {}
    if args.account is not None:
        changes["account"] = _check_account(core, args.account)
    if args.from_addr is not None:
        check_header_text("from", args.from_addr)
        changes["from_addr"] = args.from_addr.strip()
    for name in ("to", "cc", "bcc"):
        values = getattr(args, name)
        if values:
            changes[name] = _addresses(values)
    if args.subject is not None:
        check_header_text("subject", args.subject)
        changes["subject"] = args.subject
    html = read_stdin_arg(args.html)
    text = read_stdin_arg(args.text)
    if html is not None:
        changes.update(body_mode=BodyMode.HTML, html=sanitize_html(html), text="")
    elif text is not None:
        changes.update(body_mode=BodyMode.TEXT, text=text, html="")
    if args.send_at is not None:
        if args.send_at.strip().lower() == "none":
            changes["schedule"] = None
        else:
            choice = parse_iso_send_at(args.send_at, args.tz, core.clock())
            if choice.note:
                _note(choice.note)
            changes["schedule"] = choice.schedule
    elif args.tz is not None:
        raise InvalidInputError("tz", "--tz goes with --send-at")
    if args.context:
        changes["context"] = _context(args.context, dict(draft.context))
    if args.importance is not None:
        changes["importance"] = Importance(args.importance)
    return draft.evolve(**changes)


def _attach(core: Core, paths: list[str]) -> tuple[Attachment, ...]:
    files = [as_path(p) for p in paths]
    for path in files:  # refuse before storing anything
        check_file(path)
    return tuple(core.store.blobs.put_file(p) for p in files)


def draft_new(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    settings = core.settings_file.load()
    draft = Draft(account=settings.default_account, from_addr=settings.new_draft_sender()[1])
    draft = _apply(core, draft, args)
    attachments = _attach(core, args.attach)
    saved = core.store.save(draft.evolve(attachments=attachments))
    print(saved.id, file=out)
    return 0


def draft_edit(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    draft = core.store.get(args.id)
    if draft.status is not DraftStatus.DRAFT:
        raise InvalidInputError("id", f"draft {args.id} is {draft.status.value}; it cannot be "
                                "edited")
    updated = _apply(core, draft, args)
    attachments = list(updated.attachments)
    for name in args.remove_attachment:
        kept = [a for a in attachments if a.name != name]
        if len(kept) == len(attachments):
            raise InvalidInputError("remove-attachment", f"no attachment named {name!r}")
        attachments = kept
    attachments += _attach(core, args.attach)
    saved = core.store.save(updated.evolve(attachments=tuple(attachments)))
    print(saved.id, file=out)
    return 0


def draft_list(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    rows = core.store.summaries(search=args.search, limit=args.limit, deleted=args.deleted)
    if args.json:
        print(dump_json([summary_json(r) for r in rows]), file=out)
        return 0
    if not rows:
        print("No drafts." if not args.search else "No drafts match.", file=out)
    for r in rows:
        state = r.sync.value if r.sync else "local"
        print(f"{r.id}  {r.updated_at:%Y-%m-%d %H:%M}  {state:<8} "
              f"{r.subject or '(no subject)'}  —  {r.recipients or '(no recipients)'}", file=out)
    return 0


def draft_show(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    draft = core.store.get(args.id)
    state = core.store.sync_states.get(draft.id)
    data = draft_json(draft, state)
    if args.json:
        print(dump_json(data), file=out)
        return 0
    print(f"Subject: {draft.subject}", file=out)
    print(f"From:    {draft.from_addr}", file=out)
    for label in ("to", "cc", "bcc"):
        if data[label]:
            print(f"{label.capitalize() + ':':<8} {', '.join(data[label])}", file=out)
    if draft.schedule:
        print(f"Send at: {draft.schedule.send_at.isoformat()} ({draft.schedule.tz})", file=out)
    for a in draft.attachments:
        print(f"Attach:  {a.name} ({a.size} bytes, {a.content_type})", file=out)
    print(f"Sync:    {data['sync']['state']}", file=out)
    print("", file=out)
    if draft.body_mode is BodyMode.TEXT:
        print(draft.text, file=out)
    else:
        print(html_to_text(draft.html), file=out)
    return 0


def draft_history(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    revisions = core.store.revisions.history(args.id)
    if args.json:
        print(dump_json([revision_json(r) for r in revisions]), file=out)
        return 0
    for r in revisions:
        print(f"{r.revision:>5}  {r.saved_at:%Y-%m-%d %H:%M:%S}  {r.subject}  {r.preview[:60]}",
              file=out)
    return 0


def draft_restore(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    saved = core.store.restore(args.id, args.revision)
    print(f"{saved.id} restored to revision {args.revision} (now revision {saved.revision})",
          file=out)
    return 0


def draft_export(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    draft = core.store.get(args.id)
    data = draft_to_eml(draft, core.store.blobs.read_bytes)
    target = as_path(args.eml)
    write_file(target, data, field="eml")
    for left in header_recipients(draft).left_out:
        _warn(f"{left.describe()}; it was left out of the exported file")
    print(str(target), file=out)
    return 0


def draft_import(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    path = Path(args.path).expanduser()
    data = read_file(path, MAX_EML_BYTES, field="path")
    parsed = eml_to_draft(data)
    stored = tuple(core.store.blobs.put_bytes(a.name, content, a.content_type)
                   for a, content in parsed.files)
    draft = parsed.draft.evolve(attachments=stored, account=None, revision=0)
    saved = core.store.save(draft)
    print(saved.id, file=out)
    return 0


def draft_delete(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    core.store.delete(args.id)
    print(f"{args.id} deleted (undo with: mail-composer draft undelete {args.id})", file=out)
    return 0


def draft_undelete(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    core.store.undelete(args.id)
    print(f"{args.id} restored", file=out)
    return 0


def draft_resolve(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    kept, deleted, deleted_here = conflicts.resolve(core.store, args.id, args.keep)
    if deleted_here:
        print(f"{kept} deleted here too (undo with: mail-composer draft undelete {kept})",
              file=out)
        return 0
    if deleted:
        words = "will be saved to its service again"
    else:
        words = {"mine": "keeps this computer's version; it replaces the service's",
                 "theirs": "takes the service's version (yours stays in its history)",
                 "both": "and the service's version are now two drafts"}[args.keep]
    print(f"{kept} {words}; run 'mail-composer sync' to sync it now", file=out)
    return 0


def draft_send(core: Core, args: argparse.Namespace, out: TextIO) -> int:
    left_out = header_recipients(core.store.get(args.id)).left_out
    if left_out:
        raise InvalidInputError("recipients", "; ".join(
            f"{left.describe()}" for left in left_out) + "; fix or remove them before "
            "sending (nothing was queued)")
    prepare_send(core, args.id)
    core.store.enqueue(args.id, Op.SEND)
    print(f"{args.id} queued to send; run 'mail-composer sync' to send it now", file=out)
    return 0
