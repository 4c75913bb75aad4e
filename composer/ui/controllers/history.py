"""A draft's history: delete with Undo in the status bar, restore from Deleted, and the
saved versions (History), any of which can be restored."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from composer.domain.models import Draft
from composer.ui.bridge import StorageBridge
from composer.ui.controllers.status import StatusController


class HistoryController(QObject):
    #: the draft (its id) is in Deleted now
    deleted = Signal(str)
    #: a deleted draft is back: the Draft, and whether to show it in the Drafts view
    restored = Signal(object, bool)
    #: an earlier version is the draft's content again (the Draft, to show)
    version_restored = Signal(object)

    def __init__(self, bridge: StorageBridge, status: StatusController,
                 dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self._bridge = bridge
        self._status = status
        self._parent = dialog_parent

    def delete(self, draft_id: str) -> None:
        self._bridge.submit(lambda store: store.delete(draft_id),
                            lambda _: self.announce_delete(draft_id), self._status.error)

    def announce_delete(self, draft_id: str) -> None:
        """``draft_id`` went to Deleted (here, or by another controller's job): say so,
        with Undo."""
        self.deleted.emit(draft_id)
        self._status.say(self.tr("Draft deleted."))
        self._status.offer_undo(lambda: self.restore(draft_id))

    def restore(self, draft_id: str, *, to_drafts: bool = False) -> None:
        """Back from Deleted (Undo, or Restore in the Deleted view: ``to_drafts``)."""
        self._bridge.submit(lambda store: store.undelete(draft_id),
                            lambda draft: self._restored(draft, to_drafts),
                            self._status.error)

    def _restored(self, draft: Draft, to_drafts: bool) -> None:
        self.restored.emit(draft, to_drafts)
        self._status.say(self.tr("Draft restored."))

    def show_versions(self, draft_id: str) -> None:
        from composer.ui.dialogs.history_dialog import HistoryDialog  # start-up speed

        dialog = HistoryDialog(self._bridge, draft_id, self._parent)
        dialog.restored.connect(self.version_restored.emit)
        dialog.open()
