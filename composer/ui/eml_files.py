"""Open and save .eml files from the window: jobs for the storage worker (the file is
read or written there, never on the GUI thread)."""

from __future__ import annotations

from pathlib import Path

from composer.domain.eml import draft_to_eml, eml_to_draft
from composer.domain.models import Draft
from composer.errors import InvalidInputError
from composer.store.drafts import DraftStore


def import_eml(store: DraftStore, path: Path) -> Draft:
    """A new draft from an .eml file (its attachments stored), not tied to an account."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError("path", f"cannot read {path}: {exc.strerror}") from None
    parsed = eml_to_draft(data)
    stored = tuple(store.blobs.put_bytes(a.name, content, a.content_type)
                   for a, content in parsed.files)
    return store.save(parsed.draft.evolve(attachments=stored, account=None, revision=0))


def export_eml(store: DraftStore, draft_id: str, path: Path) -> Path:
    """The draft as it is stored, written whole or not at all."""
    data = draft_to_eml(store.get(draft_id, include_deleted=True), store.blobs.read_bytes)
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InvalidInputError("eml", f"cannot write {path}: {exc.strerror}") from None
    return path
