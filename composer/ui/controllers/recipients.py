"""Recipient suggestions: addresses used before, loaded once from the cache into memory
(typing never waits on the disk), reloaded when a save brings a new one; Shift+Delete
in a suggestion list forgets one."""

from __future__ import annotations

from PySide6.QtCore import QObject

from composer.domain.models import Draft
from composer.store.drafts import DraftStore
from composer.ui.bridge import StorageBridge
from composer.ui.controllers.status import StatusController


def _known(store: DraftStore) -> list[tuple[str, str, int]]:
    return [(r.addr, r.name, r.use_count) for r in store.recipients.suggest("", limit=5000)]


class RecipientsController(QObject):
    def __init__(self, bridge: StorageBridge, status: StatusController,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._status = status
        #: addr, name, uses: most used (then most recent) first
        self.known: list[tuple[str, str, int]] = []

    def load(self) -> None:
        self._bridge.submit(_known, self._set_known, self._status.error)

    def _set_known(self, rows: list[tuple[str, str, int]]) -> None:
        self.known = rows

    def suggest(self, prefix: str) -> list[tuple[str, str]]:
        """Addresses used before, most used (then most recent) first; in memory, fast."""
        needle = prefix.lower()
        hits = [(addr, name) for addr, name, _ in self.known
                if addr.startswith(needle) or any(w.lower().startswith(needle)
                                                   for w in name.split())]
        return hits[:8]

    def forget(self, addr: str) -> None:
        self.known = [r for r in self.known if r[0] != addr.lower()]
        self._bridge.submit(lambda store: store.recipients.forget(addr), None,
                            self._status.error)

    def saw(self, saved: Draft) -> None:
        """A draft was saved: load again if it brought an address not known yet."""
        known = {r[0] for r in self.known}
        if any(a.valid and a.addr.lower() not in known for a in saved.recipients()):
            self.load()
