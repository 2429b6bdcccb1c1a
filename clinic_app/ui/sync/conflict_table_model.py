"""Open conflicts (`Conflict`, oldest first) as a list: when, what kind, which record."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from clinic_app.sync.models import Conflict
from clinic_app.ui.icons import icon
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.sync.sync_log_table_model import short_id
from clinic_app.ui.sync.sync_texts import KIND_LABELS, table_label

ModelIndex = QModelIndex | QPersistentModelIndex
CONFLICT_ROLE = Qt.ItemDataRole.UserRole + 1


class ConflictColumn(IntEnum):
    FOUND = 0
    KIND = 1
    RECORD = 2
    CHANGED = 3


_HEADERS = {
    ConflictColumn.FOUND: "Found",
    ConflictColumn.KIND: "Kind",
    ConflictColumn.RECORD: "Record",
    ConflictColumn.CHANGED: "Differs in",
}


def differing_names(conflict: Conflict) -> str:
    names = [f.name.replace("_", " ") for f in conflict.fields if f.differs]
    return ", ".join(names)


class ConflictTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Conflict] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ConflictColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        conflict = self._rows[index.row()]
        column = ConflictColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is ConflictColumn.FOUND:
                return local_time(conflict.created_at)
            if column is ConflictColumn.KIND:
                return KIND_LABELS.get(conflict.kind, conflict.kind.value)
            if column is ConflictColumn.RECORD:
                return f"{table_label(conflict.entity_type)} {short_id(conflict.entity_id)}"
            return differing_names(conflict)
        if role == Qt.ItemDataRole.DecorationRole and column is ConflictColumn.KIND:
            return icon("warning", "#b54708")
        if role == Qt.ItemDataRole.ToolTipRole:
            return conflict.detail or None
        if role == CONFLICT_ROLE:
            return conflict
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(ConflictColumn)
        ):
            return _HEADERS[ConflictColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_conflicts(self, conflicts: list[Conflict]) -> None:
        self.beginResetModel()
        self._rows = list(conflicts)
        self.endResetModel()

    def conflict_at(self, row: int) -> Conflict | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, conflict_id: str) -> int:
        return next((row for row, c in enumerate(self._rows) if c.id == conflict_id), -1)
