"""Adapts one search's `CodeHit`s to the code picker's popup list.

The model never searches: the controller hands it each result list with `replace_hits`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from clinic_app.codes.models import CodeHit

ModelIndex = QModelIndex | QPersistentModelIndex

CODE_HIT_ROLE = Qt.ItemDataRole.UserRole + 1
CODE_ROLE = Qt.ItemDataRole.UserRole + 2
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 3
BILLABLE_ROLE = Qt.ItemDataRole.UserRole + 4


class CodeHitListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[CodeHit] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{hit.code}  {hit.description}"
        if role == Qt.ItemDataRole.ToolTipRole:
            mark = "billable" if hit.billable else "not billable: choose a more specific code"
            return f"{hit.code}: {hit.description} ({mark}; {hit.system.value} {hit.set_version})"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{hit.code} {hit.description}, {'billable' if hit.billable else 'not billable'}"
        if role == CODE_HIT_ROLE:
            return hit
        if role == CODE_ROLE:
            return hit.code
        if role == DESCRIPTION_ROLE:
            return hit.description
        if role == BILLABLE_ROLE:
            return hit.billable
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_hits(self, hits: list[CodeHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit_at(self, row: int) -> CodeHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None
