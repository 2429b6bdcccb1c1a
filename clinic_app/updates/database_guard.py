"""The database around an update: a verified backup before the switch, and after a failed
update, the check that the old version can still use the database (else the backup goes back).

A new version's first start may migrate the schema; if that version is then rolled back, the
old one can't read the migrated database. So the live file is checked after a rollback: same
schema revision as before and intact (pages, structure, audit chain), or it is replaced with
the pre-update backup (the replaced file is kept beside the backups, never deleted).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clinic_app.errors import BackupError
from clinic_app.settings import Settings
from clinic_app.storage import keys, store
from clinic_app.storage.backup import BACKUP_SUFFIX, create_backup, swap_in_restored, verify_backup
from clinic_app.storage.types import utcnow


@dataclass(frozen=True)
class DatabaseSnapshot:
    backup: Path
    revision: str | None
    key: bytes


def snapshot_database(
    settings: Settings, passphrase: str | None, label: str
) -> DatabaseSnapshot | None:
    """A verified backup of the live database in its backups folder; None when there is no
    database yet. Raises when the database can't be unlocked or the backup fails."""
    if not store.is_initialised(settings):
        return None
    info = keys.read_store_info(settings.store_file)
    key = keys.unlock_key(info, passphrase)
    settings.backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    target = settings.backup_dir / f"pre-update-{label}-{stamp}{BACKUP_SUFFIX}"
    report = create_backup(settings.database_path, key, target)
    if not report.ok:
        raise BackupError(f"The pre-update backup failed: {report.message}")
    return DatabaseSnapshot(target, report.schema_revision, key)


def database_still_usable(settings: Settings, snapshot: DatabaseSnapshot) -> bool:
    report = verify_backup(settings.database_path, snapshot.key)
    return report.ok and report.schema_revision == snapshot.revision


def restore_snapshot(settings: Settings, snapshot: DatabaseSnapshot) -> Path:
    """Puts the pre-update backup back; returns where the replaced database was kept."""
    return swap_in_restored(
        settings.database_path, snapshot.backup, snapshot.key, settings.backup_dir
    )
