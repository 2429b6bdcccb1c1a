"""Tomorrow's appointments for reminder calls: time, patient, phone, doctor, confirmed."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from clinic_app.scheduling.calendar_models import ReminderCall
from clinic_app.ui.scheduling.appointment_labels import clock_time

ModelIndex = QModelIndex | QPersistentModelIndex

REMINDER_CALL_ROLE = Qt.ItemDataRole.UserRole + 1


class ReminderColumn(IntEnum):
    TIME = 0
    PATIENT = 1
    PHONE = 2
    DOCTOR = 3
    CONFIRMED = 4


_HEADERS = {
    ReminderColumn.TIME: "Time",
    ReminderColumn.PATIENT: "Patient",
    ReminderColumn.PHONE: "Phone",
    ReminderColumn.DOCTOR: "Doctor",
    ReminderColumn.CONFIRMED: "Booking",
}


class ReminderCallTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ReminderCall] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ReminderColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        call = self._rows[index.row()]
        column = ReminderColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(call, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column is ReminderColumn.PHONE and not call.phone:
                return QColor("#b42318")
            if column is ReminderColumn.CONFIRMED and not call.confirmed:
                return QColor("#7a4b00")
        if role == Qt.ItemDataRole.ToolTipRole and column is ReminderColumn.CONFIRMED:
            return (
                "Confirmed by the clinic's server"
                if call.confirmed
                else "Booked on this workstation, not yet confirmed by the server"
            )
        if role == REMINDER_CALL_ROLE:
            return call
        return None

    @staticmethod
    def _display(call: ReminderCall, column: ReminderColumn) -> str:
        if column is ReminderColumn.TIME:
            return clock_time(call.local_start)
        if column is ReminderColumn.PATIENT:
            return call.patient_name
        if column is ReminderColumn.PHONE:
            return call.phone or "no phone number"
        if column is ReminderColumn.DOCTOR:
            return call.doctor_name
        return "Confirmed" if call.confirmed else "Provisional"

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(ReminderColumn)
        ):
            return _HEADERS[ReminderColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_rows(self, rows: list[ReminderCall]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def call_at(self, row: int) -> ReminderCall:
        return self._rows[row]
