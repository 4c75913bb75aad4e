"""Render the app icon (SVG) to what the installers need: hicolor PNGs 16-512 px (Linux),
the 1024 px image (macOS .icns: icon_512x512@2x; build_dmg.sh runs iconutil), and a
Windows .ico with 16-256 px images.

    python packaging/render_icons.py [OUT_DIR]   (default packaging/out/icons)

The .ico is written beside OUT_DIR as mail-composer.ico (packaging/out/mail-composer.ico
by default, where the PyInstaller spec and the Inno Setup script take it from).
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def _render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def _png(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise SystemExit("cannot encode PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(images: dict[int, bytes]) -> bytes:
    """An .ico holding each size as a PNG image (read by Windows Vista and later,
    PyInstaller and Inno Setup)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, png in sorted(images.items()):
        side = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def render(svg: Path, out_dir: Path, ico: Path | None = None) -> list[Path]:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(QByteArray(svg.read_bytes()))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    written = []
    pngs: dict[int, bytes] = {}
    for size in SIZES:
        png = _png(_render(renderer, size))
        pngs[size] = png
        target = out_dir / f"{size}x{size}" / "mail-composer.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png)
        written.append(target)
    ico = out_dir.parent / "mail-composer.ico" if ico is None else ico
    ico.write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    written.append(ico)
    del app
    return written


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "packaging" / "out" / "icons"
    for path in render(root / "resources" / "app" / "mail-composer.svg", out):
        print(path)
