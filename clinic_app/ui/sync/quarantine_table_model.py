"""Held records (`QuarantinedItem`, oldest first) as a table: the server's reason first."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt

from clinic_app.sync.models import QuarantinedItem
from clinic_app.ui.icons import icon
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.sync.sync_log_table_model import short_id
from clinic_app.ui.sync.sync_texts import table_label
from clinic_app.ui.widgets.record_table_model import ColumnSpec, RecordTableModel

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


def reason_text(item: QuarantinedItem) -> str:
    code = f"HTTP {item.status_code}: " if item.status_code else ""
    return f"{code}{item.message}"


_COLUMNS: dict[IntEnum, ColumnSpec[QuarantinedItem]] = {
    HeldColumn.SINCE: ColumnSpec("Held since", lambda item: local_time(item.created_at)),
    HeldColumn.RECORD: ColumnSpec(
        "Record", lambda item: f"{table_label(item.entity_type)} {short_id(item.entity_id)}"
    ),
    HeldColumn.DIRECTION: ColumnSpec(
        "What happened", lambda item: DIRECTION_LABELS.get(item.direction, item.direction)
    ),
    # A long reason is cut off in its cell: the tooltip shows it whole.
    HeldColumn.REASON: ColumnSpec("Reason", reason_text, tooltip=reason_text),
    HeldColumn.ATTEMPTS: ColumnSpec("Tries", lambda item: str(item.attempts)),
}


class QuarantineTableModel(RecordTableModel[QuarantinedItem]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(_COLUMNS, HELD_ITEM_ROLE, parent)

    def extra_data(self, record: QuarantinedItem, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and column == HeldColumn.RECORD:
            return icon("warning", "#b54708")
        return None

    def replace_items(self, items: list[QuarantinedItem]) -> None:
        self.replace_rows(items)

    def item_at(self, row: int) -> QuarantinedItem | None:
        return self.record_at(row)

    def row_of(self, item_id: str) -> int:
        return self.find_row(lambda item: item.id == item_id)
