"""The SQLCipher engine: a raw 256-bit key, WAL, real transactions, a connection pool."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.pool import QueuePool

from clinic_app.errors import CorruptDatabaseError, DatabaseUnavailableError, UnlockError

log = logging.getLogger(__name__)

# Execution option read by the "begin" hook: write units of work take the write lock up front
# (BEGIN IMMEDIATE) so two writers never deadlock upgrading a read lock.
BEGIN_MODE_OPTION = "clinic_begin_mode"
# Execution option: False for units of work whose only write is the audit event of a read
# (search, view). Their commit skips the fsync (synchronous=NORMAL in WAL mode): a process crash
# still loses nothing, a power cut may lose the last few such read events, never clinical data.
# Every clinical write stays FULL.
DURABLE_OPTION = "clinic_durable"
_RELAXED = "clinic_relaxed_sync"


def raw_key_literal(key: bytes) -> str:
    """SQLCipher's raw-key syntax: skips the per-connection KDF (the key is already random)."""
    return f"x'{key.hex()}'"


def create_database_engine(path: Path, key: bytes, *, pool_size: int = 4) -> Engine:
    url = URL.create("sqlite+pysqlcipher", password=raw_key_literal(key), database=str(path))
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=pool_size,
        # Reuse the most recent connection: its SQLCipher page cache is warm (decrypted pages).
        pool_use_lifo=True,
        max_overflow=4,
        connect_args={"check_same_thread": False, "timeout": 30},
        # Statement values are patient data: keep them out of SQL logs and error messages.
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions start (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA cipher_log_level = NONE")
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed visit survives a power cut, not only a crashed process.
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA trusted_schema = OFF")
            # 32 MB of decrypted pages: with 8 MB, searches over 100k patients kept evicting
            # and re-decrypting the same pages (SQLCipher cost 1.23x plain SQLite; 1.09x at 32 MB,
            # tests/benchmarks/README.md). It grows only as pages are read.
            cursor.execute("PRAGMA cache_size = -32768")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        relaxed = not options.get(DURABLE_OPTION, True)
        if relaxed != connection.info.get(_RELAXED, False):
            # The safety level can only change outside a transaction, so it is set here.
            level = "NORMAL" if relaxed else "FULL"
            connection.exec_driver_sql(f"PRAGMA synchronous = {level}")
            connection.info[_RELAXED] = relaxed
        connection.exec_driver_sql(f"BEGIN {options.get(BEGIN_MODE_OPTION, 'DEFERRED')}")

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_RELAXED, False):
            dbapi_connection.execute("PRAGMA synchronous = FULL")

    return engine


_UNAVAILABLE = (
    "The database can't be opened right now: another copy of the application may be using "
    "it, or the disk is full or can't be read. Close other copies, check the disk and try "
    "again. The data is not damaged: don't restore a backup for this."
)


def probe_database(engine: Engine, expected_key_check_ok: bool) -> None:
    """Open one connection and read the schema: turns SQLCipher's terse errors into advice."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
    except Exception as exc:
        original = getattr(exc, "orig", exc)
        if isinstance(original, sqlcipher3.OperationalError):
            # Locked, can't open, disk full, I/O error: the file may be perfectly fine.
            raise DatabaseUnavailableError(_UNAVAILABLE) from exc
        if isinstance(original, sqlcipher3.DatabaseError):
            log.warning("database probe failed: %s", type(original).__name__)
            if expected_key_check_ok:
                raise CorruptDatabaseError(
                    "The database file is damaged or is not a clinic database. Restore the "
                    "latest backup (clinic backup restore FILE)."
                ) from exc
            raise UnlockError("The key does not open this database.") from exc
        raise
