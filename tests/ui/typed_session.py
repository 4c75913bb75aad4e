"""Run the real app (its own entry point) and type into it as a person does.

    python tests/ui/typed_session.py DATA_DIR quit|wait SUBJECT_FILE BODY_FILE

Starts ``mail-composer --data-dir DATA_DIR`` in this process, presses Ctrl+N, clicks into
Subject and types the subject, clicks into the body and types the body (``QTest`` key
events in chunks, with the event loop running between them so autosave timers fire), then
waits until the cache on disk holds both and prints ``autosaved <id>``. ``quit`` then closes
the window (the app exits with its own status); ``wait`` leaves it running (to be killed).

Kept out of the app so production code has no test hook; the tests run it as a child
process because what they check is how the process ends.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

CHUNK = 50  # characters per burst; the event loop runs between bursts


def main() -> int:
    data, then = Path(sys.argv[1]), sys.argv[2]
    subject = Path(sys.argv[3]).read_text(encoding="utf-8")
    body = Path(sys.argv[4]).read_text(encoding="utf-8")
    app = QApplication(sys.argv[:1])  # the launch code reuses this instance

    def window() -> QWidget | None:
        for w in app.topLevelWidgets():
            if type(w).__name__ == "MainWindow" and w.isVisible():
                return w
        return None

    def click(widget: QWidget) -> None:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(10, 10))

    def type_into(text: str, done: object) -> None:
        def burst(offset: int = 0) -> None:
            focused = QApplication.focusWidget()
            assert focused is not None, "nothing has the keyboard focus"
            QTest.keyClicks(focused, text[offset:offset + CHUNK])
            if offset + CHUNK < len(text):
                QTimer.singleShot(1, lambda: burst(offset + CHUNK))
            else:
                QTimer.singleShot(1, done)  # type: ignore[arg-type]
        burst()

    def start() -> None:
        w = window()
        if w is None or QApplication.activeWindow() is not w:  # as a person's window is
            if w is not None:
                w.activateWindow()
            QTimer.singleShot(20, start)
            return
        QTest.keyClick(QApplication.focusWidget() or w, Qt.Key.Key_N,
                       Qt.KeyboardModifier.ControlModifier)
        QTimer.singleShot(200, to_subject)

    def to_subject() -> None:
        w = window()
        editor = w.editor  # type: ignore[union-attr]
        if editor.draft is None:
            QTimer.singleShot(20, to_subject)
            return
        click(editor.subject)
        type_into(subject, to_body)

    def to_body() -> None:
        editor = window().editor  # type: ignore[union-attr]
        click(editor.rich.viewport())
        type_into(body, wait_saved)

    def wait_saved() -> None:
        from composer.paths import resolve_paths
        from composer.store.drafts import DraftStore

        draft = window().editor.draft  # type: ignore[union-attr]
        store = DraftStore.open(resolve_paths(data).database)
        try:
            stored = store.get(draft.id)
        finally:
            store.close()
        if stored.subject != subject or body not in stored.html:
            QTimer.singleShot(50, wait_saved)
            return
        print(f"autosaved {draft.id}", flush=True)
        if then == "quit":
            window().close()  # type: ignore[union-attr]

    QTimer.singleShot(0, start)
    from composer.__main__ import main as app_main

    return app_main(["--data-dir", str(data)])


if __name__ == "__main__":
    sys.exit(main())
