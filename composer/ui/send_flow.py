"""Send with undo: check the draft (recipients, sizes, what the account's service can
carry) without the network, hold the send for the undo delay with an "Undo" in the
status bar, then queue it in the outbox and ask sync to run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from composer.store.outbox import Op
from composer.ui.bridge import StorageBridge

if TYPE_CHECKING:  # the sync layer is imported when a send is checked, not at start-up
    from composer.domain.models import Draft
    from composer.secrets import SecretStore
    from composer.settings import SettingsFile
    from composer.store.drafts import DraftStore
    from composer.sync.adapters.base import Problem


def check_send(store: DraftStore, draft_id: str, settings: SettingsFile,
               secrets: SecretStore) -> list[Problem]:
    """Runs on the storage worker: every reason this draft cannot be sent yet."""
    from composer.domain.models import utcnow
    from composer.sync.adapters.base import Problem
    from composer.sync.errors import SyncError
    from composer.sync.service import AdapterPool, send_problems

    account = store.get(draft_id).account
    if account is None:
        return send_problems(store, draft_id, None)
    pool = AdapterPool(settings, secrets, utcnow)
    try:
        return send_problems(store, draft_id, pool(account))
    except SyncError as err:
        return [*send_problems(store, draft_id, None), Problem("from", "account", err.message)]
    finally:
        pool.close()


def queue_send(store: DraftStore, draft_id: str) -> Draft:

    store.enqueue(draft_id, Op.SEND)
    return store.get(draft_id)


def _failed(error: Exception) -> list[Problem]:
    from composer.sync.adapters.base import Problem

    return [Problem("draft", "error", str(error))]


class SendFlow(QObject):
    checked = Signal(list)        # problems found (empty: the undo window started)
    held = Signal(int)            # seconds left to undo
    queued = Signal(object)       # the draft, now in the outbox
    cancelled = Signal()

    def __init__(self, bridge: StorageBridge, settings: SettingsFile, secrets: SecretStore,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._settings = settings
        self._secrets = secrets
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._draft_id: str | None = None
        self._left = 0

    @property
    def pending(self) -> str | None:
        return self._draft_id

    def start(self, draft_id: str, undo_seconds: int) -> None:
        settings, secrets = self._settings, self._secrets

        def job(store: DraftStore) -> list[Problem]:
            return check_send(store, draft_id, settings, secrets)

        def done(problems: list[Problem]) -> None:
            self.checked.emit(problems)
            if problems:
                return
            self._draft_id = draft_id
            self._left = undo_seconds
            if undo_seconds <= 0:
                self._commit()
            else:
                self.held.emit(self._left)
                self._timer.start()

        self._bridge.submit(job, done, lambda e: self.checked.emit(_failed(e)))

    def undo(self) -> None:
        self._timer.stop()
        if self._draft_id is not None:
            self._draft_id = None
            self.cancelled.emit()

    def _tick(self) -> None:
        self._left -= 1
        if self._left <= 0:
            self._timer.stop()
            self._commit()
        else:
            self.held.emit(self._left)

    def _commit(self) -> None:
        draft_id, self._draft_id = self._draft_id, None
        if draft_id is None:
            return
        self._bridge.submit(lambda store: queue_send(store, draft_id), self.queued.emit,
                            lambda e: self.checked.emit(_failed(e)))
