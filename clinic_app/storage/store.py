"""The store's life cycle: create a new encrypted database, open it, recover it with the
recovery key on another machine (then re-key it to that machine)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy.exc
import sqlcipher3

from clinic_app.errors import (
    AlreadyInitialisedError,
    CorruptDatabaseError,
    DatabaseUnavailableError,
    NotInitialisedError,
    UnlockError,
)
from clinic_app.settings import Settings
from clinic_app.storage import keys
from clinic_app.storage.backup import (
    automatic_backup_path,
    create_backup,
    prune_automatic_backups,
)
from clinic_app.storage.database import Database
from clinic_app.storage.engine import create_database_engine, probe_database, raw_key_literal
from clinic_app.storage.keys import StoreInfo, UnlockMode
from clinic_app.storage.meta import set_meta
from clinic_app.storage.migrate import upgrade
from clinic_app.tasks import ProgressReporter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenedStore:
    db: Database
    info: StoreInfo
    key: bytes
    migrated: bool


@dataclass(frozen=True)
class NewKey:
    info: StoreInfo
    recovery_key: str


def is_initialised(settings: Settings) -> bool:
    return settings.store_file.exists() and settings.database_path.exists()


def _prepare_dir(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.data_dir.stat().st_mode & 0o077:
        settings.data_dir.chmod(0o700)


def _open(
    settings: Settings, info: StoreInfo, key: bytes, progress: ProgressReporter | None
) -> OpenedStore:
    engine = create_database_engine(settings.database_path, key)
    try:
        probe_database(engine, expected_key_check_ok=True)

        def backup() -> Path:
            target = automatic_backup_path(settings.backup_dir, "pre-migration")
            create_backup(settings.database_path, key, target)
            prune_automatic_backups(settings.backup_dir)
            return target

        migrated = upgrade(engine, backup, progress)
    except sqlalchemy.exc.OperationalError as exc:
        engine.dispose()
        # Locked, full or unreadable is not damage: a restore would throw work away.
        raise DatabaseUnavailableError(
            "The database can't be used right now (it may be in use by another copy of the "
            "application, or the disk is full or unreadable). Try again; the data is not damaged."
        ) from exc
    except sqlalchemy.exc.DatabaseError as exc:
        engine.dispose()
        # The first page decrypted (the key is right) but a later one did not: a damaged file.
        raise CorruptDatabaseError(
            "The database file is damaged. Restore the latest backup (clinic backup restore "
            "FILE, or Admin › Backups in the app)."
        ) from exc
    except BaseException:
        engine.dispose()
        raise
    return OpenedStore(Database(engine), info, key, migrated)


def create_store(
    settings: Settings,
    mode: UnlockMode | None,
    passphrase: str | None,
    progress: ProgressReporter | None = None,
) -> tuple[OpenedStore, str]:
    """Creates the database and returns it open, with the one-time recovery key."""
    if settings.database_path.exists() or settings.store_file.exists():
        raise AlreadyInitialisedError(
            f"{settings.data_dir} already holds a clinic database; nothing was changed."
        )
    _prepare_dir(settings)
    chosen = keys.choose_unlock_mode(mode)
    key = keys.new_database_key()
    info = keys.create_store_info(key, chosen, passphrase)
    try:
        opened = _open(settings, info, key, progress)
        with opened.db.unit_of_work() as uow:
            set_meta(uow.session, "store_id", info.store_id)
            uow.commit()
    except BaseException:
        # Nothing half-made is left behind: the next init starts clean.
        for leftover in settings.data_dir.glob("clinic.db*"):
            leftover.unlink(missing_ok=True)
        if chosen is UnlockMode.KEYRING:
            keys.forget_keyring_key(info.store_id)
        raise
    # store.json last: its presence is what marks the directory as initialised.
    keys.write_store_info(settings.store_file, info)
    log.info("store created: mode=%s", chosen.value)
    return opened, keys.format_recovery_key(key)


def open_store(
    settings: Settings, passphrase: str | None = None, progress: ProgressReporter | None = None
) -> OpenedStore:
    info = keys.read_store_info(settings.store_file)
    if not settings.database_path.exists():
        raise NotInitialisedError(
            f"The database file is missing from {settings.data_dir}. Restore a backup."
        )
    key = keys.unlock_key(info, passphrase)
    return _open(settings, info, key, progress)


def unlock_mode(settings: Settings) -> UnlockMode:
    return keys.read_store_info(settings.store_file).unlock_mode


def recover_store(
    settings: Settings,
    recovery_key: str,
    mode: UnlockMode | None,
    passphrase: str | None,
) -> NewKey:
    """Opens the database file with its recovery key, re-keys it with a new random key kept
    the way this machine supports, and issues a new recovery key (the old one stops working)."""
    old_key = keys.parse_recovery_key(recovery_key)
    if not settings.database_path.exists():
        raise NotInitialisedError(f"No database file (clinic.db) in {settings.data_dir}.")
    connection = sqlcipher3.connect(str(settings.database_path), isolation_level=None)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(f'PRAGMA key = "{raw_key_literal(old_key)}"')
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            raise UnlockError("This recovery key does not open this database.") from exc
        row = connection.execute("SELECT value FROM store_meta WHERE key = 'store_id'").fetchone()
        store_id = row[0] if row else None
        chosen = keys.choose_unlock_mode(mode)
        new_key = keys.new_database_key()
        info = keys.create_store_info(new_key, chosen, passphrase, store_id=store_id)
        # The new key is recorded before the database uses it. Failing here leaves the file
        # under its old key (the old recovery key still opens it); re-keying first and failing
        # to record the key would lock every record away under a key kept nowhere.
        keys.write_store_info(settings.store_file, info)
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute(f'PRAGMA rekey = "{raw_key_literal(new_key)}"')
    finally:
        connection.close()
    log.info("store re-keyed after recovery: mode=%s", chosen.value)
    return NewKey(info, keys.format_recovery_key(new_key))


def reopen_with_key(settings: Settings, info: StoreInfo, key: bytes) -> OpenedStore:
    """Opens the database again with a key already unlocked (after a restore swapped files)."""
    return _open(settings, info, key, None)
