"""Run the real app and use it for a while as a person does, then quit with Ctrl+Q.

    python tests/ui/long_session.py DATA_DIR ROUNDS

Each round: type To (Tab), Subject (Tab) and a body of a few hundred characters, wait
until it is autosaved and synced, open and close the version history and the settings
(Escape), press Ctrl+Z and Ctrl+N, click a row of the list, press "Sync now". Then Ctrl+Q;
the app exits with its own status. Prints ``round N`` after each round and ``quitting``.
With ``COMPOSER_TEST_SECRET=ACCOUNT=SECRET`` the secret goes into the (in-memory) keyring
first. Kept out of the app so production code has no test hook.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget

CTRL = Qt.KeyboardModifier.ControlModifier
BODY = ("Thanks for the call today. Here is what we agreed, so nobody has to remember "
        "it: the numbers go out on Friday, the slides on Monday, and the review is on "
        "Wednesday at ten. ")


def main() -> int:
    data, rounds = Path(sys.argv[1]), int(sys.argv[2])
    secret = os.environ.get("COMPOSER_TEST_SECRET", "")
    if secret:
        from composer.secrets import SecretStore

        name, _, value = secret.partition("=")
        SecretStore().set(name, value)
    app = QApplication(sys.argv[:1])  # the launch code reuses this instance
    steps: list[Callable[[], bool]] = []
    deadline = [0.0]

    def window() -> QWidget:
        for w in app.topLevelWidgets():
            if type(w).__name__ == "MainWindow" and w.isVisible():
                return w
        raise LookupError("no main window")

    def focused() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def run() -> None:
        """Run the steps in order; a step returning False is tried again shortly."""
        if not steps:
            return
        try:
            done = steps[0]()
        except LookupError:
            done = False
        if done:
            steps.pop(0)
            deadline[0] = time.monotonic() + 30
        elif time.monotonic() > deadline[0]:
            print(f"stuck at step {steps[0].__name__}", file=sys.stderr, flush=True)
            app.exit(3)
            return
        QTimer.singleShot(10, run)

    def step(fn: Callable[[], bool]) -> Callable[[], bool]:
        steps.append(fn)
        return fn

    def stored() -> object:
        from composer.paths import resolve_paths
        from composer.store.drafts import DraftStore

        draft = window().editor.draft  # type: ignore[attr-defined]
        store = DraftStore.open(resolve_paths(data).database)
        try:
            return store.get(draft.id), store.sync_states.get(draft.id)
        finally:
            store.close()

    def dialog_open() -> QDialog | None:
        for w in app.topLevelWidgets():
            if isinstance(w, QDialog) and w.isVisible():
                return w
        return None

    def round_of(n: int) -> None:
        def active() -> bool:
            w = window()
            if QApplication.activeWindow() is not w:
                w.activateWindow()
                return False
            return w.editor.draft is not None  # type: ignore[attr-defined]

        def type_new_draft() -> bool:
            w = window()
            editor = w.editor  # type: ignore[attr-defined]
            if not editor.to.line_edit().hasFocus():
                QTest.keyClick(focused(), Qt.Key.Key_N, CTRL)
                return False
            QTest.keyClicks(focused(), f"person{n}@example.org")
            QTest.keyClick(focused(), Qt.Key.Key_Tab)
            QTest.keyClicks(focused(), f"Round {n}: notes")
            QTest.keyClick(focused(), Qt.Key.Key_Tab)
            for _ in range(3):
                QTest.keyClicks(focused(), BODY)
            return True

        def saved_and_synced() -> bool:
            draft, state = stored()  # type: ignore[misc]
            ok = draft.subject == f"Round {n}: notes" and "Wednesday at ten" in draft.html
            return bool(ok and (state is None or state.state.value == "synced"))

        def history_open() -> bool:
            w = window()
            button = w.toolbar.widgetForAction(w.history_action)  # type: ignore[attr-defined]
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)
            return True

        def history_closed() -> bool:
            dialog = dialog_open()
            if dialog is None:
                return False
            if dialog.findChild(QWidget, "") is not None and \
                    getattr(dialog, "versions", None) is not None and \
                    dialog.versions.count() == 0:  # type: ignore[attr-defined]
                return False
            QTest.keyClick(dialog, Qt.Key.Key_Escape)
            return True

        def settings_open() -> bool:
            if dialog_open() is not None:
                return False
            w = window()
            button = w.toolbar.widgetForAction(w.settings_action)  # type: ignore[attr-defined]
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)
            return True

        def settings_closed() -> bool:
            dialog = dialog_open()
            if dialog is None:
                return False
            QTest.keyClick(dialog, Qt.Key.Key_Escape)
            return True

        def undo_new_and_switch() -> bool:
            if dialog_open() is not None:
                return False
            w = window()
            w.activateWindow()
            editor = w.editor  # type: ignore[attr-defined]
            QTest.mouseClick(editor.rich.viewport(), Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier, QPoint(10, 10))
            QTest.keyClicks(editor.rich, " (typo)")
            QTest.keyClick(editor.rich, Qt.Key.Key_Z, CTRL)
            view = w.list  # type: ignore[attr-defined]
            if w.model.rowCount():  # type: ignore[attr-defined]
                rect = view.visualRect(w.model.index(0))  # type: ignore[attr-defined]
                QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                                 Qt.KeyboardModifier.NoModifier, rect.center())
            button = w.toolbar.widgetForAction(w.sync_action)  # type: ignore[attr-defined]
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)
            print(f"round {n}", flush=True)
            return True

        for fn in (active, type_new_draft, saved_and_synced, history_open, history_closed,
                   settings_open, settings_closed, undo_new_and_switch):
            step(fn)

    for n in range(1, rounds + 1):
        round_of(n)

    @step
    def quit_app() -> bool:
        w = window()
        if QApplication.activeWindow() is not w:
            w.activateWindow()
            return False
        print("quitting", flush=True)
        QTest.keyClick(focused(), Qt.Key.Key_Q, CTRL)
        return True

    deadline[0] = time.monotonic() + 60
    QTimer.singleShot(0, run)
    from composer.__main__ import main as app_main

    return app_main(["--data-dir", str(data)])


if __name__ == "__main__":
    sys.exit(main())
