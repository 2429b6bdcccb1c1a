"""Adapts a user's notices (`Notification`, newest first) to a table; unread ones in bold.

Notices come a page at a time: `fetchMore` asks the controller for the next page
(`more_requested`), which answers with `append_notifications`.
"""

from __future__ import annotations

from dataclasses import replace
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont

from clinic_app.notifications.models import Notification, NotificationKind
from clinic_app.ui.icons import icon
from clinic_app.ui.records.time_format import local_time

ModelIndex = QModelIndex | QPersistentModelIndex

NOTIFICATION_ROLE = Qt.ItemDataRole.UserRole + 1
UNREAD_ROLE = Qt.ItemDataRole.UserRole + 2

KIND_LABELS = {
    NotificationKind.ASSIGNED: "Review",
    NotificationKind.ANNOTATION_ADDED: "Annotation",
    NotificationKind.APPOINTMENT_REMINDER: "Appointment",
    NotificationKind.SYNC_CONFLICT: "Sync conflict",
    NotificationKind.SYSTEM: "System",
}
_KIND_ICONS = {
    NotificationKind.ASSIGNED: "worklist",
    NotificationKind.ANNOTATION_ADDED: "annotation",
    NotificationKind.SYNC_CONFLICT: "warning",
}


class NotificationColumn(IntEnum):
    WHEN = 0
    KIND = 1
    TITLE = 2
    DETAIL = 3


_HEADERS = {
    NotificationColumn.WHEN: "When",
    NotificationColumn.KIND: "Kind",
    NotificationColumn.TITLE: "Notice",
    NotificationColumn.DETAIL: "Details",
}


class NotificationTableModel(QAbstractTableModel):
    more_requested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Notification] = []
        self._has_more = False
        self._fetching = False

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(NotificationColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        notice = self._rows[index.row()]
        column = NotificationColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is NotificationColumn.WHEN:
                return local_time(notice.created_at)
            if column is NotificationColumn.KIND:
                return KIND_LABELS.get(notice.kind, notice.kind.value)
            if column is NotificationColumn.TITLE:
                return notice.title
            return notice.body
        if role == Qt.ItemDataRole.FontRole and not notice.read:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and column is NotificationColumn.TITLE:
            colour = "#8a96a3" if notice.read else "#1b6a8a"
            return icon(_KIND_ICONS.get(notice.kind, "inbox"), colour)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "unread" if not notice.read else "read"
            return f"{state}: {notice.title}"
        if role == NOTIFICATION_ROLE:
            return notice
        if role == UNREAD_ROLE:
            return not notice.read
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(NotificationColumn)
        ):
            return _HEADERS[NotificationColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: ModelIndex) -> bool:
        return not parent.isValid() and self._has_more and not self._fetching

    def fetchMore(self, parent: ModelIndex) -> None:
        if self.canFetchMore(parent):
            self._fetching = True
            self.more_requested.emit()

    # --- fed by the controller -----------------------------------------------------------

    def replace_notifications(self, rows: list[Notification], has_more: bool) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._has_more = has_more
        self._fetching = False
        self.endResetModel()

    def append_notifications(self, rows: list[Notification], has_more: bool) -> None:
        known = {n.id for n in self._rows}
        fresh = [n for n in rows if n.id not in known]
        self._fetching = False
        self._has_more = has_more
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            self.endInsertRows()

    def fetch_failed(self) -> None:
        self._fetching = False

    def mark_read(self, ids: set[str]) -> None:
        for row, notice in enumerate(self._rows):
            if notice.id in ids and not notice.read:
                self._rows[row] = replace(notice, read=True)
                last = self.index(row, len(NotificationColumn) - 1)
                self.dataChanged.emit(self.index(row, 0), last, [])

    def notification_at(self, row: int) -> Notification | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def unread_ids(self) -> list[str]:
        return [n.id for n in self._rows if not n.read]
