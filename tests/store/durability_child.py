"""Child process for the kill test: saves drafts in a loop, printing each id after commit."""

from __future__ import annotations

import sys
from pathlib import Path

from composer.domain.models import Address, Draft
from composer.store.drafts import DraftStore


def content_for(n: int, draft_id: str) -> tuple[str, str]:
    return f"draft {n} {draft_id}", "<p>" + f"{draft_id} line {n} " * 200 + "</p>"


def main(path: str, start: int) -> None:
    store = DraftStore.open(Path(path))
    n = start
    previous: Draft | None = None
    while True:
        draft = Draft(to=(Address("bob@example.org", "Bob"),), account="work" if n % 3 else None)
        subject, body = content_for(n, draft.id)
        store.save(draft.evolve(subject=subject, html=body))
        if previous is not None and n % 4 == 0:  # edits too, not only inserts
            store.save(previous.evolve(subject=previous.subject + " (edited)"))
            print(f"edited {previous.id}", flush=True)
        print(f"saved {draft.id} {n}", flush=True)
        previous = store.get(draft.id)
        n += 1


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
