"""Today's queue as a table: time, patient, doctor and room, type, status, waiting time."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from clinic_app.scheduling.calendar_models import QueueEntry
from clinic_app.scheduling.models import AppointmentStatus
from clinic_app.ui.scheduling.appointment_labels import (
    STATUS_COLOURS,
    clock_time,
    status_label,
    type_label,
    waiting_text,
)

ModelIndex = QModelIndex | QPersistentModelIndex

QUEUE_ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
APPOINTMENT_ID_ROLE = Qt.ItemDataRole.UserRole + 2
LONG_WAIT_MINUTES = 30


class QueueColumn(IntEnum):
    TIME = 0
    PATIENT = 1
    DOCTOR = 2
    TYPE = 3
    STATUS = 4
    WAITING = 5


_HEADERS = {
    QueueColumn.TIME: "Time",
    QueueColumn.PATIENT: "Patient",
    QueueColumn.DOCTOR: "Doctor · room",
    QueueColumn.TYPE: "Type",
    QueueColumn.STATUS: "Status",
    QueueColumn.WAITING: "Waiting",
}


class QueueTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[QueueEntry] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(QueueColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        column = QueueColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, column)
        if role == Qt.ItemDataRole.ForegroundRole and column is QueueColumn.STATUS:
            return QColor(STATUS_COLOURS[entry.appointment.status])
        if role == Qt.ItemDataRole.ForegroundRole and column is QueueColumn.WAITING:
            waiting = entry.waiting_minutes or 0
            return QColor("#b42318") if waiting >= LONG_WAIT_MINUTES else None
        if role == Qt.ItemDataRole.FontRole and column is QueueColumn.STATUS and entry.arrived:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column is QueueColumn.WAITING and entry.arrived:
            return "Minutes since the patient checked in"
        if role == QUEUE_ENTRY_ROLE:
            return entry
        if role == APPOINTMENT_ID_ROLE:
            return entry.appointment.id
        return None

    @staticmethod
    def _display(entry: QueueEntry, column: QueueColumn) -> str:
        appointment = entry.appointment
        if column is QueueColumn.TIME:
            return "Walk-in" if appointment.walk_in else clock_time(appointment.local_start)
        if column is QueueColumn.PATIENT:
            return appointment.patient_name
        if column is QueueColumn.DOCTOR:
            return f"{entry.doctor_name} · {entry.room}" if entry.room else entry.doctor_name
        if column is QueueColumn.TYPE:
            return type_label(appointment.appointment_type)
        if column is QueueColumn.STATUS:
            if appointment.status is AppointmentStatus.ARRIVED and appointment.arrived_at:
                arrived = appointment.arrived_at.astimezone(appointment.local_start.tzinfo)
                return f"Arrived {clock_time(arrived)}"
            return status_label(appointment.status)
        return waiting_text(entry.waiting_minutes)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(QueueColumn)
        ):
            return _HEADERS[QueueColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_rows(self, rows: list[QueueEntry]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def entry_at(self, row: int) -> QueueEntry:
        return self._rows[row]

    def row_of(self, appointment_id: str) -> int:
        for row, entry in enumerate(self._rows):
            if entry.appointment.id == appointment_id:
                return row
        return -1
