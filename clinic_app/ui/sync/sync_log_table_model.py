"""The sync log (`SyncLogEntry`, newest first) as a table: when, what, which record, how many.

Entries name records by table and id only (the log holds no clinical text)."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from clinic_app.sync.models import SyncLogEntry
from clinic_app.ui.icons import icon
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.sync.sync_texts import ATTENTION_EVENTS, EVENT_LABELS, table_label
from clinic_app.ui.widgets.record_table_model import RIGHT_ALIGNED, ColumnSpec, RecordTableModel

LOG_ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
_ATTENTION = QColor("#b42318")


class LogColumn(IntEnum):
    WHEN = 0
    EVENT = 1
    RECORD = 2
    COUNT = 3
    MESSAGE = 4


def short_id(entity_id: str | None) -> str:
    return (entity_id or "")[:8]


def _record_text(entry: SyncLogEntry) -> str:
    if not entry.entity_type:
        return ""
    return f"{table_label(entry.entity_type)} {short_id(entry.entity_id)}".strip()


_COLUMNS: dict[IntEnum, ColumnSpec[SyncLogEntry]] = {
    LogColumn.WHEN: ColumnSpec("When", lambda entry: local_time(entry.at)),
    LogColumn.EVENT: ColumnSpec("Event", lambda entry: EVENT_LABELS.get(entry.event, entry.event)),
    # The column shows enough of the id to tell records apart; the tooltip has all of it.
    LogColumn.RECORD: ColumnSpec("Record", _record_text, tooltip=lambda entry: entry.entity_id),
    LogColumn.COUNT: ColumnSpec(
        "Count", lambda entry: str(entry.count) if entry.count else "", RIGHT_ALIGNED
    ),
    LogColumn.MESSAGE: ColumnSpec("Details", lambda entry: entry.message),
}


class SyncLogTableModel(RecordTableModel[SyncLogEntry]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(_COLUMNS, LOG_ENTRY_ROLE, parent)

    def foreground(self, record: SyncLogEntry, column: int) -> QColor | None:
        return _ATTENTION if record.event in ATTENTION_EVENTS else None

    def extra_data(self, record: SyncLogEntry, column: int, role: int) -> Any:
        if (
            role == Qt.ItemDataRole.DecorationRole
            and column == LogColumn.EVENT
            and record.event in ATTENTION_EVENTS
        ):
            return icon("warning", "#b42318")
        return None

    def replace_entries(self, entries: list[SyncLogEntry]) -> None:
        self.replace_rows(entries)

    def entry_at(self, row: int) -> SyncLogEntry | None:
        return self.record_at(row)

    def events(self) -> list[str]:
        return [entry.event for entry in self._rows]
