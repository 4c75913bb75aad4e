"""Help → About: the app's version, the versions of Qt, PySide6 and Python it runs on, and
the licence notices of everything it includes (the files of ``resources/licenses``; a
frozen build adds the texts of its bundled Python packages there)."""

from __future__ import annotations

import platform
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from composer import APP_NAME, __version__
from composer.resource_paths import resource_path

# Shown first; the rest follow by name.
_FIRST = ("README.txt", "LGPL-3.0.txt", "GPL-3.0.txt", "Python.txt")


def licence_files(folder: Path | None = None) -> list[Path]:
    """The licence notices shipped with this installation, overview first."""
    folder = resource_path("licenses") if folder is None else folder
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.suffix == ".txt" and p.is_file()]
    order = {name: i for i, name in enumerate(_FIRST)}
    return sorted(files, key=lambda p: (order.get(p.name, len(order)), p.name.lower()))


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About %1").replace("%1", APP_NAME))
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        self.summary = QLabel(
            self.tr("<b>%1</b> %2<br>Write email drafts online or offline and never lose a "
                    "word.<br>Qt %3, PySide6 %4, Python %5<br>Qt and PySide6 are used under "
                    "the GNU LGPL version 3; the licences of everything included follow.")
            .replace("%1", APP_NAME).replace("%2", __version__).replace("%3", qVersion())
            .replace("%4", pyside_version).replace("%5", platform.python_version()))
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        splitter = QSplitter(self)
        self.files = QListWidget(splitter)
        self.files.setAccessibleName(self.tr("Licence notices"))
        self.text = QPlainTextEdit(splitter)
        self.text.setReadOnly(True)
        self.text.setAccessibleName(self.tr("Licence text"))
        splitter.setSizes([200, 560])
        layout.addWidget(splitter, 1)
        for path in licence_files(folder):
            item = QListWidgetItem(path.stem, self.files)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
        self.files.currentItemChanged.connect(self._show)
        if self.files.count():
            self.files.setCurrentRow(0)
        else:
            self.text.setPlainText(self.tr("The licence notices are missing from this "
                                           "installation."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _show(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        path = Path(str(item.data(Qt.ItemDataRole.UserRole)))
        try:  # a few dozen kB at most
            self.text.setPlainText(path.read_text(encoding="utf-8", errors="replace"))
        except OSError as exc:
            self.text.setPlainText(self.tr("Cannot read %1: %2").replace("%1", path.name)
                                   .replace("%2", exc.strerror or str(exc)))


def show_about(parent: QWidget | None = None) -> AboutDialog:
    """Open the About box (non-modal, deleted when closed) and return it."""
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
