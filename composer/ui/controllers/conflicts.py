"""A draft changed both here and on its service: the two versions side by side, and the
user's choice (keep mine, keep theirs, keep both) applied on the storage worker. A draft
deleted on its service while edited here: the user is asked to save it there again or to
delete it here too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from composer.ui import messages
from composer.ui.bridge import StorageBridge
from composer.ui.controllers.settings_state import CurrentSettings
from composer.ui.controllers.status import StatusController

if TYPE_CHECKING:  # the sync layer loads when a conflict is shown
    from composer.sync.conflicts import Resolved
    from composer.ui.account_checks import ConflictPair, DeletedOnService
    from composer.ui.dialogs.conflict_dialog import ConflictDialog


class ConflictsController(QObject):
    #: the user's choice was applied; the id of the draft to show now
    resolved = Signal(str)
    #: the user chose to delete here too a draft deleted on its service (its id)
    deleted_here = Signal(str)

    def __init__(self, bridge: StorageBridge, settings: CurrentSettings,
                 status: StatusController, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self._bridge = bridge
        self._settings = settings
        self._status = status
        self._parent = dialog_parent
        #: the dialog last shown (tests and screenshots reach it here)
        self.dialog: ConflictDialog | None = None
        #: the question last asked about a draft deleted on its service
        self.question: QMessageBox | None = None

    def show(self, draft_id: str) -> None:
        from composer.ui.account_checks import conflict_pair  # imports the sync layer

        self._bridge.submit(lambda store: conflict_pair(store, draft_id), self._open,
                            self._status.error)

    def _where(self, name: str) -> str:
        account = self._settings.value.account(name)
        return f"{name} ({messages.kind_title(account.kind)})" if account else name

    def _open(self, pair: ConflictPair | DeletedOnService) -> None:
        from composer.ui.account_checks import DeletedOnService  # imports the sync layer
        from composer.ui.dialogs.conflict_dialog import ConflictDialog  # start-up speed

        if isinstance(pair, DeletedOnService):
            self._ask_deleted(pair)
            return
        where = self._where(pair.mine.account or "")
        dialog = ConflictDialog(pair.mine, pair.theirs, where, self._parent)
        dialog.resolved.connect(lambda choice: self.resolve(pair.mine.id, choice))
        self.dialog = dialog
        dialog.open()

    def _ask_deleted(self, gone: DeletedOnService) -> None:
        draft = gone.mine
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Deleted on the service"),
                          self.tr("“%1” was deleted on %2 while you were editing it here.")
                          .replace("%1", draft.subject or self.tr("(no subject)"))
                          .replace("%2", self._where(draft.account or "")),
                          QMessageBox.StandardButton.Cancel, self._parent)
        box.setInformativeText(self.tr(
            "Your version is kept on this computer. Save it to the service again, or delete "
            "it here too (it goes to Deleted drafts, where you can restore it)."))
        again = box.addButton(self.tr("Save it there again"),
                              QMessageBox.ButtonRole.AcceptRole)
        delete = box.addButton(self.tr("Delete it here too"),
                               QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(again)

        def chosen() -> None:
            clicked = box.clickedButton()
            if clicked is again:
                self.resolve(draft.id, "mine")
            elif clicked is delete:
                self.resolve(draft.id, "theirs")

        box.finished.connect(chosen)
        self.question = box
        box.open()

    def resolve(self, draft_id: str, choice: str) -> None:
        from composer.sync.conflicts import resolve  # imports the sync layer

        def done(result: Resolved) -> None:
            if result.deleted_here:
                self.deleted_here.emit(result.draft_id)
                return
            self.resolved.emit(result.draft_id)
            self._status.say(self.tr("Conflict resolved."))

        self._bridge.submit(lambda store: resolve(store, draft_id, choice), done,
                            self._status.error)
