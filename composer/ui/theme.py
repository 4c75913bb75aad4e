"""Light and dark: follow the system (Qt's colour-scheme hint) unless the user chose one.
Chips and inline messages are styled from palette roles, so both schemes stay legible."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

STYLE = """
QFrame#chip { border: 1px solid palette(mid); border-radius: 10px;
              background: palette(alternate-base); }
QFrame#chip[selected="true"] { border: 1px solid palette(highlight);
              background: palette(highlight); }
QFrame#chip[invalid="true"] { border: 1px solid #d33; background: rgba(220, 50, 50, 40); }
QLabel#attachmentError, QLabel#draftProblems { color: #d33; }
"""


def apply_theme(choice: str) -> None:
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return
    hints = app.styleHints()
    scheme = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}.get(choice)
    if hasattr(hints, "setColorScheme"):
        hints.setColorScheme(scheme or Qt.ColorScheme.Unknown)
    from PySide6.QtWidgets import QApplication

    if isinstance(app, QApplication):
        app.setStyleSheet(STYLE)
