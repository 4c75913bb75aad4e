"""SVG icons tinted with the palette's text colour, so they are legible in light and
dark themes alike (the files draw in #000000, replaced at load time)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QObject, QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from composer.resource_paths import resource_path


@cache
def _svg(name: str) -> str:
    return resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")


def _render(svg: str, size: int) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    image = QImage(QSize(size, size), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return QPixmap.fromImage(image)


@cache
def _icon(name: str, color: str, disabled: str) -> QIcon:
    # One 48 px rendering per state: Qt scales it down for toolbars and menus.
    icon = QIcon()
    icon.addPixmap(_render(_svg(name).replace("#000000", color), 48))
    icon.addPixmap(_render(_svg(name).replace("#000000", disabled), 48), QIcon.Mode.Disabled)
    return icon


def icon(name: str) -> QIcon:
    palette = QGuiApplication.palette()
    text = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText).name()
    off = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText).name()
    return _icon(name, text, off)


def named_icon(action: QAction, name: str) -> QAction:
    """Give ``action`` the icon ``name``, remembered so retint() can redraw it."""
    action.setProperty("iconName", name)
    action.setIcon(icon(name))
    return action


def retint(root: QObject) -> None:
    """After a theme change: redraw every named icon under ``root`` in the new colours."""
    for action in root.findChildren(QAction):
        name = action.property("iconName")
        if isinstance(name, str) and name:
            action.setIcon(icon(name))
