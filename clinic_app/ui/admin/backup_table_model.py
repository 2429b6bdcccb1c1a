"""Adapts the backup files found in the backups folder to a table, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from clinic_app.storage.backup import BACKUP_SUFFIX
from clinic_app.ui.widgets.record_table_model import RIGHT_ALIGNED, ColumnSpec, RecordTableModel

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


_COLUMNS: dict[IntEnum, ColumnSpec[BackupFile]] = {
    BackupColumn.NAME: ColumnSpec(
        "File", lambda backup: backup.path.name, tooltip=lambda backup: str(backup.path)
    ),
    BackupColumn.CREATED: ColumnSpec(
        "Written", lambda backup: backup.modified.astimezone().strftime("%Y-%m-%d %H:%M")
    ),
    BackupColumn.SIZE: ColumnSpec(
        "Size", lambda backup: size_text(backup.size_bytes), alignment=RIGHT_ALIGNED
    ),
    BackupColumn.KIND: ColumnSpec("Kind", lambda backup: backup.kind),
}


class BackupTableModel(RecordTableModel[BackupFile]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(_COLUMNS, BACKUP_FILE_ROLE, parent)

    def set_files(self, files: list[BackupFile]) -> None:
        self.replace_rows(files)

    def file_at(self, row: int) -> BackupFile:
        return self._rows[row]

    def row_of(self, path: Path) -> int:
        return self.find_row(lambda backup: backup.path == path)
