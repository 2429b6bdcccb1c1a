"""Adapts a visit's (or record's) `AttachmentInfo`s to a table; a file whose content did not
match its name, or looked damaged, carries a warning mark and says why."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from clinic_app.records.models import AttachmentInfo
from clinic_app.ui.icons import icon
from clinic_app.ui.records.time_format import local_time, size_text
from clinic_app.ui.records.user_directory import UserDirectory

ModelIndex = QModelIndex | QPersistentModelIndex

ATTACHMENT_ROLE = Qt.ItemDataRole.UserRole + 1

TYPE_LABELS = {
    "application/pdf": "PDF",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
    "image/tiff": "TIFF image",
    "application/dicom": "DICOM",
    "text/plain": "Text",
    "application/octet-stream": "Other",
}


class AttachmentColumn(IntEnum):
    NAME = 0
    TYPE = 1
    SIZE = 2
    ADDED = 3
    BY = 4


_HEADERS = {
    AttachmentColumn.NAME: "File",
    AttachmentColumn.TYPE: "Type",
    AttachmentColumn.SIZE: "Size",
    AttachmentColumn.ADDED: "Added",
    AttachmentColumn.BY: "By",
}


def type_label(content_type: str) -> str:
    return TYPE_LABELS.get(content_type, content_type)


def warning_text(info: AttachmentInfo) -> str:
    notes = []
    problems = list(info.problems)
    if info.type_mismatch and info.declared_type:
        notes.append(
            f"The name says {type_label(info.declared_type)}, but the content is "
            f"{type_label(info.content_type)}."
        )
        # The service's own note on the mismatch names MIME types; ours says it in words.
        declared, actual = info.declared_type, info.content_type
        problems = [p for p in problems if not (declared in p and actual in p)]
    notes.extend(problems)
    return " ".join(notes)


class AttachmentTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[AttachmentInfo] = []
        self._people = UserDirectory()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(AttachmentColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        info = self._rows[index.row()]
        column = AttachmentColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is AttachmentColumn.NAME:
                return info.filename
            if column is AttachmentColumn.TYPE:
                return type_label(info.content_type)
            if column is AttachmentColumn.SIZE:
                return size_text(info.size_bytes)
            if column is AttachmentColumn.ADDED:
                return local_time(info.created_at)
            return self._people.name(info.added_by_id)
        warning = warning_text(info)
        if role == Qt.ItemDataRole.DecorationRole and column is AttachmentColumn.NAME:
            return icon("warning", "#b45309") if warning else icon("attachment")
        if role == Qt.ItemDataRole.ToolTipRole:
            return warning or f"{info.filename} · SHA-256 {info.sha256[:16]}…"
        if role == Qt.ItemDataRole.TextAlignmentRole and column is AttachmentColumn.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ATTACHMENT_ROLE:
            return info
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(AttachmentColumn)
        ):
            return _HEADERS[AttachmentColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_attachments(
        self, attachments: tuple[AttachmentInfo, ...] | list[AttachmentInfo], people: UserDirectory
    ) -> None:
        self.beginResetModel()
        self._rows = sorted(attachments, key=lambda a: a.created_at, reverse=True)
        self._people = people
        self.endResetModel()

    def attachment_at(self, row: int) -> AttachmentInfo | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, attachment_id: str) -> int:
        return next((i for i, info in enumerate(self._rows) if info.id == attachment_id), -1)
