"""Adapts a doctor's worklist (`WorklistItem`: what waits for their review) to a table."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from clinic_app.records.models import ReviewStatus, WorklistItem
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.records.user_directory import UserDirectory
from clinic_app.ui.widgets.record_table_model import ColumnSpec, RecordTableModel

WORKLIST_ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
_DONE = QColor("#5b6b79")


class WorklistColumn(IntEnum):
    PATIENT = 0
    ITEM = 1
    DATE = 2
    ASSIGNED = 3
    BY = 4
    STATUS = 5


def _done(item: WorklistItem) -> bool:
    return item.assignment.status is ReviewStatus.COMPLETED


def _what_text(item: WorklistItem) -> str:
    kind = "Visit" if item.assignment.target_type.value == "visit" else "Record"
    return f"{kind}: {' '.join(item.target_title.split())}"


class WorklistTableModel(RecordTableModel[WorklistItem]):
    def __init__(self, parent: Any = None) -> None:
        columns: dict[IntEnum, ColumnSpec[WorklistItem]] = {
            WorklistColumn.PATIENT: ColumnSpec("Patient", lambda item: item.patient_name),
            WorklistColumn.ITEM: ColumnSpec("To review", _what_text),
            WorklistColumn.DATE: ColumnSpec("Dated", lambda item: local_time(item.target_date)),
            WorklistColumn.ASSIGNED: ColumnSpec(
                "Assigned", lambda item: local_time(item.assignment.created_at)
            ),
            WorklistColumn.BY: ColumnSpec(
                "By", lambda item: self._people.name(item.assignment.assigned_by_id)
            ),
            WorklistColumn.STATUS: ColumnSpec(
                "Status", lambda item: "Completed" if _done(item) else "Waiting"
            ),
        }
        super().__init__(columns, WORKLIST_ITEM_ROLE, parent)
        self._people = UserDirectory()

    def foreground(self, record: WorklistItem, column: int) -> QColor | None:
        return _DONE if _done(record) else None

    def replace_items(self, items: list[WorklistItem], people: UserDirectory) -> None:
        self._people = people
        self.replace_rows(items)

    def item_at(self, row: int) -> WorklistItem | None:
        return self.record_at(row)
