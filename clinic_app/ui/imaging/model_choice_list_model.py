"""The model combo's list: trusted models with their status, refused packs greyed with why."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from clinic_app.ui.imaging.model_choice import ModelChoice
from clinic_app.ui.imaging.model_status import REFUSED, status_text

ModelIndex = QModelIndex | QPersistentModelIndex

MODEL_CHOICE_ROLE = Qt.ItemDataRole.UserRole + 1
_REFUSED_COLOUR = QColor("#b42318")


def choice_text(choice: ModelChoice) -> str:
    if not choice.usable:
        return f"{choice.name} (refused)"
    return f"{choice.title} {choice.version} · {choice.status}"


class ModelChoiceListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ModelChoice] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        choice = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return choice_text(choice)
        if role == Qt.ItemDataRole.ToolTipRole:
            if not choice.usable:
                return f"Refused: {choice.refused_reason}"
            return f"{status_text(choice.status)}\n{choice.intended_use}".strip()
        if role == Qt.ItemDataRole.ForegroundRole and not choice.usable:
            return _REFUSED_COLOUR
        if role == MODEL_CHOICE_ROLE:
            return choice
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_rows(self, choices: list[ModelChoice]) -> None:
        self.beginResetModel()
        self._rows = list(choices)
        self.endResetModel()

    def choice(self, row: int) -> ModelChoice | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, name: str) -> int:
        return next((i for i, c in enumerate(self._rows) if c.name == name), -1)


def badge_status(choice: ModelChoice) -> str:
    return choice.status if choice.usable else REFUSED
