"""macOS hands mailto: links and opened .eml files to a running app as Apple Events, which
Qt turns into ``QEvent.FileOpen`` on the QApplication (there is no command line then).

``FileOpenFilter`` is an event filter on the application: each such event becomes one
request string (the mailto: URL, or the local file's path) for the handler; requests that
arrive before the window exists (the one that launched the app) wait until
``set_handler`` is called.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFileOpenEvent


class FileOpenFilter(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handler: Callable[[str], None] | None = None
        self._pending: list[str] = []

    def set_handler(self, handler: Callable[[str], None]) -> None:
        """Deliver requests to ``handler`` from now on, first the ones that waited."""
        self._handler = handler
        pending, self._pending = self._pending, []
        for request in pending:
            handler(request)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.FileOpen or not isinstance(event, QFileOpenEvent):
            return super().eventFilter(watched, event)
        request = request_of(event)
        if request is None:
            return False
        if self._handler is None:
            self._pending.append(request)
        else:
            self._handler(request)
        return True


def request_of(event: QFileOpenEvent) -> str | None:
    """The mailto: URL or the local file path an open event carries (None for others)."""
    url = event.url()
    if url.scheme().lower() == "mailto":
        return url.toString()
    path = event.file() or (url.toLocalFile() if url.isLocalFile() else "")
    return path or None


def install_file_open_filter(app: QObject) -> FileOpenFilter:
    """Watch ``app`` (the QApplication) for open events; the filter is its child."""
    event_filter = FileOpenFilter(app)
    app.installEventFilter(event_filter)
    return event_filter
