"""File → Open .eml… (a new draft from the file) and Save as .eml… (the draft as it is
stored); the file is read or written on the storage worker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from composer.domain.filenames import safe_filename
from composer.domain.models import Draft
from composer.ui.bridge import StorageBridge
from composer.ui.controllers.status import StatusController


class EmlController(QObject):
    #: an .eml file became a new draft (the Draft, to show)
    opened = Signal(object)

    def __init__(self, bridge: StorageBridge, status: StatusController,
                 dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self._bridge = bridge
        self._status = status
        self._parent = dialog_parent
        #: ask for an .eml file to open / a file name to save as; tests replace them
        self.ask_open: Callable[[], Path | None] = self._ask_open
        self.ask_save: Callable[[str], Path | None] = self._ask_save

    def _ask_open(self) -> Path | None:
        from PySide6.QtWidgets import QFileDialog  # wrapped on first use: start-up speed

        name, _ = QFileDialog.getOpenFileName(self._parent, self.tr("Open .eml"), "",
                                              self.tr("Email messages (*.eml)"))
        return Path(name) if name else None

    def _ask_save(self, suggested: str) -> Path | None:
        from PySide6.QtWidgets import QFileDialog  # wrapped on first use: start-up speed

        name, _ = QFileDialog.getSaveFileName(self._parent, self.tr("Save as .eml"),
                                              suggested, self.tr("Email messages (*.eml)"))
        return Path(name) if name else None

    def open(self, path: Path) -> None:
        """A new draft from an .eml file."""
        from composer.ui.eml_files import import_eml  # the email package: start-up speed

        def opened(draft: Draft) -> None:
            self.opened.emit(draft)
            self._status.say(self.tr("Opened %1 as a new draft.").replace("%1", path.name))

        self._bridge.submit(lambda store: import_eml(store, path), opened, self._status.error)

    def ask_save_path(self, draft: Draft) -> Path | None:
        """Asks where to save ``draft``, suggesting a name made from its subject."""
        return self.ask_save(safe_filename((draft.subject or "draft") + ".eml"))

    def save(self, draft_id: str, path: Path) -> None:
        """The draft as it is stored, written to ``path``."""
        from composer.ui.eml_files import export_eml  # the email package: start-up speed

        self._bridge.submit(
            lambda store: export_eml(store, draft_id, path),
            lambda _: self._status.say(self.tr("Saved as %1").replace("%1", str(path))),
            self._status.error)
