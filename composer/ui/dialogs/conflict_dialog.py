"""A conflict side by side: "this computer" and "the service", fields that differ
highlighted, and the three ways out (keep mine, keep theirs, keep both)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from composer.domain.html import html_to_text
from composer.domain.models import Address, BodyMode, Draft

_PAD = 4


def _field_values(d: Draft) -> list[tuple[str, str, object]]:
    """(label, shown text, what is compared): recipients compare by address, since some
    services keep no display names ("Ana <ana@x>" and "ana@x" are the same person)."""
    body = d.text if d.body_mode is BodyMode.TEXT else html_to_text(d.html)

    def people(addresses: tuple[Address, ...]) -> tuple[str, str]:
        return ", ".join(a.formatted() for a in addresses), \
            ",".join(sorted((a.addr or a.raw).lower() for a in addresses))

    to, cc, bcc = people(d.to), people(d.cc), people(d.bcc)
    when = f"{d.schedule.send_at.astimezone():%d %b %Y %H:%M}" if d.schedule else ""
    return [
        ("To", *to), ("Cc", *cc), ("Bcc", *bcc),
        ("Subject", d.subject, d.subject),
        ("Send at", when, d.schedule.send_at if d.schedule else None),
        ("Body", body, body.strip()),
    ]


class ConflictDialog(QDialog):
    """``resolved`` carries "mine", "theirs" or "both"; the caller applies it."""

    resolved = Signal(str)

    def __init__(self, mine: Draft, theirs: Draft, account: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Changed in two places"))
        self.setAccessibleName(self.tr("Conflict between this computer and %1")
                               .replace("%1", account))
        intro = QLabel(self.tr("This draft was changed on this computer and on %1 since "
                               "they last matched. The fields that differ are highlighted. "
                               "Choose which to keep; nothing is lost until you do.")
                       .replace("%1", account))
        intro.setWordWrap(True)
        grid = QGridLayout()
        for column, title in ((1, self.tr("<b>This computer</b>")),
                              (2, self.tr("<b>%1</b>").replace("%1", html.escape(account)))):
            heading = QLabel(title)
            heading.setMargin(_PAD)
            grid.addWidget(heading, 0, column)
        self.differing: list[str] = []
        highlight = self.palette().color(QPalette.ColorRole.Highlight)
        tint = QColor(highlight)
        tint.setAlpha(60)
        for row, ((label, left, left_key), (_, right, right_key)) in enumerate(
                zip(_field_values(mine), _field_values(theirs), strict=True), start=1):
            differs = left_key != right_key
            if differs:
                self.differing.append(label)
            name = QLabel(self.tr(label))
            name.setMargin(_PAD)   # level with the text of the boxes beside it
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            for column, value in ((1, left), (2, right)):
                view = QTextBrowser() if label == "Body" else QLabel()
                if isinstance(view, QTextBrowser):
                    view.setPlainText(value)   # the text, never markup
                else:
                    view.setText(value)
                view.setAccessibleName(f"{label}, "
                                       f"{'this computer' if column == 1 else account}")
                if isinstance(view, QLabel):
                    view.setTextFormat(Qt.TextFormat.PlainText)
                    view.setMargin(_PAD)
                    view.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                    view.setWordWrap(True)
                    view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                else:
                    view.setOpenLinks(False)
                    view.setMaximumHeight(160)
                if differs:
                    view.setAutoFillBackground(True)
                    palette = view.palette()
                    palette.setColor(QPalette.ColorRole.Window, tint)
                    palette.setColor(QPalette.ColorRole.Base, tint)
                    view.setPalette(palette)
                    view.setToolTip(self.tr("Different on the two sides"))
                grid.addWidget(view, row, column)
        self.keep_mine = QPushButton(self.tr("Keep mine"))
        self.keep_mine.setToolTip(self.tr("Send this computer's version to the service"))
        self.keep_theirs = QPushButton(self.tr("Keep theirs"))
        self.keep_theirs.setToolTip(self.tr("Use the service's version here (yours stays in "
                                            "the draft's history)"))
        self.keep_both = QPushButton(self.tr("Keep both"))
        self.keep_both.setToolTip(self.tr("Keep the two as separate drafts"))
        for button, choice in ((self.keep_mine, "mine"), (self.keep_theirs, "theirs"),
                               (self.keep_both, "both")):
            button.setAccessibleName(button.text())
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
        later = QPushButton(self.tr("Decide later"))
        later.setAccessibleName(later.text())
        later.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(later)
        buttons.addStretch(1)
        for b in (self.keep_both, self.keep_theirs, self.keep_mine):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        self.resize(760, 480)

    def _choose(self, choice: str) -> None:
        self.resolved.emit(choice)
        self.accept()
