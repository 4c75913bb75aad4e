"""Open and save .eml files from the window: jobs for the storage worker (the file is
read or written there, never on the GUI thread).

Qt-free, yet in ui/: these jobs are the window's own (a new draft not tied to an
account, an export of what the window shows); the command line has its own in
commands.py, and the store and domain hold the rules both use."""

from __future__ import annotations

from pathlib import Path

from composer.domain.eml import MAX_EML_BYTES, draft_to_eml, eml_to_draft
from composer.domain.models import Draft
from composer.store.drafts import DraftStore
from composer.store.files import read_file, write_file


def import_eml(store: DraftStore, path: Path) -> Draft:
    """A new draft from an .eml file (its attachments stored), not tied to an account."""
    data = read_file(path, MAX_EML_BYTES)  # regular files only, never past the limit
    parsed = eml_to_draft(data)
    stored = tuple(store.blobs.put_bytes(a.name, content, a.content_type)
                   for a, content in parsed.files)
    return store.save(parsed.draft.evolve(attachments=stored, account=None, revision=0))


def export_eml(store: DraftStore, draft_id: str, path: Path) -> Path:
    """The draft as it is stored, written whole or not at all (an exclusive temporary
    file, never through a symlink; a target that is not a regular file is refused)."""
    write_file(path, draft_to_eml(store.get(draft_id, include_deleted=True),
                                  store.blobs.read_bytes), field="eml")
    return path
