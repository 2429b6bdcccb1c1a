"""Adapts the chart's problem list (active coded diagnoses) to a table."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from clinic_app.records.chart_models import Problem
from clinic_app.ui.records.time_format import local_date

ModelIndex = QModelIndex | QPersistentModelIndex

PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 1


class ProblemColumn(IntEnum):
    CODE = 0
    DESCRIPTION = 1
    SINCE = 2
    LAST = 3


_HEADERS = {
    ProblemColumn.CODE: "Code",
    ProblemColumn.DESCRIPTION: "Problem",
    ProblemColumn.SINCE: "Since",
    ProblemColumn.LAST: "Last coded",
}


class ProblemTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._problems: tuple[Problem, ...] = ()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._problems)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ProblemColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._problems):
            return None
        problem = self._problems[index.row()]
        column = ProblemColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is ProblemColumn.CODE:
                return problem.code
            if column is ProblemColumn.DESCRIPTION:
                return problem.description
            if column is ProblemColumn.SINCE:
                return local_date(problem.first_recorded_at)
            return local_date(problem.last_recorded_at)
        if role == Qt.ItemDataRole.FontRole and column is ProblemColumn.CODE:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{problem.system} {problem.code_set_version}: {problem.description}"
        if role == PROBLEM_ROLE:
            return problem
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(ProblemColumn)
        ):
            return _HEADERS[ProblemColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_problems(self, problems: tuple[Problem, ...]) -> None:
        self.beginResetModel()
        self._problems = problems
        self.endResetModel()

    def problem_at(self, row: int) -> Problem | None:
        return self._problems[row] if 0 <= row < len(self._problems) else None
