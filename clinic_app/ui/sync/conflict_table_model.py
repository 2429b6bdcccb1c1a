"""Open conflicts (`Conflict`, oldest first) as a list: when, what kind, which record."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt

from clinic_app.sync.models import Conflict
from clinic_app.ui.icons import icon
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.sync.sync_log_table_model import short_id
from clinic_app.ui.sync.sync_texts import KIND_LABELS, table_label
from clinic_app.ui.widgets.record_table_model import ColumnSpec, RecordTableModel

CONFLICT_ROLE = Qt.ItemDataRole.UserRole + 1


class ConflictColumn(IntEnum):
    FOUND = 0
    KIND = 1
    RECORD = 2
    CHANGED = 3


def differing_names(conflict: Conflict) -> str:
    names = [f.name.replace("_", " ") for f in conflict.fields if f.differs]
    return ", ".join(names)


def _detail(conflict: Conflict) -> str:
    return conflict.detail


# The service's explanation is the tooltip of the whole row, whichever cell the pointer is on.
_COLUMNS: dict[IntEnum, ColumnSpec[Conflict]] = {
    ConflictColumn.FOUND: ColumnSpec(
        "Found", lambda conflict: local_time(conflict.created_at), tooltip=_detail
    ),
    ConflictColumn.KIND: ColumnSpec(
        "Kind",
        lambda conflict: KIND_LABELS.get(conflict.kind, conflict.kind.value),
        tooltip=_detail,
    ),
    ConflictColumn.RECORD: ColumnSpec(
        "Record",
        lambda conflict: f"{table_label(conflict.entity_type)} {short_id(conflict.entity_id)}",
        tooltip=_detail,
    ),
    ConflictColumn.CHANGED: ColumnSpec("Differs in", differing_names, tooltip=_detail),
}


class ConflictTableModel(RecordTableModel[Conflict]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(_COLUMNS, CONFLICT_ROLE, parent)

    def extra_data(self, record: Conflict, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and column == ConflictColumn.KIND:
            return icon("warning", "#b54708")
        return None

    def replace_conflicts(self, conflicts: list[Conflict]) -> None:
        self.replace_rows(conflicts)

    def conflict_at(self, row: int) -> Conflict | None:
        return self.record_at(row)

    def row_of(self, conflict_id: str) -> int:
        return self.find_row(lambda conflict: conflict.id == conflict_id)
