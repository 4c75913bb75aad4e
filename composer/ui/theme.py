"""Light and dark: follow the system (Qt's colour-scheme hint) unless the user chose one.
Chips and inline messages are styled from palette roles, so both schemes stay legible;
the one fixed colour (red for problems) is picked for the palette in use."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from composer.ui.messages import error_color

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
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return STYLE % {"error": error_color(window).name()}


#: the style and palette the platform gave, restored when the user picks "System"
_SYSTEM: dict[str, object] = {}


def dark_palette() -> QPalette:
    """The app's own dark palette (with Fusion), for platforms that offer none."""
    p = QPalette()
    c = QColor
    roles = {
        QPalette.ColorRole.Window: c(45, 45, 48), QPalette.ColorRole.WindowText: c(230, 230, 230),
        QPalette.ColorRole.Base: c(30, 30, 32), QPalette.ColorRole.AlternateBase: c(58, 58, 62),
        QPalette.ColorRole.ToolTipBase: c(60, 60, 64),
        QPalette.ColorRole.ToolTipText: c(235, 235, 235),
        QPalette.ColorRole.PlaceholderText: c(150, 150, 155),
        QPalette.ColorRole.Text: c(230, 230, 230), QPalette.ColorRole.Button: c(53, 53, 57),
        QPalette.ColorRole.ButtonText: c(230, 230, 230),
        QPalette.ColorRole.BrightText: c(255, 90, 90), QPalette.ColorRole.Light: c(80, 80, 85),
        QPalette.ColorRole.Midlight: c(66, 66, 70), QPalette.ColorRole.Mid: c(90, 90, 96),
        QPalette.ColorRole.Dark: c(25, 25, 27), QPalette.ColorRole.Shadow: c(10, 10, 10),
        QPalette.ColorRole.Highlight: c(42, 130, 218),
        QPalette.ColorRole.HighlightedText: c(255, 255, 255),
        QPalette.ColorRole.Link: c(110, 170, 255), QPalette.ColorRole.LinkVisited: c(170, 140, 255),
    }
    for role, color in roles.items():
        p.setColor(role, color)
    muted = c(130, 130, 135)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, muted)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base, c(40, 40, 42))
    return p


def apply_theme(choice: str) -> None:
    """``system`` follows the OS (the platform's own style and palette); ``light`` and
    ``dark`` use Fusion with a palette of the app's own, so they work on every platform."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return
    from PySide6.QtWidgets import QApplication, QStyleFactory

    hints = app.styleHints()
    scheme = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}.get(choice)
    if hasattr(hints, "setColorScheme"):
        hints.setColorScheme(scheme or Qt.ColorScheme.Unknown)
    if isinstance(app, QApplication):
        style = app.style()
        if not _SYSTEM:
            _SYSTEM["style"] = style.name() if style is not None else ""
            _SYSTEM["palette"] = QPalette(app.palette())
        if scheme is None:
            name = str(_SYSTEM["style"])
            if name and (style is None or style.name() != name):
                app.setStyle(name)
            saved = _SYSTEM["palette"]
            assert isinstance(saved, QPalette)
            app.setPalette(saved)
        else:
            if style is None or style.name().lower() != "fusion":
                app.setStyle(QStyleFactory.create("Fusion"))
            fusion = app.style()
            light = fusion.standardPalette() if fusion is not None else QPalette()
            app.setPalette(dark_palette() if scheme is Qt.ColorScheme.Dark else light)
        app.setStyleSheet(style_sheet())
