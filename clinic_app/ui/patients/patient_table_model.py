"""Adapts pages of `PatientSummary` to a table, loading more rows as the view scrolls.

The model never calls a service: `fetchMore` emits `more_requested` and the controller answers
with `append_rows` (or `fetch_failed`) once the next page arrives from the database lane.
Sorting likewise emits `sort_requested`; the database sorts, the model only shows.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from clinic_app.patients.models import PatientSummary

ModelIndex = QModelIndex | QPersistentModelIndex

PATIENT_SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 2

_DELETED_COLOUR = QColor("#8a96a3")


class PatientColumn(IntEnum):
    NAME = 0
    BIRTH_DATE = 1
    SEX = 2
    PHONE = 3
    MRN = 4


_HEADERS = {
    PatientColumn.NAME: "Name",
    PatientColumn.BIRTH_DATE: "Date of birth",
    PatientColumn.SEX: "Sex",
    PatientColumn.PHONE: "Phone",
    PatientColumn.MRN: "Record no.",
}
SORTABLE_COLUMNS = frozenset({PatientColumn.NAME, PatientColumn.BIRTH_DATE})
_HANDLED_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        PATIENT_SUMMARY_ROLE,
        PATIENT_ID_ROLE,
    }
)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class PatientTableModel(QAbstractTableModel):
    more_requested = Signal()
    sort_requested = Signal(int, Qt.SortOrder)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[PatientSummary] = []
        self._display: dict[int, tuple[str, ...]] = {}
        self._has_more = False
        self._fetching = False
        self._today = date.today()

    # --- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(PatientColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every visible cell and role on each paint: unhandled roles leave first.
        if role not in _HANDLED_ROLES or not index.isValid():
            return None
        row = index.row()
        if not 0 <= row < len(self._rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display_row(row)[index.column()]
        patient = self._rows[row]
        if role == PATIENT_SUMMARY_ROLE:
            return patient
        if role == PATIENT_ID_ROLE:
            return patient.id
        if not patient.deleted:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return "This record is deleted."
        if role == Qt.ItemDataRole.ForegroundRole:
            return _DELETED_COLOUR
        font = QFont()
        font.setStrikeOut(index.column() == PatientColumn.NAME)
        return font

    def _display_row(self, row: int) -> tuple[str, ...]:
        cached = self._display.get(row)
        if cached is None:
            patient = self._rows[row]
            cached = tuple(self._display_text(patient, column) for column in PatientColumn)
            self._display[row] = cached
        return cached

    def _display_text(self, patient: PatientSummary, column: PatientColumn) -> str:
        if column is PatientColumn.NAME:
            return patient.display_name + (" (deleted)" if patient.deleted else "")
        if column is PatientColumn.BIRTH_DATE:
            age = age_on(patient.birth_date, self._today)
            return f"{patient.birth_date.isoformat()}  ({age} y)"
        if column is PatientColumn.SEX:
            return patient.sex.value.capitalize()
        if column is PatientColumn.PHONE:
            return patient.phone or ""
        return patient.mrn or ""

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(PatientColumn)
        ):
            return _HEADERS[PatientColumn(section)]
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

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_requested.emit(column, order)

    # --- fed by the controller -----------------------------------------------------------

    def replace_rows(self, rows: list[PatientSummary], has_more: bool) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._display.clear()
        self._has_more = has_more
        self._fetching = False
        self._today = date.today()
        self.endResetModel()

    def append_rows(self, rows: list[PatientSummary], has_more: bool) -> None:
        known = {patient.id for patient in self._rows}
        fresh = [patient for patient in rows if patient.id not in known]
        self._fetching = False
        self._has_more = has_more
        if not fresh:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._rows.extend(fresh)
        self.endInsertRows()

    def fetch_failed(self) -> None:
        self._fetching = False

    def update_patient(self, patient: PatientSummary) -> bool:
        """Shows a changed patient in place; False if the patient is not in the list."""
        for row, current in enumerate(self._rows):
            if current.id == patient.id:
                self._rows[row] = patient
                self._display.pop(row, None)
                self.dataChanged.emit(
                    self.index(row, 0), self.index(row, len(PatientColumn) - 1), []
                )
                return True
        return False

    # --- reading -------------------------------------------------------------------------

    def patient_at(self, row: int) -> PatientSummary:
        return self._rows[row]

    def row_of(self, patient_id: str) -> int:
        for row, patient in enumerate(self._rows):
            if patient.id == patient_id:
                return row
        return -1

    @property
    def has_more(self) -> bool:
        return self._has_more

    @property
    def fetching(self) -> bool:
        return self._fetching
