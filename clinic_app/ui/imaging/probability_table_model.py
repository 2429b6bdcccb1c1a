"""A classification result's probabilities, one row per label in the model's order."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from clinic_app.imaging.summaries import AnalysisResult

ModelIndex = QModelIndex | QPersistentModelIndex

PROBABILITY_ROLE = Qt.ItemDataRole.UserRole + 1
IS_TOP_ROLE = Qt.ItemDataRole.UserRole + 2


class ProbabilityColumn(IntEnum):
    LABEL = 0
    PROBABILITY = 1


_HEADERS = {ProbabilityColumn.LABEL: "Label", ProbabilityColumn.PROBABILITY: "Probability"}


class ProbabilityTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, str, float]] = []  # id, name, probability
        self._top = ""

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ProbabilityColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        label_id, name, probability = self._rows[index.row()]
        column = ProbabilityColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return name if column is ProbabilityColumn.LABEL else f"{probability * 100:.1f}%"
        if role == PROBABILITY_ROLE:
            return probability
        if role == IS_TOP_ROLE:
            return label_id == self._top
        if role == Qt.ItemDataRole.FontRole and label_id == self._top:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return label_id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(ProbabilityColumn)
        ):
            return _HEADERS[ProbabilityColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled

    def show_result(self, result: AnalysisResult | None) -> None:
        self.beginResetModel()
        if result is None:
            self._rows, self._top = [], ""
        else:
            self._rows = [
                (label, result.label_names.get(label, label), probability)
                for label, probability in result.probabilities.items()
            ]
            self._top = result.top_label or ""
        self.endResetModel()
