"""Adapts a chart's `TimelineEntry`s (visits and records, newest first) to a table.

The chart arrives whole from the service; the model hands rows to the view a batch at a time
(`canFetchMore`/`fetchMore`), so a chart of hundreds of visits shows at once. A batch is added
on the next turn of the event loop, never inside the notification that asked for it (a view
asks while it handles a model reset).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QColor, QFont

from clinic_app.records.chart_models import TimelineEntry
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.records.user_directory import UserDirectory

ModelIndex = QModelIndex | QPersistentModelIndex

TIMELINE_ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
BATCH = 100

_KIND_LABELS = {
    "visit": "Visit",
    "lab_result": "Lab result",
    "imaging_report": "Imaging report",
    "prescription": "Prescription",
    "referral": "Referral",
    "clinical_note": "Clinical note",
    "other": "Record",
}
_STATUS_LABELS = {"open": "Open", "signed": "Signed", "final": "Final"}
_OPEN_COLOUR = QColor("#7a4b00")


class TimelineColumn(IntEnum):
    WHEN = 0
    KIND = 1
    TITLE = 2
    STATUS = 3
    BY = 4


_HEADERS = {
    TimelineColumn.WHEN: "Date",
    TimelineColumn.KIND: "Type",
    TimelineColumn.TITLE: "Reason or title",
    TimelineColumn.STATUS: "Status",
    TimelineColumn.BY: "By",
}


def kind_label(kind: str) -> str:
    return _KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


class TimelineTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: tuple[TimelineEntry, ...] = ()
        self._shown = 0
        self._fetching = False
        self._generation = 0
        self._people = UserDirectory()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(TimelineColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._shown:
            return None
        entry = self._entries[index.row()]
        column = TimelineColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, column)
        if role == Qt.ItemDataRole.ForegroundRole and column is TimelineColumn.STATUS:
            return _OPEN_COLOUR if entry.status == "open" else None
        if role == Qt.ItemDataRole.FontRole and column is TimelineColumn.STATUS:
            if entry.status == "open":
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.ToolTipRole and column is TimelineColumn.TITLE:
            return entry.title
        if role == TIMELINE_ENTRY_ROLE:
            return entry
        return None

    def _display(self, entry: TimelineEntry, column: TimelineColumn) -> str:
        if column is TimelineColumn.WHEN:
            return local_time(entry.occurred_at)
        if column is TimelineColumn.KIND:
            return kind_label(entry.kind)
        if column is TimelineColumn.TITLE:
            return " ".join(entry.title.split())
        if column is TimelineColumn.STATUS:
            return _STATUS_LABELS.get(entry.status, entry.status)
        return self._people.name(entry.author_id)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(TimelineColumn)
        ):
            return _HEADERS[TimelineColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: ModelIndex) -> bool:
        return not parent.isValid() and not self._fetching and self._shown < len(self._entries)

    def fetchMore(self, parent: ModelIndex) -> None:
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation = self._generation
        QTimer.singleShot(0, self, lambda: self._show_batch(generation))

    def _show_batch(self, generation: int) -> None:
        if generation != self._generation:
            return  # replaced meanwhile
        self._fetching = False
        more = min(BATCH, len(self._entries) - self._shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    # --- fed by the controller -----------------------------------------------------------

    def replace_entries(self, entries: tuple[TimelineEntry, ...], people: UserDirectory) -> None:
        self.beginResetModel()
        self._generation += 1
        self._fetching = False
        self._entries = entries
        self._people = people
        self._shown = min(BATCH, len(entries))
        self.endResetModel()

    def set_people(self, people: UserDirectory) -> None:
        self._people = people
        if self._shown:
            last = self.index(self._shown - 1, TimelineColumn.BY)
            self.dataChanged.emit(self.index(0, TimelineColumn.BY), last, [])

    def entry_at(self, row: int) -> TimelineEntry | None:
        return self._entries[row] if 0 <= row < self._shown else None

    @property
    def total(self) -> int:
        return len(self._entries)
