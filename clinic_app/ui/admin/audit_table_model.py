"""Adapts audit events to a table, newest first, loading older pages as the view scrolls."""

from __future__ import annotations

import json
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from clinic_app.storage.audit import AuditEvent
from clinic_app.ui.widgets.record_table_model import ColumnSpec, RecordTableModel

AUDIT_EVENT_ROLE = Qt.ItemDataRole.UserRole + 1
_OUTCOME_COLOURS = {"denied": QColor("#b42318"), "failed": QColor("#a15c00")}


class AuditColumn(IntEnum):
    TIME = 0
    USER = 1
    ACTION = 2
    OUTCOME = 3
    RECORD = 4
    WORKSTATION = 5
    DETAILS = 6


def _record_text(event: AuditEvent) -> str:
    if not event.record_type:
        return ""
    short = (event.record_id or "")[:8]
    return f"{event.record_type} {short}".strip()


_COLUMNS: dict[IntEnum, ColumnSpec[AuditEvent]] = {
    AuditColumn.TIME: ColumnSpec(
        "When", lambda event: event.occurred_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    ),
    AuditColumn.USER: ColumnSpec("User", lambda event: event.username or "—"),
    AuditColumn.ACTION: ColumnSpec("Action", lambda event: event.action),
    AuditColumn.OUTCOME: ColumnSpec("Outcome", lambda event: event.outcome),
    # The full id is in the tooltip: the column shows only enough of it to tell records apart.
    AuditColumn.RECORD: ColumnSpec("Record", _record_text, tooltip=lambda event: event.record_id),
    AuditColumn.WORKSTATION: ColumnSpec("Workstation", lambda event: event.workstation),
    AuditColumn.DETAILS: ColumnSpec(
        "Details",
        lambda event: json.dumps(event.details, sort_keys=True) if event.details else "",
    ),
}


class AuditTableModel(RecordTableModel[AuditEvent]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(_COLUMNS, AUDIT_EVENT_ROLE, parent)

    def foreground(self, record: AuditEvent, column: int) -> QColor | None:
        return _OUTCOME_COLOURS.get(record.outcome) if column == AuditColumn.OUTCOME else None

    def replace_events(self, events: list[AuditEvent], has_more: bool) -> None:
        self.replace_rows(events, has_more)

    def append_events(self, events: list[AuditEvent], has_more: bool) -> None:
        self.append_rows(events, has_more)

    def event_at(self, row: int) -> AuditEvent:
        return self._rows[row]
