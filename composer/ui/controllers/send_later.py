"""Send later done by the app (services that cannot schedule): every 30 s the due drafts
are queued; at start, sends missed while the app was closed are asked about once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from composer.ui.bridge import StorageBridge
from composer.ui.controllers.settings_state import CurrentSettings
from composer.ui.controllers.status import StatusController


class SendLaterController(QObject):
    #: due drafts were queued for sending
    queued = Signal()
    #: missed drafts were sent or kept as drafts (their ids)
    missed_handled = Signal(list)

    def __init__(self, bridge: StorageBridge, settings: CurrentSettings,
                 clock: Callable[[], datetime], status: StatusController,
                 dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self._bridge = bridge
        self._settings = settings
        self._clock = clock
        self._status = status
        self._parent = dialog_parent
        self._timer = QTimer(self)
        self._timer.setInterval(30_000)
        self._timer.timeout.connect(lambda: self.check())
        #: asked about sends missed while the app was closed; tests replace it
        self.ask_missed: Callable[[int], bool] = self._ask_missed

    def start(self) -> None:
        """Send due drafts of services that cannot schedule; ask about missed ones once."""
        if self._timer.isActive():
            return
        self._timer.start()
        self.check(at_start=True)

    def check(self, *, at_start: bool = False) -> None:
        from composer.sync import scheduler  # with sync, after the first frame

        settings, now = self._settings.value, self._clock()
        self._bridge.submit(lambda store: scheduler.due(store, settings, now),
                            lambda rows: self._on_due(rows, at_start, now),
                            self._status.error)

    def _on_due(self, rows: list[tuple[str, datetime]], at_start: bool,
                now: datetime) -> None:
        from composer.sync import scheduler  # with sync, after the first frame

        due_now, missed = scheduler.split_missed(rows, now, at_start=at_start)
        if due_now:
            self._bridge.submit(lambda store: scheduler.send_due(store, due_now),
                                lambda _: self.queued.emit(), self._status.error)
        if missed:
            send = self.ask_missed(len(missed))
            job = scheduler.send_due if send else scheduler.keep_as_draft
            self._bridge.submit(lambda store: job(store, missed),
                                lambda _: self.missed_handled.emit(missed),
                                self._status.error)

    def _ask_missed(self, count: int) -> bool:
        from PySide6.QtWidgets import QMessageBox  # wrapped on first use: start-up speed

        answer = QMessageBox.question(
            self._parent, self.tr("Send-later times passed"),
            self.tr("A draft was due to be sent while Mail Composer was closed. Send it "
                    "now? (No keeps it as a draft, without a send-later time.)") if count == 1
            else self.tr("%n drafts were due to be sent while Mail Composer was closed. Send "
                         "them now? (No keeps them as drafts, without a send-later time.)",
                         "", count))
        return answer == QMessageBox.StandardButton.Yes
