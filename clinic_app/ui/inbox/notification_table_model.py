"""Adapts a user's notices (`Notification`, newest first) to a table; unread ones in bold.

Notices come a page at a time: `fetchMore` asks the controller for the next page
(`more_requested`), which answers with the next page (`take_page`).
"""

from __future__ import annotations

from dataclasses import replace
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from clinic_app.notifications.models import Notification, NotificationKind
from clinic_app.ui.icons import icon
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.widgets.record_table_model import ColumnSpec, RecordTableModel

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


_COLUMNS: dict[IntEnum, ColumnSpec[Notification]] = {
    NotificationColumn.WHEN: ColumnSpec("When", lambda notice: local_time(notice.created_at)),
    NotificationColumn.KIND: ColumnSpec(
        "Kind", lambda notice: KIND_LABELS.get(notice.kind, notice.kind.value)
    ),
    NotificationColumn.TITLE: ColumnSpec("Notice", lambda notice: notice.title),
    NotificationColumn.DETAIL: ColumnSpec("Details", lambda notice: notice.body),
}


class NotificationTableModel(RecordTableModel[Notification]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(_COLUMNS, NOTIFICATION_ROLE, parent, row_key=lambda notice: notice.id)

    def extra_data(self, record: Notification, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole and not record.read:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and column == NotificationColumn.TITLE:
            colour = "#8a96a3" if record.read else "#1b6a8a"
            return icon(_KIND_ICONS.get(record.kind, "inbox"), colour)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "unread" if not record.read else "read"
            return f"{state}: {record.title}"
        if role == UNREAD_ROLE:
            return not record.read
        return None

    # --- fed by the controller -----------------------------------------------------------

    def replace_notifications(self, rows: list[Notification], has_more: bool) -> None:
        self.replace_rows(rows, has_more)

    def append_notifications(self, rows: list[Notification], has_more: bool) -> None:
        self.append_rows(rows, has_more)

    def mark_read(self, ids: set[str]) -> None:
        for row, notice in enumerate(self._rows):
            if notice.id in ids and not notice.read:
                self.set_row(row, replace(notice, read=True))

    # --- reading -------------------------------------------------------------------------

    def notification_at(self, row: int) -> Notification | None:
        return self.record_at(row)

    def unread_ids(self) -> list[str]:
        return [n.id for n in self._rows if not n.read]
