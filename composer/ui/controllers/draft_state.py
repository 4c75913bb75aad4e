"""What the editor says about the open draft beyond its content: its sync state (and
what to do about it: sign in again, change a field the service refused, resolve a
conflict), and the draft seen by its account's service after every pause in typing
(limits, what the service cannot carry)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from composer.store.drafts import DraftStore, DraftSummary
from composer.store.sync_state import DELETED_ON_SERVICE, SyncStatus
from composer.ui import messages
from composer.ui.bridge import StorageBridge
from composer.ui.controllers.settings_state import CurrentSettings
from composer.ui.controllers.status import StatusController
from composer.ui.widgets.draft_list import needs_attention, sync_words
from composer.ui.widgets.editor import DraftEditor

if TYPE_CHECKING:  # the adapter layer loads on the first check, not at start-up
    from composer.ui.account_checks import AccountChecker, AccountView
    from composer.ui.sync_controller import SyncSummary


class DraftStateController(QObject):
    def __init__(self, bridge: StorageBridge, editor: DraftEditor,
                 settings: CurrentSettings, status: StatusController,
                 make_checker: Callable[[], AccountChecker],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._editor = editor
        self._settings = settings
        self._status = status
        self._make_checker = make_checker
        #: made on first use (its import pulls in the adapter layer); worker-only
        self._checker: AccountChecker | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(800)
        self._timer.timeout.connect(self.recheck)

    def edited(self) -> None:
        """Check again once typing pauses."""
        self._timer.start()

    def recheck(self) -> None:
        """The draft seen by its account's service: limits and what it cannot carry."""
        snapshot = self._editor.snapshot()
        if snapshot is None:
            return
        if self._checker is None:
            self._checker = self._make_checker()
        settings, checker = self._settings.value, self._checker

        def job(store: DraftStore) -> AccountView:
            return checker.view(snapshot, settings)

        self._bridge.submit(job, self._show_view, self._status.error)

    def _show_view(self, view: AccountView) -> None:
        self._editor.show_problems(view.problems)
        self._editor.attachments.set_limit(view.total_limit)
        self._editor.schedule.set_local_only(view.sends_locally)

    def show_sync_state(self, summary: DraftSummary, last: SyncSummary | None) -> None:
        """``summary``: the open draft's row; ``last``: the last sync pass, if any."""
        editor = self._editor
        words = sync_words(summary)
        failed = summary.sync is SyncStatus.FAILED
        sign_in = failed and summary.sync_error_kind == "auth"
        if summary.sync is SyncStatus.PENDING and summary.account and last is not None \
                and summary.account in last.auth_failed_accounts:
            # Held back behind its account's refused sign-in: say so, not just "waiting".
            sign_in = True
            words = self.tr("waiting — %1 needs its password or key again") \
                .replace("%1", summary.account)
        refused = failed and summary.sync_error_kind in ("validation", "forbidden",
                                                          "unsupported")
        if refused and summary.sync_field and summary.sync_error:
            # The service's words go on the field, under the heading (show_service_problem).
            words = self.tr("not accepted by the service — change %1 and it syncs again") \
                .replace("%1", messages.field_label(summary.sync_field))
        editor.show_sync_state(words, attention=needs_attention(summary) or sign_in)
        editor.conflict_button.setVisible(summary.sync is SyncStatus.CONFLICT)
        editor.conflict_button.setText(
            self.tr("Keep or delete…") if summary.sync_error_kind == DELETED_ON_SERVICE
            else self.tr("Resolve conflict…"))
        editor.sign_in_button.setVisible(sign_in)
        editor.show_service_problem(summary.sync_field if refused else None,
                                    summary.sync_error if refused else None)

    def close(self) -> None:
        """Close the checker's adapters, on the worker after the jobs before it."""
        checker = self._checker
        if checker is not None:
            self._bridge.submit(lambda store: checker.close())
