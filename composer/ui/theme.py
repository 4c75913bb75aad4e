"""Light and dark: follow the system (Qt's colour-scheme hint) unless the user chose one.
Chips and inline messages are styled from palette roles, so both schemes stay legible;
the one fixed colour (red for problems) is picked for the palette in use."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette

STYLE = """
QFrame#chip { border: 1px solid palette(mid); border-radius: 10px;
              background: palette(alternate-base); }
QFrame#chip[selected="true"] { border: 1px solid palette(highlight);
              background: palette(highlight); }
QFrame#chip[invalid="true"] { border: 1px solid %(error)s; background: rgba(220, 50, 50, 40); }
QLabel#attachmentError, QLabel#draftProblems, QLabel[problem="true"] { color: %(error)s; }
QPushButton#linkButton { border: none; background: transparent; color: palette(link);
              text-decoration: underline; padding: 1px 4px; }
"""


def style_sheet() -> str:
    """The application style sheet for the current palette."""
    from composer.ui.messages import error_color

    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return STYLE % {"error": error_color(window).name()}


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
        app.setStyleSheet(style_sheet())
