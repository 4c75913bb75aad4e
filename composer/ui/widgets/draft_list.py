"""The draft list: a model over the cache, filled a page at a time by the storage worker
(never one widget per row), newest first, with full-text search, and a two-line
delegate showing subject, recipients, age and sync state."""

from __future__ import annotations

import functools
from datetime import datetime

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from composer.domain.addresses import parse_addresses
from composer.domain.models import DraftStatus, utcnow
from composer.store.drafts import DraftStore, DraftSummary
from composer.store.sync_state import DELETED_ON_SERVICE, SyncStatus
from composer.ui.bridge import StorageBridge
from composer.ui.messages import error_color, field_label
from composer.ui.widgets.icons import icon

PAGE = 200
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


#: the list's views: drafts being written, sent messages (read-only), deleted drafts
DRAFTS, SENT, DELETED = "drafts", "sent", "deleted"


def _page(store: DraftStore, search: str, offset: int, view: str = DRAFTS,
          limit: int = PAGE) -> list[DraftSummary]:
    if view == DELETED:
        return store.summaries(search=search or None, limit=limit, offset=offset, deleted=True)
    status = DraftStatus.SENT if view == SENT else DraftStatus.DRAFT
    return store.summaries(search=search or None, limit=limit, offset=offset, status=status)


def _tr(text: str) -> str:
    return QCoreApplication.translate("DraftList", text)


def relative_age(when: datetime, now: datetime) -> str:
    seconds = max((now - when).total_seconds(), 0)
    if seconds < 60:
        return _tr("now")
    if seconds < 3600:
        return _tr("%1 min").replace("%1", str(int(seconds // 60)))
    if seconds < 86400:
        return _tr("%1 h").replace("%1", str(int(seconds // 3600)))
    if seconds < 7 * 86400:
        return _tr("%1 d").replace("%1", str(int(seconds // 86400)))
    return when.strftime("%d %b %Y")


def clock_time(when: datetime, now: datetime) -> str:
    """A past moment in local time, as short as is clear: 14:02 today, else 3 Dec 14:02."""
    local, today = when.astimezone(), now.astimezone()
    if local.date() == today.date():
        return f"{local:%H:%M}"
    return f"{local:%d %b %H:%M}"


@functools.lru_cache(maxsize=4096)
def display_recipients(header: str) -> str:
    """``"Doe, J" <j@y.test>, ann@x.test`` as a person reads it: ``Doe, J, ann@x.test``."""

    return ", ".join((a.name or a.addr) if a.valid else (a.raw or a.addr)
                     for a in parse_addresses(header))


def send_time(s: DraftSummary, *, year: bool = False) -> str:
    """A send-later instant in the zone it was chosen in, with the zone named (the picker,
    the status line, the header and the list all say the same)."""
    assert s.send_at is not None
    import zoneinfo

    try:
        zone = zoneinfo.ZoneInfo(s.send_tz) if s.send_tz else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = None
    local = s.send_at.astimezone(zone) if zone else s.send_at.astimezone()
    name = s.send_tz if zone else (local.tzname() or "")
    return f"{local:%a %d %b %Y %H:%M} ({name})" if year else f"{local:%d %b %H:%M} {name}"


def sync_words(s: DraftSummary) -> str:
    """The sync state in full: what happened and, when something is wrong, what to do."""
    if s.status is DraftStatus.SENT:
        return _tr("sent")
    if s.sync is None or s.account is None:
        state = _tr("on this computer")
    elif s.sync is SyncStatus.FAILED:
        state = failure_words(s)
    elif s.sync is SyncStatus.SYNCED and s.last_synced_at is not None:
        state = _tr("synced at %1").replace("%1", clock_time(s.last_synced_at, utcnow()))
    elif s.sync is SyncStatus.CONFLICT and s.sync_error_kind == DELETED_ON_SERVICE:
        state = _tr("deleted on the service while you edited it here — save it there "
                    "again, or delete it here too")
    elif s.sync is SyncStatus.CONFLICT:
        state = _tr("changed here and on the service — choose which version to keep")
    else:
        state = {SyncStatus.PENDING: _tr("waiting"), SyncStatus.SYNCING: _tr("syncing"),
                 SyncStatus.SYNCED: _tr("synced"), SyncStatus.CONFLICT: _tr("conflict"),
                 SyncStatus.LOCAL: _tr("on this computer"), SyncStatus.SENT: _tr("sent"),
                 SyncStatus.FAILED: _tr("failed")}[s.sync]
    if s.send_at is not None:
        state = _tr("scheduled %1 · %2").replace(
            "%1", send_time(s, year=True)).replace("%2", state)
    return state


def short_sync_words(s: DraftSummary) -> str:
    """The sync state in a word or two, for a row of the list (the tooltip has it all)."""
    if s.status is DraftStatus.SENT:
        return _tr("sent")
    if s.sync is None or s.account is None or s.sync is SyncStatus.LOCAL:
        state = _tr("on this computer")
    elif s.sync is SyncStatus.FAILED:
        kind = s.sync_error_kind
        if kind == "auth":
            state = _tr("sign-in refused")
        elif kind in ("validation", "forbidden", "unsupported"):
            state = _tr("not accepted")
        elif kind in ("transient", "rate_limited") and s.retry_at is not None:
            state = _tr("retry at %1").replace("%1", f"{s.retry_at.astimezone():%H:%M}")
        elif kind == "protocol":
            state = _tr("not understood")
        else:
            state = _tr("failed")
    elif s.sync is SyncStatus.CONFLICT and s.sync_error_kind == DELETED_ON_SERVICE:
        state = _tr("deleted there")
    elif s.sync is SyncStatus.SYNCED and s.last_synced_at is not None:
        state = _tr("synced %1").replace("%1", clock_time(s.last_synced_at, utcnow()))
    else:
        state = {SyncStatus.PENDING: _tr("waiting"), SyncStatus.SYNCING: _tr("syncing"),
                 SyncStatus.SYNCED: _tr("synced"), SyncStatus.CONFLICT: _tr("conflict"),
                 SyncStatus.SENT: _tr("sent")}[s.sync]
    if s.send_at is not None and not needs_attention(s):
        # Room for one thing: when it goes out (a problem, when there is one, wins).
        state = _tr("sends %1").replace("%1", send_time(s))
    return state


def needs_attention(s: DraftSummary) -> bool:
    return s.status is not DraftStatus.SENT and s.sync in (SyncStatus.FAILED,
                                                           SyncStatus.CONFLICT)


def failure_words(s: DraftSummary) -> str:
    """What went wrong and what the user can do about it."""
    kind = s.sync_error_kind
    reason = s.sync_error or ""
    if kind == "auth":
        return _tr("sign-in refused (%1) — re-enter the password or key under Accounts") \
            .replace("%1", reason)
    if kind in ("validation", "forbidden", "unsupported"):
        text = _tr("not accepted by the service — %1: %2 — change it and it syncs again") \
            if s.sync_field else _tr("not accepted by the service: %2 — change the draft "
                                     "and it syncs again")
        return text.replace("%1", field_label(s.sync_field or "")).replace("%2", reason)
    if kind in ("transient", "rate_limited") and s.retry_at is not None:
        return _tr("will retry at %1 (%2)").replace(
            "%1", f"{s.retry_at.astimezone():%H:%M}").replace("%2", reason)
    if kind == "protocol":
        return _tr("the service answered in a way this version does not understand (%1) — "
                   "it is tried again when you change the draft or update the app") \
            .replace("%1", reason)
    return _tr("failed: %1").replace("%1", reason) if reason else _tr("failed")


class DraftListModel(QAbstractListModel):
    loaded = Signal()

    def __init__(self, bridge: StorageBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._rows: list[DraftSummary] = []
        self._search = ""
        self._view = DRAFTS
        self._more = True
        self._loading = False
        self._generation = 0
        self.now = utcnow

    # -- Qt model -------------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        s = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return s.subject or _tr("(no subject)")
        if role == SUMMARY_ROLE:
            return s
        words = sync_words(s)
        if role == Qt.ItemDataRole.ToolTipRole:
            files = _tr("\n%1 attached").replace("%1", str(s.attachment_count)) \
                if s.attachment_count else ""
            return f"{s.subject or _tr('(no subject)')}\n{s.recipients}\n{words}{files}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            files = f", {s.attachment_count} attached" if s.attachment_count else ""
            return f"{s.subject or 'no subject'}, to " \
                   f"{display_recipients(s.recipients) or 'nobody yet'}, " \
                   f"{relative_age(s.updated_at, self.now())} ago, {words}{files}"
        return None

    def canFetchMore(self, parent: Index = _ROOT) -> bool:
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent: Index = _ROOT) -> None:
        if not self.canFetchMore(parent):
            return
        self._loading = True
        generation = self._generation
        self._bridge.submit(functools.partial(_page, search=self._search,
                                              offset=len(self._rows), view=self._view),
                            lambda rows: self._append(generation, rows),
                            lambda _: self._failed(generation))

    # -- loading --------------------------------------------------------------------------
    def set_search(self, text: str) -> None:
        self._search = text.strip()
        self.reload()

    @property
    def view(self) -> str:
        return self._view

    @property
    def search_text(self) -> str:
        return self._search

    def set_view(self, view: str) -> None:
        """Drafts, Sent or Deleted (a fresh first page of that view)."""
        self._view = view
        self.beginResetModel()
        self._rows = []
        self.endResetModel()
        self.reload()

    def reload(self) -> None:
        """Load the first page again (after saves, deletes, a search)."""
        self._generation += 1
        generation = self._generation
        wanted = max(PAGE, len(self._rows))
        self._loading = True
        load = functools.partial(_page, search=self._search, offset=0, view=self._view,
                                 limit=wanted)
        self._bridge.submit(load, lambda rows: self._replace(generation, rows, wanted),
                            lambda _: self._failed(generation))

    def _replace(self, generation: int, rows: list[DraftSummary], wanted: int) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._rows = rows
        self._more = len(rows) >= wanted
        self._loading = False
        self.endResetModel()
        self.loaded.emit()

    def _append(self, generation: int, rows: list[DraftSummary]) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._more = len(rows) >= PAGE
        if rows:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self.loaded.emit()

    def _failed(self, generation: int) -> None:
        if generation == self._generation:
            self._loading = False
            self._more = False

    def summary(self, row: int) -> DraftSummary:
        return self._rows[row]

    def row_of(self, draft_id: str) -> int:
        return next((i for i, s in enumerate(self._rows) if s.id == draft_id), -1)

    @property
    def loading(self) -> bool:
        return self._loading


class DraftDelegate(QStyledItemDelegate):
    """Two lines per draft: subject and age; recipients and sync state."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        height = option.fontMetrics.height()
        return QSize(200, height * 2 + 14)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        summary = index.data(SUMMARY_ROLE)
        if not isinstance(summary, DraftSummary):
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        if style is not None:
            option.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter,
                              option.widget)
        rect: QRect = option.rect.adjusted(8, 5, -8, -5)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        text = palette.color(QPalette.ColorRole.HighlightedText if selected
                             else QPalette.ColorRole.Text)
        muted = palette.color(QPalette.ColorRole.HighlightedText if selected
                              else QPalette.ColorRole.PlaceholderText)
        font = QFont(option.font)
        line = option.fontMetrics.height()
        painter.save()
        age = relative_age(summary.updated_at, utcnow())
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(font)
        age_width = painter.fontMetrics().horizontalAdvance(age) + 6
        painter.setPen(muted)
        painter.drawText(QRect(rect.right() - age_width, rect.top(), age_width, line),
                         Qt.AlignmentFlag.AlignRight, age)
        if summary.attachment_count:  # a paperclip before the age
            clip = QRect(rect.right() - age_width - line - 2, rect.top(), line, line)
            icon("attach").paint(painter, clip)
            age_width += line + 4
        painter.setFont(bold)
        painter.setPen(text)
        subject = painter.fontMetrics().elidedText(summary.subject or _tr("(no subject)"),
                                                   Qt.TextElideMode.ElideRight,
                                                   rect.width() - age_width)
        painter.drawText(QRect(rect.left(), rect.top(), rect.width() - age_width, line),
                         Qt.AlignmentFlag.AlignLeft, subject)
        painter.setFont(font)
        # Second line: the sync state on the right, always readable (at most 60% of the
        # row); the recipients take what is left.
        metrics = painter.fontMetrics()
        top = rect.top() + line + 2
        state = metrics.elidedText(
            short_sync_words(summary),
            Qt.TextElideMode.ElideRight, rect.width() * 3 // 5)
        state_width = metrics.horizontalAdvance(state) + 2
        attention = needs_attention(summary) and not selected
        painter.setPen(error_color(palette.color(QPalette.ColorRole.Base)) if attention
                       else muted)
        painter.drawText(QRect(rect.right() - state_width, top, state_width, line),
                         Qt.AlignmentFlag.AlignRight, state)
        painter.setPen(muted)
        room = rect.width() - state_width - 10
        recipients = metrics.elidedText(display_recipients(summary.recipients)
                                        or _tr("(no recipients)"),
                                        Qt.TextElideMode.ElideRight, room)
        painter.drawText(QRect(rect.left(), top, room, line), Qt.AlignmentFlag.AlignLeft,
                         recipients)
        painter.restore()
