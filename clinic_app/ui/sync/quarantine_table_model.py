"""Held records (`QuarantinedItem`, oldest first) as a table: the server's reason first."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from clinic_app.sync.models import QuarantinedItem
from clinic_app.ui.icons import icon
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.sync.sync_log_table_model import short_id
from clinic_app.ui.sync.sync_texts import table_label

ModelIndex = QModelIndex | QPersistentModelIndex
HELD_ITEM_ROLE = Qt.ItemDataRole.UserRole + 1

DIRECTION_LABELS = {
    "push": "Refused by the server",
    "pull": "Can't be stored here",
}


class HeldColumn(IntEnum):
    SINCE = 0
    RECORD = 1
    DIRECTION = 2
    REASON = 3
    ATTEMPTS = 4


_HEADERS = {
    HeldColumn.SINCE: "Held since",
    HeldColumn.RECORD: "Record",
    HeldColumn.DIRECTION: "What happened",
    HeldColumn.REASON: "Reason",
    HeldColumn.ATTEMPTS: "Tries",
}


def reason_text(item: QuarantinedItem) -> str:
    code = f"HTTP {item.status_code}: " if item.status_code else ""
    return f"{code}{item.message}"


class QuarantineTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[QuarantinedItem] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HeldColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        column = HeldColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is HeldColumn.SINCE:
                return local_time(item.created_at)
            if column is HeldColumn.RECORD:
                return f"{table_label(item.entity_type)} {short_id(item.entity_id)}"
            if column is HeldColumn.DIRECTION:
                return DIRECTION_LABELS.get(item.direction, item.direction)
            if column is HeldColumn.REASON:
                return reason_text(item)
            return str(item.attempts)
        if role == Qt.ItemDataRole.ToolTipRole and column is HeldColumn.REASON:
            return reason_text(item)
        if role == Qt.ItemDataRole.DecorationRole and column is HeldColumn.RECORD:
            return icon("warning", "#b54708")
        if role == HELD_ITEM_ROLE:
            return item
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(HeldColumn)
        ):
            return _HEADERS[HeldColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_items(self, items: list[QuarantinedItem]) -> None:
        self.beginResetModel()
        self._rows = list(items)
        self.endResetModel()

    def item_at(self, row: int) -> QuarantinedItem | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, item_id: str) -> int:
        return next((row for row, item in enumerate(self._rows) if item.id == item_id), -1)
