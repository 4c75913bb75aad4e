"""A draft changed both here and on its service: the two versions side by side, and the
user's choice (keep mine, keep theirs, keep both) applied on the storage worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from composer.ui import messages
from composer.ui.bridge import StorageBridge
from composer.ui.controllers.settings_state import CurrentSettings
from composer.ui.controllers.status import StatusController

if TYPE_CHECKING:  # the sync layer loads when a conflict is shown
    from composer.ui.account_checks import ConflictPair
    from composer.ui.dialogs.conflict_dialog import ConflictDialog


class ConflictsController(QObject):
    #: the user's choice was applied; the id of the draft to show now
    resolved = Signal(str)

    def __init__(self, bridge: StorageBridge, settings: CurrentSettings,
                 status: StatusController, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self._bridge = bridge
        self._settings = settings
        self._status = status
        self._parent = dialog_parent
        #: the dialog last shown (tests and screenshots reach it here)
        self.dialog: ConflictDialog | None = None

    def show(self, draft_id: str) -> None:
        from composer.ui.account_checks import conflict_pair  # imports the sync layer

        self._bridge.submit(lambda store: conflict_pair(store, draft_id), self._open,
                            self._status.error)

    def _open(self, pair: ConflictPair) -> None:
        from composer.ui.dialogs.conflict_dialog import ConflictDialog  # start-up speed

        name = pair.mine.account or ""
        account = self._settings.value.account(name)
        where = f"{name} ({messages.kind_title(account.kind)})" if account else name
        dialog = ConflictDialog(pair.mine, pair.theirs, where, self._parent)
        dialog.resolved.connect(lambda choice: self.resolve(pair.mine.id, choice))
        self.dialog = dialog
        dialog.open()

    def resolve(self, draft_id: str, choice: str) -> None:
        from composer.ui.account_checks import resolve  # imports the sync layer

        def done(shown: str) -> None:
            self.resolved.emit(shown)
            self._status.say(self.tr("Conflict resolved."))

        self._bridge.submit(lambda store: resolve(store, draft_id, choice), done,
                            self._status.error)
