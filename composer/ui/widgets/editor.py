"""The draft editor: From, To/Cc/Bcc, Subject, the body (rich or plain), attachments
and send-later. It shows a draft and reports edits; saving is the autosaver's job."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QAction,
    QFont,
    QKeySequence,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
    QTextListFormat,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from composer.domain.addresses import parse_addresses
from composer.domain.html import html_to_text, sanitize_html, text_to_html
from composer.domain.models import Address, Attachment, BodyMode, Draft
from composer.settings import Settings
from composer.ui.messages import field_label, kind_title
from composer.ui.widgets.attachment_list import AttachmentList
from composer.ui.widgets.body_editor import SafeTextEdit
from composer.ui.widgets.icons import named_icon
from composer.ui.widgets.recipient_field import RecipientField
from composer.ui.widgets.schedule_picker import SchedulePicker


class DraftEditor(QWidget):
    draft_edited = Signal()
    files_chosen = Signal(list)          # list[Path] to attach
    attachment_removed = Signal(str)

    def __init__(self, clock: Callable[[], datetime], default_tz: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._draft: Draft | None = None
        self._loading = False
        #: asked before rich -> plain drops formatting; tests replace it
        self.confirm_plain: Callable[[], bool] = self._ask_plain

        self.from_box = QComboBox()
        self.from_box.setAccessibleName(self.tr("From"))
        self.from_box.currentIndexChanged.connect(self._changed)
        self.to = RecipientField(self.tr("To"))
        self.cc = RecipientField(self.tr("Cc"))
        self.bcc = RecipientField(self.tr("Bcc"))
        for field in (self.to, self.cc, self.bcc):
            field.addresses_changed.connect(self._changed)
            field.input_edited.connect(self._changed)
        self.show_cc = QPushButton(self.tr("Cc"))
        self.show_cc.setAccessibleName(self.tr("Show Cc"))
        self.show_cc.setFlat(True)
        self.show_cc.clicked.connect(lambda: self.reveal(self.cc))
        self.show_bcc = QPushButton(self.tr("Bcc"))
        self.show_bcc.setAccessibleName(self.tr("Show Bcc"))
        self.show_bcc.setFlat(True)
        self.show_bcc.clicked.connect(lambda: self.reveal(self.bcc))
        self.subject = QLineEdit()
        self.subject.setAccessibleName(self.tr("Subject"))
        self.subject.setPlaceholderText(self.tr("Subject"))
        self.subject.textEdited.connect(self._changed)
        self.sync_label = QLabel()
        self.sync_label.setAccessibleName(self.tr("Sync state of this draft"))
        self.sync_label.setWordWrap(True)
        self.conflict_button = QPushButton(self.tr("Resolve conflict…"))
        self.conflict_button.setAccessibleName(self.tr("Resolve conflict"))
        self.conflict_button.hide()
        #: shown when the account's sign-in was refused: opens it in Accounts
        self.sign_in_button = QPushButton(self.tr("Fix sign-in…"))
        self.sign_in_button.setAccessibleName(self.tr("Fix the account's sign-in"))
        self.sign_in_button.hide()
        #: a sent message or a deleted draft is shown read-only, with one way on
        self.read_only_note = QLabel()
        self.read_only_note.setObjectName("readOnlyNote")
        self.read_only_note.setWordWrap(True)
        self.read_only_note.setAccessibleName(self.tr("Read-only"))
        self.read_only_note.hide()
        self.read_only_button = QPushButton()
        self.read_only_button.hide()
        self._read_only = False
        self._check_problems: list[tuple[str, str]] = []
        self._service_problem: tuple[str, str] | None = None
        self.problems = QLabel()
        self.problems.setObjectName("draftProblems")
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName(self.tr("What the account's service cannot carry"))
        self.problems.hide()

        self.rich = SafeTextEdit()
        self.rich.setAccessibleName(self.tr("Message body"))
        self.rich.textChanged.connect(self._changed)
        #: bumped on every change of the body's content or formatting (typing, undo,
        #: redo, paste, drop, format, mode switch): the snapshot keeps the stored HTML
        #: only while it still equals the count taken when the draft was shown
        self._body_edits = 0
        self._body_loaded_at = 0
        #: (edit count, HTML) last produced, so an unchanged body is not re-serialized
        self._body_cache: tuple[int, str] | None = None
        self.rich.document().contentsChanged.connect(self._count_body_edit)
        self.rich.files_pasted.connect(self.files_chosen)
        self.plain = QPlainTextEdit()
        self.plain.setAccessibleName(self.tr("Message body (plain text)"))
        self.plain.setTabChangesFocus(True)
        self.plain.textChanged.connect(self._changed)
        self.body = QStackedWidget()
        self.body.addWidget(self.rich)
        self.body.addWidget(self.plain)
        self.format_bar = self._format_bar()
        self.link_dialog: QDialog | None = None
        self.rich.currentCharFormatChanged.connect(self._show_char_format)
        self.rich.cursorPositionChanged.connect(self._leave_link)
        self.mode = QComboBox()
        self.mode.addItem(self.tr("Rich text"), BodyMode.HTML)
        self.mode.addItem(self.tr("Plain text"), BodyMode.TEXT)
        self.mode.setAccessibleName(self.tr("Body format"))
        self.mode.activated.connect(self._on_mode)

        self.attachments = AttachmentList()
        self.attachments.files_dropped.connect(self.files_chosen)
        self.attachments.add_requested.connect(self.choose_files)
        #: asks which files to attach (a file dialog); tests replace it
        self.pick_files: Callable[[], list[Path]] = self._pick_files
        self.attachments.remove_requested.connect(self.attachment_removed)
        self.schedule = SchedulePicker(clock, default_tz)
        self.schedule.schedule_changed.connect(self._changed)

        heading = QFormLayout()
        heading.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        heading.addRow(self.tr("From:"), self.from_box)
        to_row = QHBoxLayout()
        to_row.addWidget(self.to, 1)
        to_row.addWidget(self.show_cc, 0, Qt.AlignmentFlag.AlignTop)
        to_row.addWidget(self.show_bcc, 0, Qt.AlignmentFlag.AlignTop)
        heading.addRow(self.tr("To:"), to_row)
        self._cc_label = QLabel(self.tr("Cc:"))
        self._bcc_label = QLabel(self.tr("Bcc:"))
        heading.addRow(self._cc_label, self.cc)
        heading.addRow(self._bcc_label, self.bcc)
        heading.addRow(self.tr("Subject:"), self.subject)
        bar = QHBoxLayout()
        bar.addWidget(self.format_bar, 1)
        bar.addWidget(self.mode)
        layout = QVBoxLayout(self)
        state_row = QHBoxLayout()
        state_row.addWidget(self.sync_label, 1)
        state_row.addWidget(self.conflict_button)
        state_row.addWidget(self.sign_in_button)
        state_row.addWidget(self.read_only_button)
        layout.addWidget(self.read_only_note)
        layout.addLayout(state_row)
        layout.addLayout(heading)
        layout.addWidget(self.problems)
        layout.addLayout(bar)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.attachments)
        layout.addWidget(self.schedule)
        self._set_cc_visible(False)
        self._set_bcc_visible(False)
        self.setTabOrder(self.from_box, self.to.line_edit())
        self.setTabOrder(self.to.line_edit(), self.cc.line_edit())
        self.setTabOrder(self.cc.line_edit(), self.bcc.line_edit())
        self.setTabOrder(self.bcc.line_edit(), self.subject)
        self.setTabOrder(self.subject, self.rich)

    # -- accounts -------------------------------------------------------------------------
    def set_accounts(self, settings: Settings) -> None:
        current = self.from_box.currentData()
        self._loading = True
        self.from_box.clear()
        identity = settings.identity_address or ""
        self.from_box.addItem(self.tr("On this computer") + (f" — {identity}" if identity
                                                              else ""), None)
        for account in settings.accounts:
            label = f"{account.name} ({kind_title(account.kind)})"
            if account.address:
                label += f" — {account.address}"
            self.from_box.addItem(label, account.name)
        index = self.from_box.findData(current)
        self.from_box.setCurrentIndex(max(index, 0))
        self._loading = False

    # -- load / snapshot ------------------------------------------------------------------
    @property
    def draft(self) -> Draft | None:
        return self._draft

    def load(self, draft: Draft) -> None:
        self._loading = True
        try:
            self._draft = draft
            self._service_problem = None
            index = self.from_box.findData(draft.account)
            self.from_box.setCurrentIndex(max(index, 0))
            self.to.set_addresses(draft.to)
            self.cc.set_addresses(draft.cc)
            self.bcc.set_addresses(draft.bcc)
            self._set_cc_visible(bool(draft.cc))
            self._set_bcc_visible(bool(draft.bcc))
            self.subject.setText(draft.subject)
            if draft.body_mode is BodyMode.TEXT:
                self.plain.setPlainText(draft.text)
                self.rich.clear()
                self._show_mode(BodyMode.TEXT)
            else:
                self.rich.set_safe_html(draft.html)
                self.plain.clear()
                self._show_mode(BodyMode.HTML)
            # Until the body changes, the stored HTML is kept as it is (Qt would write it
            # back reformatted, making a new revision out of merely opening a draft).
            self._body_loaded_at = self._body_edits
            self._body_cache = None
            self.attachments.set_attachments(draft.attachments)
            self.attachments.clear_error()
            self.schedule.set_schedule(draft.schedule)
        finally:
            self._loading = False

    @property
    def read_only(self) -> bool:
        return self._read_only

    def set_read_only(self, note: str | None, button: str = "") -> None:
        """``note``: why this draft cannot be changed (sent, deleted), with ``button``
        (the way on: "Edit as new draft", "Restore"); None makes it editable again."""
        self._read_only = note is not None
        editable = not self._read_only
        for widget in (self.from_box, self.to, self.cc, self.bcc, self.show_cc,
                       self.show_bcc, self.mode, self.format_bar, self.attachments,
                       self.schedule):
            widget.setEnabled(editable)
        self.subject.setReadOnly(not editable)
        self.rich.setReadOnly(not editable)
        self.plain.setReadOnly(not editable)
        self.read_only_note.setText(note or "")
        self.read_only_note.setVisible(not editable)
        self.read_only_button.setText(button)
        self.read_only_button.setAccessibleName(button)
        self.read_only_button.setVisible(not editable and bool(button))
        # A sent or deleted message has no send-later time to pick (the heading says
        # when it went); the picker would show a default time as if one were set.
        self.schedule.setVisible(editable)
        if not editable:
            self.conflict_button.hide()
            self.sign_in_button.hide()

    def clear(self) -> None:
        """Show no draft (after a delete): nothing left to snapshot or save."""
        self._draft = None

    def add_attachment(self, attachment: Attachment) -> None:
        """The editor owns the draft's content: attachments change here, then autosave."""
        if self._draft is None:
            return
        kept = tuple(a for a in self._draft.attachments if a.name != attachment.name)
        self._draft = self._draft.evolve(attachments=(*kept, attachment))
        self.attachments.set_attachments(self._draft.attachments)
        self.draft_edited.emit()

    def remove_attachment(self, name: str) -> None:
        if self._draft is None:
            return
        self._draft = self._draft.evolve(
            attachments=tuple(a for a in self._draft.attachments if a.name != name))
        self.attachments.set_attachments(self._draft.attachments)
        self.draft_edited.emit()

    def remember_saved(self, saved: Draft) -> None:
        """The cache now holds ``saved``: keep its bookkeeping (revision, attachments)."""
        if self._draft is not None and self._draft.id == saved.id:
            self._draft = saved
            if tuple(self.attachments.attachments()) != saved.attachments:
                self.attachments.set_attachments(saved.attachments)

    def snapshot(self) -> Draft | None:
        """The draft as the widgets show it now (cheap: runs on every autosave); None
        when there is nothing to save (no draft, or one shown read-only)."""
        if self._draft is None or self._read_only:
            return None
        mode = BodyMode(self.mode.currentData())
        if mode is BodyMode.TEXT:
            html, text = "", self.plain.toPlainText()
        elif self._body_edits == self._body_loaded_at and \
                self._draft.body_mode is BodyMode.HTML:
            html, text = self._draft.html, ""
        else:
            html, text = self._body_html(), ""
        account = self.from_box.currentData()
        return self._draft.evolve(
            account=account if isinstance(account, str) else None,
            to=self.to.addresses() + self._pending(self.to),
            cc=self.cc.addresses() + self._pending(self.cc),
            bcc=self.bcc.addresses() + self._pending(self.bcc),
            subject=" ".join(self.subject.text().splitlines()),
            body_mode=mode, html=html, text=text,
            schedule=self.schedule.schedule(),
        )

    def _count_body_edit(self) -> None:
        self._body_edits += 1

    def _body_html(self) -> str:
        """What the rich editor shows now, as HTML; serialized once per change."""
        cache = self._body_cache
        if cache is not None and cache[0] == self._body_edits:
            return cache[1]
        html = self.rich.toHtml() if not self.rich.document().isEmpty() else ""
        self._body_cache = (self._body_edits, html)
        return html

    @staticmethod
    def _pending(field: RecipientField) -> tuple[Address, ...]:
        """Text still in a recipient input is saved too (nothing typed is lost)."""

        text = field.line_edit().text().strip()
        return tuple(parse_addresses(text)) if text else ()

    # -- body mode ------------------------------------------------------------------------
    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Problems for the chosen account, each with the field it concerns."""
        self._check_problems = list(problems)
        self._render_problems()

    def show_service_problem(self, field: str | None, message: str | None) -> None:
        """What the service said when it refused this draft, on the field concerned."""
        self._service_problem = (field, message) if field and message else None
        self._render_problems()

    def _render_problems(self) -> None:
        lines = [f"⚠ {field_label(f)}: {m}" for f, m in self._check_problems]
        if self._service_problem is not None:
            field, message = self._service_problem
            # A refusal found by the account's own check is already listed.
            if not any(f == field and m in message for f, m in self._check_problems):
                lines.append(self.tr("⚠ %1: the service said “%2”").replace(
                    "%1", field_label(field)).replace("%2", message))
        if not lines:
            self.problems.hide()
            self.problems.clear()
            return
        self.problems.setText("\n".join(lines))
        self.problems.show()

    def show_sync_state(self, words: str, *, attention: bool = False) -> None:
        """``attention``: something is wrong and needs the user (shown in the problem
        colour)."""
        self.sync_label.setText(self.tr("This draft: %1").replace("%1", words))
        if bool(self.sync_label.property("problem")) != attention:
            self.sync_label.setProperty("problem", attention)
            self.sync_label.style().unpolish(self.sync_label)
            self.sync_label.style().polish(self.sync_label)

    def _show_mode(self, mode: BodyMode) -> None:
        self.mode.setCurrentIndex(0 if mode is BodyMode.HTML else 1)
        self.body.setCurrentIndex(0 if mode is BodyMode.HTML else 1)
        self.format_bar.setEnabled(mode is BodyMode.HTML)

    def set_mode(self, mode: BodyMode) -> bool:
        current = BodyMode.HTML if self.body.currentIndex() == 0 else BodyMode.TEXT
        if mode is current:
            return True
        if mode is BodyMode.TEXT:
            html = sanitize_html(self.rich.toHtml())
            has_formatting = html_to_text(html) != self.rich.toPlainText() or any(
                tag in html for tag in ("<b", "<i", "<u", "<li", "<a ", "<strong", "<em",
                                        "font-weight", "font-style", "text-decoration"))
            if has_formatting and not self.confirm_plain():
                self._show_mode(BodyMode.HTML)
                return False
            self.plain.setPlainText(self.rich.toPlainText())
        else:
            self.rich.set_safe_html(text_to_html(self.plain.toPlainText()))
        self._show_mode(mode)
        self._changed()
        return True

    def _on_mode(self, index: int) -> None:
        self.set_mode(BodyMode(self.mode.itemData(index)))

    def _ask_plain(self) -> bool:
        answer = QMessageBox.question(
            self, self.tr("Switch to plain text?"),
            self.tr("Plain text drops the formatting (bold, lists, links). The words stay."),
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Ok

    # -- formatting -----------------------------------------------------------------------
    def _format_bar(self) -> QToolBar:
        bar = QToolBar(self.tr("Formatting"))
        bar.setAccessibleName(self.tr("Formatting"))

        def act(name: str, text: str, slot: Callable[[], None], shortcut: str = "",
                checkable: bool = False) -> QAction:
            action = named_icon(QAction(text, self), name)
            action.setCheckable(checkable)
            action.triggered.connect(lambda *_: slot())
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                action.setToolTip(f"{text} ({keys})")
                # Active where the user types: in the body (and on the toolbar itself).
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                self.rich.addAction(action)
            bar.addAction(action)
            button = bar.widgetForAction(action)
            if button is not None:
                button.setAccessibleName(text)
            return action

        self.bold_action = act("bold", self.tr("Bold"), self._bold, "Ctrl+B", True)
        self.italic_action = act("italic", self.tr("Italic"), self._italic, "Ctrl+I", True)
        self.underline_action = act("underline", self.tr("Underline"), self._underline,
                                    "Ctrl+U", True)
        bar.addSeparator()
        act("list-bullet", self.tr("Bulleted list"),
            lambda: self._list(QTextListFormat.Style.ListDisc))
        act("list-numbered", self.tr("Numbered list"),
            lambda: self._list(QTextListFormat.Style.ListDecimal))
        self.link_action = act("link", self.tr("Link"), self._link, "Ctrl+K")
        act("clear-format", self.tr("Clear formatting"), self._clear_format)
        return bar

    def _merge(self, fmt: QTextCharFormat) -> None:
        # One call: the selection (or the word typed next) changes in one undo step.
        self.rich.mergeCurrentCharFormat(fmt)

    def _bold(self) -> None:
        fmt = QTextCharFormat()
        weight = self.rich.fontWeight()
        fmt.setFontWeight(QFont.Weight.Normal if weight > QFont.Weight.Normal.value
                          else QFont.Weight.Bold)
        self._merge(fmt)

    def _italic(self) -> None:
        fmt = QTextCharFormat()
        fmt.setFontItalic(not self.rich.fontItalic())
        self._merge(fmt)

    def _underline(self) -> None:
        fmt = QTextCharFormat()
        fmt.setFontUnderline(not self.rich.fontUnderline())
        self._merge(fmt)

    def _list(self, style: QTextListFormat.Style) -> None:
        self.rich.textCursor().createList(style)

    def _show_char_format(self, fmt: QTextCharFormat) -> None:
        """B/I/U show the state at the cursor."""
        self.bold_action.setChecked(fmt.fontWeight() > QFont.Weight.Normal.value)
        self.italic_action.setChecked(fmt.fontItalic())
        self.underline_action.setChecked(fmt.fontUnderline() and not fmt.isAnchor())

    def _leave_link(self) -> None:
        """Typing at the end of a link (also on the next line) is not part of it."""
        cursor = self.rich.textCursor()
        if cursor.hasSelection() or not self.rich.currentCharFormat().isAnchor():
            return
        after = QTextCursor(cursor)
        moved = after.movePosition(QTextCursor.MoveOperation.NextCharacter,
                                   QTextCursor.MoveMode.KeepAnchor)
        if moved and after.selectedText() not in ("\u2029", "") and \
                after.charFormat().isAnchor() and cursor.positionInBlock() > 0:
            return  # inside the link: typing there edits its text
        plain = QTextCharFormat(self.rich.currentCharFormat())
        plain.setAnchor(False)
        plain.setAnchorHref("")
        plain.clearProperty(QTextFormat.Property.ForegroundBrush)
        plain.setFontUnderline(False)
        self.rich.setCurrentCharFormat(plain)

    def _link(self) -> None:
        from composer.ui.dialogs.link_dialog import LinkDialog  # on first use: start-up speed

        cursor = self.rich.textCursor()
        dialog = LinkDialog(cursor.selectedText(), self)
        self.link_dialog = dialog

        def accepted() -> None:
            self.rich.setTextCursor(cursor)
            self.insert_link(dialog.address(), dialog.text())
            self.rich.setFocus()

        dialog.accepted.connect(accepted)
        dialog.open()

    def insert_link(self, url: str, text: str = "") -> None:
        """``url`` as typed: a bare domain gets https://, an e-mail address mailto:."""
        from composer.ui.dialogs.link_dialog import normalize_url  # start-up speed

        href = normalize_url(url)
        if not href:
            return
        cursor = self.rich.textCursor()
        shown = text or cursor.selectedText() or url.strip()
        cursor.insertHtml(sanitize_html(f'<a href="{html.escape(href)}">'
                                        f'{html.escape(shown)}</a>'))
        self._leave_link()

    def _clear_format(self) -> None:
        cursor = self.rich.textCursor()
        cursor.setCharFormat(QTextCharFormat())
        self.rich.setCurrentCharFormat(QTextCharFormat())

    # -- cc/bcc ---------------------------------------------------------------------------
    def reveal(self, field: RecipientField) -> None:
        if field is self.cc:
            self._set_cc_visible(True)
        else:
            self._set_bcc_visible(True)
        field.setFocus()

    def _set_cc_visible(self, visible: bool) -> None:
        self.cc.setVisible(visible)
        self._cc_label.setVisible(visible)
        self.show_cc.setVisible(not visible)

    def _set_bcc_visible(self, visible: bool) -> None:
        self.bcc.setVisible(visible)
        self._bcc_label.setVisible(visible)
        self.show_bcc.setVisible(not visible)

    def _changed(self, *_: object) -> None:
        if not self._loading and self._draft is not None and not self._read_only:
            self.attachments.clear_error()  # a refusal is old news once the user acts
            self.draft_edited.emit()

    def choose_files(self) -> None:
        if self._draft is None or self._read_only:
            return
        files = self.pick_files()
        if files:
            self.files_chosen.emit(files)

    def _pick_files(self) -> list[Path]:
        from PySide6.QtWidgets import QFileDialog  # wrapped on first use: start-up speed

        names, _ = QFileDialog.getOpenFileNames(self, self.tr("Attach files"))
        return [Path(n) for n in names]
