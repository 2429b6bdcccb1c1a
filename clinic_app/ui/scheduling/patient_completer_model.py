"""The booking dialog's patient suggestions: the best matches of a search, for a QCompleter.

The model never searches: the booking controller runs the patients service's search on the
database lane and hands the results to `replace_rows`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from clinic_app.patients.models import PatientSummary

ModelIndex = QModelIndex | QPersistentModelIndex

PATIENT_ROLE = Qt.ItemDataRole.UserRole + 1
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 2


def patient_line(patient: PatientSummary) -> str:
    parts = [patient.display_name, f"born {patient.birth_date.isoformat()}"]
    if patient.mrn:
        parts.append(patient.mrn)
    return " · ".join(parts)


class PatientCompleterModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[PatientSummary] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        patient = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return patient_line(patient)
        if role == Qt.ItemDataRole.EditRole:
            # What the completer writes into the line edit once a patient is chosen.
            return patient.display_name
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Phone: {patient.phone}" if patient.phone else "No phone number on file"
        if role == PATIENT_ROLE:
            return patient
        if role == PATIENT_ID_ROLE:
            return patient.id
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_rows(self, rows: list[PatientSummary]) -> None:
        self.beginResetModel()
        self._rows = [patient for patient in rows if not patient.deleted]
        self.endResetModel()

    def patient_at(self, row: int) -> PatientSummary:
        return self._rows[row]
