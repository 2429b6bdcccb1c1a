"""A read-only table over frozen records, one record a row (users, audit events, notices…).

A subclass declares its columns, one `ColumnSpec` per member of its column `IntEnum` (header,
text getter, optional alignment and tooltip getter), and the role under which a view reads the
whole record. Rows are replaced at once (`replace_rows`, a model reset) or, for lists that load a
page at a time, appended (`append_rows`): `fetchMore` then emits `more_requested` and the
controller answers with the next page (or `fetch_failed`). The model never calls a service.

Anything a column spec does not say (a muted row, a bold unread notice, an icon) comes from the
`foreground` and `extra_data` hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

ModelIndex = QModelIndex | QPersistentModelIndex
RowT = TypeVar("RowT")

RIGHT_ALIGNED = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)


@dataclass(frozen=True)
class ColumnSpec(Generic[RowT]):
    """One column: its header, the text a record shows in it, and optionally its alignment and
    tooltip (a tooltip getter returning None or "" shows none)."""

    header: str
    text: Callable[[RowT], str]
    alignment: Qt.AlignmentFlag | None = None
    tooltip: Callable[[RowT], str | None] | None = None


def ordered_columns(columns: Mapping[IntEnum, ColumnSpec[RowT]]) -> tuple[ColumnSpec[RowT], ...]:
    """The specs in column order; every column number from 0 up must have exactly one."""
    numbers = sorted(int(column) for column in columns)
    if not numbers:
        raise ValueError("A table needs at least one column.")
    if numbers != list(range(len(numbers))):
        raise ValueError(f"Columns must be numbered 0 to {len(numbers) - 1}; got {numbers}.")
    by_number = {int(column): spec for column, spec in columns.items()}
    return tuple(by_number[number] for number in numbers)


class RecordTableModel(QAbstractTableModel, Generic[RowT]):
    # Emitted (once per page) when the view scrolls near the end of a list that has more.
    more_requested = Signal()

    def __init__(
        self,
        columns: Mapping[IntEnum, ColumnSpec[RowT]],
        record_role: int,
        parent: Any = None,
        *,
        row_key: Callable[[RowT], Hashable] | None = None,
    ) -> None:
        """`row_key`, when given, keeps a record already shown out of an appended page (a page
        fetched by offset repeats rows when newer ones arrived in between)."""
        super().__init__(parent)
        self._columns = ordered_columns(columns)
        self._record_role = int(record_role)
        self._colours_rows = type(self).foreground is not RecordTableModel.foreground
        self._adds_roles = type(self).extra_data is not RecordTableModel.extra_data
        self._row_key = row_key
        self._rows: list[RowT] = []
        self._has_more = False
        self._fetching = False

    # --- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every visible cell and role on each paint: plain-int role constants and
        # no call into a hook the subclass did not override.
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= column < len(self._columns)):
            return None
        role = int(role)
        if role == _DISPLAY:
            return self._columns[column].text(self._rows[row])
        if role == self._record_role:
            return self._rows[row]
        spec = self._columns[column]
        if role == _TOOLTIP:
            return (spec.tooltip(self._rows[row]) or None) if spec.tooltip is not None else None
        if role == _ALIGNMENT:
            return int(spec.alignment) if spec.alignment is not None else None
        if role == _FOREGROUND:
            return self.foreground(self._rows[row], column) if self._colours_rows else None
        return self.extra_data(self._rows[row], column, role) if self._adds_roles else None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].header
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: ModelIndex) -> bool:
        return not parent.isValid() and self._has_more and not self._fetching

    def fetchMore(self, parent: ModelIndex) -> None:
        if self.canFetchMore(parent):
            self._fetching = True
            self.more_requested.emit()

    # --- hooks for what a column spec does not say ---------------------------------------

    def foreground(self, record: RowT, column: int) -> QColor | None:
        """The text colour of a cell (None: the palette's)."""
        return None

    def extra_data(self, record: RowT, column: int, role: int) -> Any:
        """Any other role (font, icon, accessible text, the subclass's own roles)."""
        return None

    # --- fed by the controller -----------------------------------------------------------

    def replace_rows(self, rows: Sequence[RowT], has_more: bool = False) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._has_more = has_more
        self._fetching = False
        self.endResetModel()

    def append_rows(self, rows: Sequence[RowT], has_more: bool) -> None:
        """The next page; ends the fetch `fetchMore` started even when the page is empty."""
        fresh = list(rows)
        if self._row_key is not None:
            key = self._row_key
            known = {key(record) for record in self._rows}
            fresh = [record for record in fresh if key(record) not in known]
        self._fetching = False
        self._has_more = has_more
        if not fresh:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._rows.extend(fresh)
        self.endInsertRows()

    def take_page(self, rows: Sequence[RowT], offset: int, page_size: int) -> bool:
        """A page fetched at `offset`: the first (offset 0) replaces the rows, a later one is
        appended; a full page means there may be more. True when it was the first page."""
        if page_size < 1:
            # Every page would look full and the view would ask for more without end.
            raise ValueError(f"A page holds at least one row; got a page size of {page_size}.")
        has_more = len(rows) >= page_size
        if offset == 0:
            self.replace_rows(rows, has_more)
            return True
        self.append_rows(rows, has_more)
        return False

    def fetch_failed(self) -> None:
        """The page did not come: the next scroll may ask again."""
        self._fetching = False

    def set_row(self, row: int, record: RowT) -> None:
        """Shows a changed record in place."""
        self._rows[row] = record
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1), [])

    # --- reading -------------------------------------------------------------------------

    @property
    def records(self) -> tuple[RowT, ...]:
        return tuple(self._rows)

    def record_at(self, row: int) -> RowT | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def find_row(self, matches: Callable[[RowT], bool]) -> int:
        """The first row whose record matches, or -1."""
        for row, record in enumerate(self._rows):
            if matches(record):
                return row
        return -1
