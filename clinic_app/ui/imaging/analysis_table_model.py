"""The AI results of the open patient, newest first: image, finding, model, review status."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from clinic_app.imaging.summaries import AnalysisResult, InstanceSummary

ModelIndex = QModelIndex | QPersistentModelIndex

ANALYSIS_RESULT_ROLE = Qt.ItemDataRole.UserRole + 1
ANALYSIS_ID_ROLE = Qt.ItemDataRole.UserRole + 2

_STATUS_COLOURS = {
    "accepted": QColor("#1e6b34"),
    "rejected": QColor("#b42318"),
    "pending": QColor("#7a4f00"),
}


class AnalysisColumn(IntEnum):
    IMAGE = 0
    FINDING = 1
    MODEL = 2
    REVIEW = 3


_HEADERS = {
    AnalysisColumn.IMAGE: "Image",
    AnalysisColumn.FINDING: "Finding",
    AnalysisColumn.MODEL: "Model",
    AnalysisColumn.REVIEW: "Review",
}


def finding_text(result: AnalysisResult) -> str:
    if result.task == "abcd" and result.measurements is not None:
        m = result.measurements
        score = m.get("tds")
        if score is None:
            low, high = m.get("tds_range", (0, 0))
            return f"TDS {low:.2f}–{high:.2f}, {result.top_label}"
        return f"TDS {score:.2f}, {result.top_label}"
    name = result.label_names.get(result.top_label or "", result.top_label or "—")
    if result.top_probability is None:
        return name
    return f"{name} {result.top_probability * 100:.0f}%"


class AnalysisTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[AnalysisResult] = []
        self._instances: dict[str, InstanceSummary] = {}

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(AnalysisColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        result = self._rows[index.row()]
        column = AnalysisColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(result, column)
        if role == Qt.ItemDataRole.ForegroundRole and column is AnalysisColumn.REVIEW:
            return _STATUS_COLOURS.get(result.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            return result.label
        if role == ANALYSIS_RESULT_ROLE:
            return result
        if role == ANALYSIS_ID_ROLE:
            return result.id
        return None

    def _display(self, result: AnalysisResult, column: AnalysisColumn) -> str:
        if column is AnalysisColumn.IMAGE:
            instance = self._instances.get(result.instance_id)
            if instance is None:
                return "—"
            number = instance.instance_number
            text = f"Im {number}" if number is not None else instance.file_name[:18]
            return f"{text} f{result.frame_index + 1}" if instance.frames > 1 else text
        if column is AnalysisColumn.FINDING:
            return finding_text(result)
        if column is AnalysisColumn.MODEL:
            return f"{result.model.name} {result.model.version}"
        return result.status.capitalize()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(AnalysisColumn)
        ):
            return _HEADERS[AnalysisColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- updates from the controller ------------------------------------------------------

    def replace_rows(
        self, results: list[AnalysisResult], instances: dict[str, InstanceSummary]
    ) -> None:
        self.beginResetModel()
        self._rows = sorted(results, key=lambda r: r.run_at, reverse=True)
        self._instances = dict(instances)
        self.endResetModel()

    def add_results(self, results: list[AnalysisResult]) -> None:
        """New results go on top (newest first), in the order given."""
        fresh = [r for r in results if self.row_of(r.id) < 0]
        if not fresh:
            return
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self._rows[0:0] = fresh
        self.endInsertRows()

    def update_result(self, result: AnalysisResult) -> None:
        row = self.row_of(result.id)
        if row < 0:
            self.add_results([result])
            return
        self._rows[row] = result
        self.dataChanged.emit(
            self.index(row, 0),
            self.index(row, len(AnalysisColumn) - 1),
            [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole],
        )

    def result(self, row: int) -> AnalysisResult:
        return self._rows[row]

    def row_of(self, analysis_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == analysis_id), -1)

    def latest_for(self, instance_id: str, frame: int) -> int:
        """The row of the newest result on that image, or -1."""
        return next(
            (
                i
                for i, r in enumerate(self._rows)
                if r.instance_id == instance_id and r.frame_index == frame
            ),
            -1,
        )
