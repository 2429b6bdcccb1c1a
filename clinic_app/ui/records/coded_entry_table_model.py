"""The coded diagnoses (or procedures) of the visit being edited, as the form holds them.

Rows are edited in place: "Primary" and "Resolved" are check boxes (Space toggles them); rows
are added from the code picker and removed with Delete. A row the core refused carries its
message (`ValidationError` keys like `diagnoses[2].code` name the row).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from clinic_app.records.models import ClinicalStatus, CodedEntry, CodedEntryInput

ModelIndex = QModelIndex | QPersistentModelIndex

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
_ERROR_BACKGROUND = QColor("#fdecea")


@dataclass(frozen=True)
class EntryRow:
    code: str
    description: str
    system: str
    version: str
    resolved: bool = False
    primary: bool = False
    error: str = ""

    def as_input(self) -> CodedEntryInput:
        status = ClinicalStatus.RESOLVED if self.resolved else ClinicalStatus.ACTIVE
        return CodedEntryInput(
            code=self.code,
            description=self.description,
            code_set_version=self.version,
            system=self.system,
            status=status.value,
            primary=self.primary,
        )

    @classmethod
    def of(cls, entry: CodedEntry) -> EntryRow:
        return cls(
            code=entry.code,
            description=entry.description,
            system=entry.system,
            version=entry.code_set_version,
            resolved=entry.clinical_status is ClinicalStatus.RESOLVED,
            primary=entry.is_primary,
        )


class EntryColumn(IntEnum):
    CODE = 0
    DESCRIPTION = 1
    PRIMARY = 2
    RESOLVED = 3
    VERSION = 4


_HEADERS = {
    EntryColumn.CODE: "Code",
    EntryColumn.DESCRIPTION: "Description",
    EntryColumn.PRIMARY: "Primary",
    EntryColumn.RESOLVED: "Resolved",
    EntryColumn.VERSION: "Code set",
}
_CHECK_COLUMNS = (EntryColumn.PRIMARY, EntryColumn.RESOLVED)


class CodedEntryTableModel(QAbstractTableModel):
    entries_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[EntryRow] = []
        self.writable = True

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(EntryColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = EntryColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is EntryColumn.CODE:
                return row.code
            if column is EntryColumn.DESCRIPTION:
                return row.description
            if column is EntryColumn.VERSION:
                return f"{row.system} {row.version}"
            return None
        if role == Qt.ItemDataRole.CheckStateRole and column in _CHECK_COLUMNS:
            checked = row.primary if column is EntryColumn.PRIMARY else row.resolved
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.BackgroundRole and row.error:
            return _ERROR_BACKGROUND
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.error or f"{row.code}: {row.description}"
        if role == Qt.ItemDataRole.FontRole and column is EntryColumn.CODE:
            font = QFont()
            font.setBold(True)
            return font
        if role == ENTRY_ROLE:
            return row
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or role != Qt.ItemDataRole.CheckStateRole
            or index.column() not in _CHECK_COLUMNS
            or not self.writable
        ):
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        row = index.row()
        if index.column() == EntryColumn.PRIMARY:
            for other, current in enumerate(self._rows):  # one primary at most
                wanted = checked and other == row
                if current.primary != wanted:
                    self._rows[other] = replace(current, primary=wanted, error="")
                    cell = self.index(other, EntryColumn.PRIMARY)
                    self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.CheckStateRole])
        else:
            self._rows[row] = replace(self._rows[row], resolved=checked, error="")
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.entries_changed.emit()
        return True

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(EntryColumn)
        ):
            return _HEADERS[EntryColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in _CHECK_COLUMNS and self.writable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    # --- editing -------------------------------------------------------------------------

    def add_row(self, row: EntryRow) -> bool:
        """False when the code is listed already."""
        if any(r.code == row.code and r.system == row.system for r in self._rows):
            return False
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first)
        self._rows.append(row)
        self.endInsertRows()
        self.entries_changed.emit()
        return True

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
            self.entries_changed.emit()

    def replace_rows(self, rows: list[EntryRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_errors(self, errors: dict[int, str]) -> None:
        for position, current in enumerate(self._rows):
            message = errors.get(position, "")
            if current.error != message:
                self._rows[position] = replace(current, error=message)
                self.dataChanged.emit(
                    self.index(position, 0), self.index(position, len(EntryColumn) - 1), []
                )

    def rows(self) -> list[EntryRow]:
        return list(self._rows)

    def inputs(self) -> tuple[CodedEntryInput, ...]:
        return tuple(row.as_input() for row in self._rows)

    def codes(self) -> list[str]:
        return [row.code for row in self._rows]
