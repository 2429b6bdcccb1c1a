"""Adapts audit events to a table, newest first, loading older pages as the view scrolls."""

from __future__ import annotations

import json
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from clinic_app.storage.audit import AuditEvent

ModelIndex = QModelIndex | QPersistentModelIndex

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


_HEADERS = {
    AuditColumn.TIME: "When",
    AuditColumn.USER: "User",
    AuditColumn.ACTION: "Action",
    AuditColumn.OUTCOME: "Outcome",
    AuditColumn.RECORD: "Record",
    AuditColumn.WORKSTATION: "Workstation",
    AuditColumn.DETAILS: "Details",
}


class AuditTableModel(QAbstractTableModel):
    more_requested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._events: list[AuditEvent] = []
        self._has_more = False
        self._fetching = False

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(AuditColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        event = self._events[index.row()]
        column = AuditColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(event, column)
        if role == Qt.ItemDataRole.ToolTipRole and column is AuditColumn.RECORD:
            return event.record_id
        if role == Qt.ItemDataRole.ForegroundRole and column is AuditColumn.OUTCOME:
            return _OUTCOME_COLOURS.get(event.outcome)
        if role == AUDIT_EVENT_ROLE:
            return event
        return None

    @staticmethod
    def _display(event: AuditEvent, column: AuditColumn) -> str:
        if column is AuditColumn.TIME:
            return event.occurred_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        if column is AuditColumn.USER:
            return event.username or "—"
        if column is AuditColumn.ACTION:
            return event.action
        if column is AuditColumn.OUTCOME:
            return event.outcome
        if column is AuditColumn.RECORD:
            if not event.record_type:
                return ""
            short = (event.record_id or "")[:8]
            return f"{event.record_type} {short}".strip()
        if column is AuditColumn.WORKSTATION:
            return event.workstation
        return json.dumps(event.details, sort_keys=True) if event.details else ""

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(AuditColumn)
        ):
            return _HEADERS[AuditColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: ModelIndex) -> bool:
        return not parent.isValid() and self._has_more and not self._fetching

    def fetchMore(self, parent: ModelIndex) -> None:
        if self.canFetchMore(parent):
            self._fetching = True
            self.more_requested.emit()

    def replace_events(self, events: list[AuditEvent], has_more: bool) -> None:
        self.beginResetModel()
        self._events = list(events)
        self._has_more = has_more
        self._fetching = False
        self.endResetModel()

    def append_events(self, events: list[AuditEvent], has_more: bool) -> None:
        self._fetching = False
        self._has_more = has_more
        if not events:
            return
        first = len(self._events)
        self.beginInsertRows(QModelIndex(), first, first + len(events) - 1)
        self._events.extend(events)
        self.endInsertRows()

    def fetch_failed(self) -> None:
        self._fetching = False

    def event_at(self, row: int) -> AuditEvent:
        return self._events[row]
