"""The clinic's patients an import's DICOM patient may be, with why each was proposed."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from clinic_app.imaging.summaries import PatientCandidate

ModelIndex = QModelIndex | QPersistentModelIndex

CANDIDATE_ROLE = Qt.ItemDataRole.UserRole + 1


class CandidateColumn(IntEnum):
    NAME = 0
    BIRTH_DATE = 1
    RECORD = 2
    REASONS = 3


_HEADERS = {
    CandidateColumn.NAME: "Patient in this clinic",
    CandidateColumn.BIRTH_DATE: "Born",
    CandidateColumn.RECORD: "Record no.",
    CandidateColumn.REASONS: "Why proposed",
}


class CandidateTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[PatientCandidate] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CandidateColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        candidate = self._rows[index.row()]
        patient = candidate.patient
        column = CandidateColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column is CandidateColumn.NAME:
                return patient.display_name
            if column is CandidateColumn.BIRTH_DATE:
                return patient.birth_date.isoformat()
            if column is CandidateColumn.RECORD:
                return patient.mrn or ""
            return "; ".join(candidate.reasons) or "similar details"
        if role == CANDIDATE_ROLE:
            return candidate
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(CandidateColumn)
        ):
            return _HEADERS[CandidateColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_rows(self, candidates: list[PatientCandidate]) -> None:
        self.beginResetModel()
        self._rows = list(candidates)
        self.endResetModel()

    def candidate(self, row: int) -> PatientCandidate:
        return self._rows[row]
