"""Encrypted backups: made with SQLite's online backup API into a file under the same key,
verified page by page (SQLCipher's HMACs), by schema and by the audit chain, and restored
without ever destroying the current database before the restored copy is proven good."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from clinic_app.errors import BackupError, OperationCancelledError
from clinic_app.storage.audit import verify_chain
from clinic_app.storage.engine import raw_key_literal
from clinic_app.storage.meta import MetaRow
from clinic_app.storage.types import utcnow
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

log = logging.getLogger(__name__)

BACKUP_SUFFIX = ".clinicbak"
_PAGES_PER_STEP = 256
KEEP_AUTOMATIC = 10


@dataclass(frozen=True)
class BackupReport:
    path: Path
    ok: bool
    message: str
    size_bytes: int = 0
    schema_revision: str | None = None
    audit_events: int = 0
    store_id: str | None = None


def _connect(path: Path, key: bytes, *, read_only: bool = False) -> sqlcipher3.Connection:
    uri = f"{path.resolve().as_uri()}?mode={'ro' if read_only else 'rwc'}"
    connection = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(f'PRAGMA key = "{raw_key_literal(key)}"')
    return connection


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_backup(
    database_path: Path,
    key: bytes,
    destination: Path,
    progress: ProgressReporter | None = None,
    cancel: CancelToken | None = None,
) -> BackupReport:
    """Copies the live database (other connections may keep working) into `destination`."""
    progress = progress or NullProgress()
    destination = destination.expanduser()
    if destination.exists():
        raise BackupError(f"{destination.name} already exists; choose a new file name.")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)

    def on_step(_status: int, remaining: int, total: int) -> None:
        progress.report(total - remaining, total, "Writing the backup")
        if cancel is not None and cancel.cancelled:
            raise OperationCancelledError

    source = _connect(database_path, key, read_only=True)
    try:
        target = _connect(partial, key)
        try:
            source.backup(target, pages=_PAGES_PER_STEP, progress=on_step)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    except OperationCancelledError:
        partial.unlink(missing_ok=True)
        raise
    except (sqlcipher3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"The backup could not be written: {exc}") from exc
    finally:
        source.close()
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, destination)
    _fsync_dir(destination.parent)
    try:
        report = verify_backup(destination, key, progress=progress, cancel=cancel)
    except OperationCancelledError:
        # Cancelled means no backup: an unverified file must not look like one.
        destination.unlink(missing_ok=True)
        raise
    if not report.ok:
        destination.unlink(missing_ok=True)
        raise BackupError(f"The new backup failed its own check: {report.message}")
    log.info("backup written: %s (%d bytes)", destination.name, report.size_bytes)
    return report


def verify_backup(  # noqa: PLR0912 - one early answer per check, in order
    path: Path,
    key: bytes,
    known_revisions: set[str] | None = None,
    progress: ProgressReporter | None = None,
    cancel: CancelToken | None = None,
) -> BackupReport:
    """Never raises for a bad file: the report says what is wrong."""
    progress = progress or NullProgress()
    path = path.expanduser()
    if not path.is_file():
        return BackupReport(path, False, "The file does not exist.")
    size = path.stat().st_size
    if size == 0:
        return BackupReport(path, False, "The file is empty.", size)
    try:
        connection = _connect(path, key, read_only=True)
    except sqlcipher3.Error as exc:
        return BackupReport(path, False, f"The file can't be opened ({exc}).", size)
    try:
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            return BackupReport(
                path,
                False,
                "This file is not a backup of this clinic database (wrong key) or it is damaged.",
                size,
            )
        progress.report(0, 3, "Checking every page")
        damaged = connection.execute("PRAGMA cipher_integrity_check").fetchall()
        if damaged:
            return BackupReport(path, False, f"{len(damaged)} damaged page(s) in the backup.", size)
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            return BackupReport(path, False, "The backup's structure is damaged.", size)
        revisions = (
            sorted(row[0] for row in connection.execute("SELECT version_num FROM alembic_version"))
            if _has_table(connection, "alembic_version")
            else []
        )
        revision = ",".join(revisions) or None
        if revision is None:
            return BackupReport(path, False, "The file holds no clinic schema.", size)
        if known_revisions is not None and not set(revisions) <= known_revisions:
            return BackupReport(
                path,
                False,
                "The backup comes from a newer version of the application.",
                size,
                revision,
            )
    except sqlcipher3.Error as exc:
        return BackupReport(path, False, f"The backup can't be read ({exc}).", size)
    finally:
        connection.close()

    progress.report(1, 3, "Checking the audit chain")
    engine = create_engine(
        "sqlite://", creator=lambda: _connect(path, key, read_only=True), poolclass=NullPool
    )
    try:
        with Session(engine) as session:
            chain = verify_chain(session, cancel=cancel)
            store_row = session.scalar(select(MetaRow).where(MetaRow.key == "store_id"))
            store_id = store_row.value if store_row else None
    except OperationCancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to read means "not a good backup"
        return BackupReport(path, False, f"The backup's tables can't be read ({exc}).", size)
    finally:
        engine.dispose()
    if not chain.ok:
        return BackupReport(
            path,
            False,
            f"The backup's audit chain is broken at event {chain.first_broken_seq}.",
            size,
            revision,
        )
    progress.report(3, 3, "Backup verified")
    return BackupReport(
        path, True, "The backup is complete and intact.", size, revision, chain.checked, store_id
    )


def _has_table(connection: sqlcipher3.Connection, name: str) -> bool:
    row = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def automatic_backup_path(backup_dir: Path, reason: str) -> Path:
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
    return backup_dir / f"auto-{stamp}-{reason}{BACKUP_SUFFIX}"


def prune_automatic_backups(backup_dir: Path, keep: int = KEEP_AUTOMATIC) -> None:
    autos = sorted(backup_dir.glob(f"auto-*{BACKUP_SUFFIX}"))
    for old in autos[:-keep] if keep > 0 else autos:
        old.unlink(missing_ok=True)


def swap_in_restored(
    database_path: Path,
    backup_path: Path,
    key: bytes,
    keep_dir: Path,
    known_revisions: set[str] | None = None,
) -> Path:
    """Replace the (closed) live database with a verified copy of `backup_path`.

    Order matters: verify the backup, copy it beside the live file, verify the copy, move the
    live file aside (kept, never deleted), then rename the copy into place. Returns where the
    previous database was kept. The caller must have closed every connection first.
    """
    staged = database_path.with_name(database_path.name + ".restoring")
    staged.unlink(missing_ok=True)
    shutil.copyfile(backup_path, staged)
    with open(staged, "rb+") as handle:
        os.fsync(handle.fileno())
    report = verify_backup(staged, key, known_revisions)
    if not report.ok:
        staged.unlink(missing_ok=True)
        raise BackupError(f"The backup can't be restored: {report.message}")
    keep_dir.mkdir(parents=True, exist_ok=True)
    # Never replace an earlier kept copy (two restores within one second would share a name).
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
    kept = keep_dir / f"pre-restore-{stamp}{BACKUP_SUFFIX}"
    counter = 1
    while kept.exists():
        kept = keep_dir / f"pre-restore-{stamp}-{counter}{BACKUP_SUFFIX}"
        counter += 1
    for suffix in ("-wal", "-shm"):
        side = database_path.with_name(database_path.name + suffix)
        if side.exists():
            # Connections are closed and the WAL was checkpointed: keep it with the old copy.
            os.replace(side, kept.with_name(kept.name + suffix))
    os.replace(database_path, kept)
    os.replace(staged, database_path)
    _fsync_dir(database_path.parent)
    log.info("database restored from backup; previous copy kept as %s", kept.name)
    return kept
