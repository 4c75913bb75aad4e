"""What the main window is made with and the controllers it connects: wiring.py builds
both and hands them to ``MainWindow``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from composer.paths import Paths
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
from composer.ui.session import Session

if TYPE_CHECKING:  # the sync layer loads after the first frame
    from composer.ui.sync_controller import SyncController


@dataclass(frozen=True)
class WindowParts:
    """What the window is made with (wiring.py builds it)."""
    paths: Paths
    settings: CurrentSettings
    bridge: StorageBridge
    session: Session
    clock: Callable[[], datetime]
    default_tz: str
    #: makes the sync controller (after the first frame, once there are accounts)
    make_sync: Callable[[QObject], SyncController]


@dataclass(frozen=True)
class Controllers:
    autosaver: Autosaver
    status: StatusController
    state: DraftStateController
    recipients: RecipientsController
    attachments: AttachmentsController
    history: HistoryController
    sending: SendingController
    send_later: SendLaterController
    conflicts: ConflictsController
    eml: EmlController
    preferences: PreferencesController
    drafts: OpenDraftController
