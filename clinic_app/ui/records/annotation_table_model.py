"""Adapts the doctors' annotations on a visit, record or attachment (append-only, signed) to a
table, oldest first. An annotation whose stored row no longer matches its signature says so."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from clinic_app.records.models import Annotation
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.records.user_directory import UserDirectory

ModelIndex = QModelIndex | QPersistentModelIndex

ANNOTATION_ROLE = Qt.ItemDataRole.UserRole + 1
_TAMPERED = QColor("#b42318")
TAMPERED_NOTE = "Its signature does not match: this annotation was altered after it was signed."


class AnnotationColumn(IntEnum):
    WHEN = 0
    AUTHOR = 1
    TEXT = 2


_HEADERS = {
    AnnotationColumn.WHEN: "When",
    AnnotationColumn.AUTHOR: "Doctor",
    AnnotationColumn.TEXT: "Annotation",
}


class AnnotationTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Annotation] = []
        self._people = UserDirectory()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(AnnotationColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        annotation = self._rows[index.row()]
        column = AnnotationColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is AnnotationColumn.WHEN:
                return local_time(annotation.annotated_at)
            if column is AnnotationColumn.AUTHOR:
                return self._people.name(annotation.author_id)
            text = annotation.text
            return text if annotation.signature_valid else f"⚠ {text}"
        if role == Qt.ItemDataRole.ForegroundRole and not annotation.signature_valid:
            return _TAMPERED
        if role == Qt.ItemDataRole.ToolTipRole:
            if not annotation.signature_valid:
                return TAMPERED_NOTE
            return "Signed by its author; annotations can't be changed, only added."
        if role == ANNOTATION_ROLE:
            return annotation
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(AnnotationColumn)
        ):
            return _HEADERS[AnnotationColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_annotations(
        self, annotations: tuple[Annotation, ...] | list[Annotation], people: UserDirectory
    ) -> None:
        self.beginResetModel()
        self._rows = sorted(annotations, key=lambda a: a.annotated_at)
        self._people = people
        self.endResetModel()

    def annotation_at(self, row: int) -> Annotation | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None
