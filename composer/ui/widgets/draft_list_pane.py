"""The window's left pane: Drafts / Sent / Deleted, the search box, the list, and what
shows instead of it when it is empty or a search finds nothing."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListView,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from composer.ui.bridge import StorageBridge
from composer.ui.widgets.draft_list import DELETED, DRAFTS, SENT, DraftDelegate, DraftListModel


class DraftListPane(QWidget):
    #: a row was clicked or activated (the draft's id)
    draft_chosen = Signal(str)

    def __init__(self, bridge: StorageBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search drafts"))
        self.search.setAccessibleName(self.tr("Search drafts"))
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self.model: DraftListModel = DraftListModel(bridge, self)
        self._search_timer.timeout.connect(
            lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        #: Drafts / Sent / Deleted: sent messages leave the drafts, read-only
        self.views = QTabBar()
        self.views.setAccessibleName(self.tr("Show"))
        self.views.setExpanding(False)
        self.views.setDrawBase(False)
        for view, title in ((DRAFTS, self.tr("Drafts")), (SENT, self.tr("Sent")),
                            (DELETED, self.tr("Deleted"))):
            self.views.setTabData(self.views.addTab(title), view)
        self.views.currentChanged.connect(self._on_view)
        self.no_results = QLabel(self.tr("No drafts match this search."))
        self.no_results.setObjectName("noResults")
        self.no_results.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_results.setWordWrap(True)
        self.no_results.hide()
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setItemDelegate(DraftDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setAccessibleName(self.tr("Drafts"))
        self.list.clicked.connect(self._on_clicked)
        self.list.activated.connect(self._on_clicked)
        self.empty = QLabel(self.tr("No drafts yet.\nPress Ctrl+N to write one —\nit is "
                                    "saved as you type."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName(self.tr("No drafts yet"))
        self.left_stack = QStackedWidget()
        self.left_stack.addWidget(self.list)
        self.left_stack.addWidget(self.empty)
        left_layout = QVBoxLayout(self)
        left_layout.setContentsMargins(6, 6, 0, 6)
        left_layout.addWidget(self.views)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.no_results)
        left_layout.addWidget(self.left_stack, 1)

    def show_loaded(self) -> None:
        """The list was loaded: the list, or why it is empty."""
        view = self.model.view
        nothing = self.model.rowCount() == 0
        searching = bool(self.model.search_text)
        self.empty.setText({
            DRAFTS: self.tr("No drafts yet.\nPress Ctrl+N to write one —\nit is saved as you "
                            "type."),
            SENT: self.tr("Nothing sent yet."),
            DELETED: self.tr("No deleted drafts.")}[view])
        self.left_stack.setCurrentIndex(1 if nothing and not searching else 0)
        self.no_results.setText(self.tr("Nothing matches “%1”. (Escape clears the search.)")
                                .replace("%1", self.model.search_text))
        self.no_results.setVisible(nothing and searching)

    def select(self, draft_id: str) -> int:
        """Select ``draft_id``'s row if it is in the list; returns the row, or -1."""
        row = self.model.row_of(draft_id)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))
        return row

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.draft_chosen.emit(self.model.summary(index.row()).id)

    def _on_view(self, index: int) -> None:
        view = str(self.views.tabData(index))
        words = {DRAFTS: self.tr("Search drafts"), SENT: self.tr("Search sent messages"),
                 DELETED: self.tr("Search deleted drafts")}.get(view, self.tr("Search"))
        self.search.setPlaceholderText(words)
        self.search.setAccessibleName(words)
        self.model.set_view(view)

    def show_view(self, view: str) -> None:
        """Drafts, Sent or Deleted in the list (the menu's View items)."""
        for i in range(self.views.count()):
            if self.views.tabData(i) == view:
                self.views.setCurrentIndex(i)
