"""The sync log (`SyncLogEntry`, newest first) as a table: when, what, which record, how many.

Entries name records by table and id only (the log holds no clinical text)."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from clinic_app.sync.models import SyncLogEntry
from clinic_app.ui.icons import icon
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.sync.sync_texts import ATTENTION_EVENTS, EVENT_LABELS, table_label

ModelIndex = QModelIndex | QPersistentModelIndex
LOG_ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
_ATTENTION = QColor("#b42318")


class LogColumn(IntEnum):
    WHEN = 0
    EVENT = 1
    RECORD = 2
    COUNT = 3
    MESSAGE = 4


_HEADERS = {
    LogColumn.WHEN: "When",
    LogColumn.EVENT: "Event",
    LogColumn.RECORD: "Record",
    LogColumn.COUNT: "Count",
    LogColumn.MESSAGE: "Details",
}


def short_id(entity_id: str | None) -> str:
    return (entity_id or "")[:8]


class SyncLogTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[SyncLogEntry] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(LogColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        column = LogColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is LogColumn.WHEN:
                return local_time(entry.at)
            if column is LogColumn.EVENT:
                return EVENT_LABELS.get(entry.event, entry.event)
            if column is LogColumn.RECORD:
                if not entry.entity_type:
                    return ""
                return f"{table_label(entry.entity_type)} {short_id(entry.entity_id)}".strip()
            if column is LogColumn.COUNT:
                return str(entry.count) if entry.count else ""
            return entry.message
        if role == Qt.ItemDataRole.ForegroundRole and entry.event in ATTENTION_EVENTS:
            return _ATTENTION
        if (
            role == Qt.ItemDataRole.DecorationRole
            and column is LogColumn.EVENT
            and entry.event in ATTENTION_EVENTS
        ):
            return icon("warning", "#b42318")
        if role == Qt.ItemDataRole.ToolTipRole and column is LogColumn.RECORD and entry.entity_id:
            return entry.entity_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column is LogColumn.COUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == LOG_ENTRY_ROLE:
            return entry
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(LogColumn)
        ):
            return _HEADERS[LogColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_entries(self, entries: list[SyncLogEntry]) -> None:
        self.beginResetModel()
        self._rows = list(entries)
        self.endResetModel()

    def entry_at(self, row: int) -> SyncLogEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def events(self) -> list[str]:
        return [entry.event for entry in self._rows]
