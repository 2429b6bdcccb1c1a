"""A patient's series for the series list: modality and description, study date, images."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap

from clinic_app.ui.imaging.patient_images import SeriesEntry

ModelIndex = QModelIndex | QPersistentModelIndex

SERIES_ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
SERIES_ID_ROLE = Qt.ItemDataRole.UserRole + 2


class SeriesColumn(IntEnum):
    SERIES = 0
    DATE = 1
    IMAGES = 2


_HEADERS = {SeriesColumn.SERIES: "Series", SeriesColumn.DATE: "Date", SeriesColumn.IMAGES: "Images"}


def series_title(entry: SeriesEntry) -> str:
    """Two lines: modality, series number and image count; then date and description."""
    series = entry.series
    count = entry.frame_count
    number = f"Se {series.series_number}" if series.series_number is not None else ""
    images = f"{count} image{'s' if count != 1 else ''}"
    head = " · ".join(part for part in (series.modality or "?", number, images) if part)
    day = entry.study.study_date.isoformat() if entry.study.study_date else ""
    description = series.description or entry.study.description
    return head + "\n" + " · ".join(part for part in (day, description) if part)


class SeriesTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None, thumbnail_size: int = 64) -> None:
        super().__init__(parent)
        self._rows: list[SeriesEntry] = []
        self._thumbnails: dict[str, QIcon] = {}  # series id -> picture (GUI thread only)
        self._placeholder: QIcon | None = None
        self.thumbnail_size = thumbnail_size

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(SeriesColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        column = SeriesColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is SeriesColumn.SERIES:
                return series_title(entry)
            if column is SeriesColumn.DATE:
                day = entry.study.study_date
                return day.isoformat() if day else ""
            return str(entry.frame_count)
        if role == Qt.ItemDataRole.ToolTipRole:
            study = entry.study
            lines = [study.description, study.institution, f"{len(entry.instances)} file(s)"]
            return "\n".join(line for line in lines if line)
        if role == Qt.ItemDataRole.DecorationRole and column is SeriesColumn.SERIES:
            return self._thumbnails.get(entry.series.id) or self._placeholder_pixmap()
        if role == Qt.ItemDataRole.TextAlignmentRole and column is SeriesColumn.IMAGES:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == SERIES_ENTRY_ROLE:
            return entry
        if role == SERIES_ID_ROLE:
            return entry.series.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(SeriesColumn)
        ):
            return _HEADERS[SeriesColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def replace_rows(self, entries: list[SeriesEntry]) -> None:
        self.beginResetModel()
        self._rows = list(entries)
        live = {entry.series.id for entry in self._rows}
        self._thumbnails = {k: v for k, v in self._thumbnails.items() if k in live}
        self.endResetModel()

    def set_thumbnail(self, series_id: str, picture: QImage) -> None:
        """Shows a rendered thumbnail (made off the GUI thread) beside its series."""
        row = self.row_of(series_id)
        if row < 0:
            return
        self._thumbnails[series_id] = _untinted(QPixmap.fromImage(picture))
        index = self.index(row, SeriesColumn.SERIES)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def has_thumbnail(self, series_id: str) -> bool:
        return series_id in self._thumbnails

    def _placeholder_pixmap(self) -> QIcon:
        # Same size as a thumbnail, so rows don't change height when pictures arrive.
        if self._placeholder is None:
            blank = QPixmap(self.thumbnail_size, self.thumbnail_size)
            blank.fill(QColor("#d5dbe1"))
            self._placeholder = _untinted(blank)
        return self._placeholder

    def entry(self, row: int) -> SeriesEntry:
        return self._rows[row]

    def row_of(self, series_id: str) -> int:
        return next((i for i, e in enumerate(self._rows) if e.series.id == series_id), -1)


def _untinted(picture: QPixmap) -> QIcon:
    """An icon that shows the picture as it is in a selected row too (the style would tint
    it with the selection colour, and a clinical picture must keep its greys)."""
    icon = QIcon()
    for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected, QIcon.Mode.Active):
        icon.addPixmap(picture, mode)
    return icon
