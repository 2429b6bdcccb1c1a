"""Adapts the backup files found in the backups folder to a table, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from clinic_app.storage.backup import BACKUP_SUFFIX

ModelIndex = QModelIndex | QPersistentModelIndex

BACKUP_FILE_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class BackupFile:
    path: Path
    size_bytes: int
    modified: datetime

    @property
    def kind(self) -> str:
        name = self.path.name
        if name.startswith("auto-"):
            return "Automatic (before an upgrade)"
        if name.startswith("pre-restore-"):
            return "Kept before a restore"
        return "Manual"


def list_backup_files(folder: Path) -> list[BackupFile]:
    """Runs on the database lane (file system access)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"*{BACKUP_SUFFIX}"):
        stat = path.stat()
        found.append(BackupFile(path, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)))
    return sorted(found, key=lambda backup: backup.modified, reverse=True)


def size_text(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return ""


class BackupColumn(IntEnum):
    NAME = 0
    CREATED = 1
    SIZE = 2
    KIND = 3


_HEADERS = {
    BackupColumn.NAME: "File",
    BackupColumn.CREATED: "Written",
    BackupColumn.SIZE: "Size",
    BackupColumn.KIND: "Kind",
}


class BackupTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._files: list[BackupFile] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._files)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(BackupColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._files):
            return None
        backup = self._files[index.row()]
        column = BackupColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is BackupColumn.NAME:
                return backup.path.name
            if column is BackupColumn.CREATED:
                return backup.modified.astimezone().strftime("%Y-%m-%d %H:%M")
            if column is BackupColumn.SIZE:
                return size_text(backup.size_bytes)
            return backup.kind
        if role == Qt.ItemDataRole.ToolTipRole and column is BackupColumn.NAME:
            return str(backup.path)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is BackupColumn.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == BACKUP_FILE_ROLE:
            return backup
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(BackupColumn)
        ):
            return _HEADERS[BackupColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def set_files(self, files: list[BackupFile]) -> None:
        self.beginResetModel()
        self._files = list(files)
        self.endResetModel()

    def file_at(self, row: int) -> BackupFile:
        return self._files[row]

    def row_of(self, path: Path) -> int:
        for row, backup in enumerate(self._files):
            if backup.path == path:
                return row
        return -1
