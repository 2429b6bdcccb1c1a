"""Both versions of one conflicted record, field by field: this workstation's beside the
server's, the fields that differ highlighted. When the conflict may be merged, each differing
field has two check boxes (this workstation / server) and exactly one is ticked: the `choices`
handed to `resolve(…, MERGE, choices)`. Space toggles the focused cell."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from clinic_app.sync.models import Conflict, FieldDifference
from clinic_app.ui.sync.held_fields import value_text

ModelIndex = QModelIndex | QPersistentModelIndex
DIFFERS_ROLE = Qt.ItemDataRole.UserRole + 1
LOCAL, SERVER = "local", "server"
_DIFFERENT = QBrush(QColor("#fff1d6"))
_CHOSEN = QBrush(QColor("#dcefe3"))
_SAME = QBrush(QColor("#6b7785"))


class FieldColumn(IntEnum):
    FIELD = 0
    LOCAL = 1
    SERVER = 2


_SIDE = {FieldColumn.LOCAL: LOCAL, FieldColumn.SERVER: SERVER}


class ConflictFieldTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._fields: list[FieldDifference] = []
        self._choices: dict[str, str] = {}
        self._mergeable = False
        self._headers = ("Field", "This workstation", "Server")
        self._people: dict[str, str] = {}

    def set_people(self, names: dict[str, str]) -> None:
        """User ids → names, so a clinician or a doctor on a record reads as a person."""
        self.beginResetModel()
        self._people = dict(names)
        self.endResetModel()

    def _shown(self, value: Any) -> str:
        if isinstance(value, str) and value in self._people:
            return self._people[value]
        return value_text(value)

    def set_conflict(self, conflict: Conflict | None, *, mergeable: bool) -> None:
        self.beginResetModel()
        self._fields = list(conflict.fields) if conflict is not None else []
        self._mergeable = mergeable
        self._choices = {f.name: LOCAL for f in self._fields if f.differs}
        if conflict is not None and conflict.kind.value == "duplicate_patient":
            self._headers = ("Field", "Registered here", "Arrived from the server")
        else:
            self._headers = ("Field", "This workstation", "Server")
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._fields)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FieldColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._fields):
            return None
        field = self._fields[index.row()]
        column = FieldColumn(index.column())
        differs = field.differs
        if role == Qt.ItemDataRole.DisplayRole:
            if column is FieldColumn.FIELD:
                return field.name.replace("_", " ").capitalize()
            value = field.local if column is FieldColumn.LOCAL else field.server
            return self._shown(value) or "—"
        if role == Qt.ItemDataRole.ToolTipRole and column is not FieldColumn.FIELD:
            value = field.local if column is FieldColumn.LOCAL else field.server
            return value_text(value)
        if role == Qt.ItemDataRole.BackgroundRole and differs:
            if column is not FieldColumn.FIELD and self._mergeable:
                chosen = self._choices.get(field.name) == _SIDE[column]
                return _CHOSEN if chosen else _DIFFERENT
            return _DIFFERENT
        if role == Qt.ItemDataRole.ForegroundRole and not differs:
            return _SAME
        if role == Qt.ItemDataRole.FontRole and differs:
            font = QFont()
            font.setBold(True)
            return font
        if (
            role == Qt.ItemDataRole.CheckStateRole
            and column is not FieldColumn.FIELD
            and differs
            and self._mergeable
        ):
            chosen = self._choices.get(field.name) == _SIDE[column]
            return Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.AccessibleTextRole and column is FieldColumn.FIELD:
            return f"{field.name}: {'differs' if differs else 'same on both sides'}"
        if role == DIFFERS_ROLE:
            return differs
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            role != Qt.ItemDataRole.CheckStateRole
            or not index.isValid()
            or index.column() == FieldColumn.FIELD
            or not self._mergeable
        ):
            return False
        field = self._fields[index.row()]
        if not field.differs:
            return False
        side = _SIDE[FieldColumn(index.column())]
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        # Two boxes, one choice: ticking one side unticks the other, and so does unticking.
        other = SERVER if side == LOCAL else LOCAL
        self._choices[field.name] = side if checked else other
        self.dataChanged.emit(
            self.index(index.row(), FieldColumn.LOCAL), self.index(index.row(), FieldColumn.SERVER)
        )
        return True

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        field = self._fields[index.row()]
        if index.column() != FieldColumn.FIELD and field.differs and self._mergeable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(FieldColumn)
        ):
            return self._headers[section]
        return None

    # --- for the controller ------------------------------------------------------------

    def choose(self, name: str, side: str) -> None:
        if side not in (LOCAL, SERVER) or name not in self._choices:
            raise KeyError(name)
        row = next(r for r, f in enumerate(self._fields) if f.name == name)
        state = Qt.CheckState.Checked.value
        column = FieldColumn.LOCAL if side == LOCAL else FieldColumn.SERVER
        self.setData(self.index(row, column), state, Qt.ItemDataRole.CheckStateRole)

    def choose_all(self, side: str) -> None:
        for name in list(self._choices):
            self.choose(name, side)

    def choices(self) -> dict[str, str]:
        return dict(self._choices)

    def differing(self) -> list[str]:
        return [f.name for f in self._fields if f.differs]
