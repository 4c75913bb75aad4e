"""The link dialog: the text shown and the address it goes to."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_EMAIL = re.compile(r"^[^@\s/]+@[^@\s/]+\.[^@\s/]+$")


def normalize_url(typed: str) -> str:
    """What a link points to: ``example.com/x`` -> ``https://example.com/x``, an e-mail
    address -> ``mailto:``; a link never leaves the app without a scheme."""
    url = typed.strip()
    if not url:
        return ""
    if _EMAIL.match(url):
        return "mailto:" + url
    if _SCHEME.match(url) and not re.match(r"^[^:/]+:\d", url):  # host:port is no scheme
        return url
    return "https://" + url.lstrip("/")


class LinkDialog(QDialog):
    def __init__(self, selected_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Link"))
        self.text_edit = QLineEdit(selected_text)
        self.text_edit.setAccessibleName(self.tr("Text"))
        self.text_edit.setPlaceholderText(self.tr("The words shown (optional)"))
        self.address_edit = QLineEdit()
        self.address_edit.setAccessibleName(self.tr("Address"))
        self.address_edit.setPlaceholderText(self.tr("example.com/page or name@example.com"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)
        self.address_edit.textChanged.connect(
            lambda text: self.ok_button.setEnabled(bool(text.strip())))
        form = QFormLayout(self)
        form.addRow(self.tr("&Text:"), self.text_edit)
        form.addRow(self.tr("&Address:"), self.address_edit)
        form.addRow(buttons)
        (self.address_edit if selected_text else self.text_edit).setFocus()

    def text(self) -> str:
        return self.text_edit.text().strip()

    def address(self) -> str:
        return self.address_edit.text().strip()
