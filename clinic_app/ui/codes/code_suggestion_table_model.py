"""Adapts code suggestions for a note (`CodeSuggestion`, best first) to a table. A suggestion
the clinician accepted stays listed, marked, and can't be accepted twice."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from clinic_app.codes.models import CodeSuggestion

ModelIndex = QModelIndex | QPersistentModelIndex

SUGGESTION_ROLE = Qt.ItemDataRole.UserRole + 1
ACCEPTED_ROLE = Qt.ItemDataRole.UserRole + 2
_ACCEPTED_COLOUR = QColor("#1e6b3a")
_CONTEXT_LABELS = {
    "current": "current",
    "history": "history of",
    "family": "family history",
    "uncertain": "uncertain",
}


class SuggestionColumn(IntEnum):
    CODE = 0
    DESCRIPTION = 1
    EVIDENCE = 2
    CONTEXT = 3
    SCORE = 4


_HEADERS = {
    SuggestionColumn.CODE: "Code",
    SuggestionColumn.DESCRIPTION: "Description",
    SuggestionColumn.EVIDENCE: "Evidence",
    SuggestionColumn.CONTEXT: "Context",
    SuggestionColumn.SCORE: "Score",
}


class CodeSuggestionTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[CodeSuggestion] = []
        self._accepted: set[str] = set()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(SuggestionColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        suggestion = self._rows[index.row()]
        column = SuggestionColumn(index.column())
        accepted = suggestion.code in self._accepted
        if role == Qt.ItemDataRole.DisplayRole:
            if column is SuggestionColumn.CODE:
                return f"✓ {suggestion.code}" if accepted else suggestion.code
            if column is SuggestionColumn.DESCRIPTION:
                return suggestion.description
            if column is SuggestionColumn.EVIDENCE:
                return ", ".join(dict.fromkeys(e.text for e in suggestion.evidence))
            if column is SuggestionColumn.CONTEXT:
                return _CONTEXT_LABELS.get(suggestion.context, suggestion.context)
            return f"{suggestion.score:.2f}"
        if role == Qt.ItemDataRole.ForegroundRole and accepted:
            return _ACCEPTED_COLOUR
        if role == Qt.ItemDataRole.FontRole and column is SuggestionColumn.CODE:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            state = "accepted: in the diagnoses" if accepted else "not added until you accept it"
            billable = "billable" if suggestion.billable else "not billable"
            return f"{suggestion.code} ({billable}; {state})"
        if role == SUGGESTION_ROLE:
            return suggestion
        if role == ACCEPTED_ROLE:
            return accepted
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(SuggestionColumn)
        ):
            return _HEADERS[SuggestionColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_suggestions(self, suggestions: list[CodeSuggestion], accepted: set[str]) -> None:
        self.beginResetModel()
        self._rows = list(suggestions)
        self._accepted = set(accepted)
        self.endResetModel()

    def mark_accepted(self, code: str) -> None:
        self._accepted.add(code)
        for row, suggestion in enumerate(self._rows):
            if suggestion.code == code:
                last = self.index(row, len(SuggestionColumn) - 1)
                self.dataChanged.emit(self.index(row, 0), last, [])

    def suggestion_at(self, row: int) -> CodeSuggestion | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def is_accepted(self, code: str) -> bool:
        return code in self._accepted
