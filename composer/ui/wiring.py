"""The window's composition root: the storage bridge, the settings in use, the one
secret store, the sync controller (made after the first frame), the account checker
(made on the first check), the send flow and the window's controllers, handed to
``MainWindow``. Only composer/ui/launch.py calls it (tests and scripts too)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from composer.paths import Paths
from composer.secrets import SecretStore
from composer.settings import SettingsFile
from composer.ui.autosave import Autosaver
from composer.ui.bridge import StorageBridge
from composer.ui.controllers.attachments import AttachmentsController
from composer.ui.controllers.conflicts import ConflictsController
from composer.ui.controllers.draft_state import DraftStateController
from composer.ui.controllers.eml_files import EmlController
from composer.ui.controllers.history import HistoryController
from composer.ui.controllers.open_draft import OpenDraftController
from composer.ui.controllers.preferences import PreferencesController
from composer.ui.controllers.recipients import RecipientsController
from composer.ui.controllers.send_later import SendLaterController
from composer.ui.controllers.sending import SendingController
from composer.ui.controllers.settings_state import CurrentSettings
from composer.ui.controllers.status import StatusController
from composer.ui.main_window import MainWindow
from composer.ui.send_flow import SendFlow
from composer.ui.session import Session
from composer.ui.window_parts import Controllers, WindowParts

if TYPE_CHECKING:
    from composer.ui.account_checks import AccountChecker
    from composer.ui.sync_controller import AdapterLookup, SyncController, SyncSummary


def build_window(paths: Paths, settings_file: SettingsFile, clock: Callable[[], datetime],
                 *, default_tz: str = "UTC") -> MainWindow:
    secrets = SecretStore()
    settings = CurrentSettings(settings_file)
    bridge = StorageBridge(paths.database, clock)

    def make_sync(parent: QObject) -> SyncController:
        # The sync layer and the adapters load after the first frame: start-up speed.
        from composer.sync.service import AdapterPool
        from composer.ui.sync_controller import SyncController

        def lookups() -> tuple[AdapterLookup, Callable[[], None]]:
            pool = AdapterPool(settings_file, secrets, clock)
            return pool, pool.close

        def accounts() -> list[str]:  # on the sync worker: from the file, not the window
            return [a.name for a in settings_file.load().accounts]

        return SyncController(paths.database, lookups, clock, accounts, parent=parent)

    def make_checker() -> AccountChecker:
        # Its module imports the adapter layer: loaded on the first check (start-up speed).
        from composer.ui.account_checks import AccountChecker

        return AccountChecker(clock)

    window = MainWindow(WindowParts(paths, settings, bridge,
                                    Session(paths.config_dir / "session.json"), clock,
                                    default_tz, make_sync))
    editor, value = window.editor, settings.value
    status = StatusController(window.save_status, window.sync_status, window.undo_button,
                              window.retry_button, window)
    autosaver = Autosaver(bridge, editor.snapshot, idle_ms=value.autosave_idle_ms,
                          max_ms=value.autosave_max_ms, parent=window)
    flow = SendFlow(bridge, settings_file, secrets, window)
    state = DraftStateController(bridge, editor, settings, status, make_checker, window)
    attachments = AttachmentsController(bridge, editor, window)

    def last_sync() -> SyncSummary | None:
        return window.sync.last_summary if window.sync is not None else None

    window.use(Controllers(
        autosaver=autosaver,
        status=status,
        state=state,
        recipients=RecipientsController(bridge, status, window),
        attachments=attachments,
        history=HistoryController(bridge, status, window),
        sending=SendingController(bridge, flow, status, window),
        send_later=SendLaterController(bridge, settings, clock, status, window),
        conflicts=ConflictsController(bridge, settings, status, window),
        eml=EmlController(bridge, status, window),
        preferences=PreferencesController(settings, secrets, clock, window),
        drafts=OpenDraftController(bridge, window.pane, editor, window.session, autosaver,
                                   settings, status, state, attachments, last_sync, window),
    ))
    return window
