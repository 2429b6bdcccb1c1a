"""Adapts a doctor's worklist (`WorklistItem`: what waits for their review) to a table."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from clinic_app.records.models import ReviewStatus, WorklistItem
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.records.user_directory import UserDirectory

ModelIndex = QModelIndex | QPersistentModelIndex

WORKLIST_ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
_DONE = QColor("#5b6b79")


class WorklistColumn(IntEnum):
    PATIENT = 0
    ITEM = 1
    DATE = 2
    ASSIGNED = 3
    BY = 4
    STATUS = 5


_HEADERS = {
    WorklistColumn.PATIENT: "Patient",
    WorklistColumn.ITEM: "To review",
    WorklistColumn.DATE: "Dated",
    WorklistColumn.ASSIGNED: "Assigned",
    WorklistColumn.BY: "By",
    WorklistColumn.STATUS: "Status",
}


class WorklistTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[WorklistItem] = []
        self._people = UserDirectory()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(WorklistColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        assignment = item.assignment
        column = WorklistColumn(index.column())
        done = assignment.status is ReviewStatus.COMPLETED
        if role == Qt.ItemDataRole.DisplayRole:
            if column is WorklistColumn.PATIENT:
                return item.patient_name
            if column is WorklistColumn.ITEM:
                kind = "Visit" if assignment.target_type.value == "visit" else "Record"
                return f"{kind}: {' '.join(item.target_title.split())}"
            if column is WorklistColumn.DATE:
                return local_time(item.target_date)
            if column is WorklistColumn.ASSIGNED:
                return local_time(assignment.created_at)
            if column is WorklistColumn.BY:
                return self._people.name(assignment.assigned_by_id)
            return "Completed" if done else "Waiting"
        if role == Qt.ItemDataRole.ForegroundRole and done:
            return _DONE
        if role == WORKLIST_ITEM_ROLE:
            return item
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(WorklistColumn)
        ):
            return _HEADERS[WorklistColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_items(self, items: list[WorklistItem], people: UserDirectory) -> None:
        self.beginResetModel()
        self._rows = list(items)
        self._people = people
        self.endResetModel()

    def item_at(self, row: int) -> WorklistItem | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None
