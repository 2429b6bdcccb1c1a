"""The open database and the unit of work that owns each transaction."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from clinic_app.errors import ConflictError
from clinic_app.storage.engine import BEGIN_MODE_OPTION, DURABLE_OPTION
from clinic_app.storage.outbox import install_outbox_hook


class UnitOfWork:
    """`with db.unit_of_work() as uow: ...; uow.commit()` — leaving without commit rolls back."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._session: Session | None = None
        self._committed = False

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._factory()
        self._committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if not self._committed:
                session.rollback()
        finally:
            session.close()
            self._session = None

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError as exc:
            raise ConflictError(
                "This record was changed by someone else after you opened it. "
                "Reload it and apply your changes again."
            ) from exc

    def commit(self) -> None:
        self.flush()
        try:
            self.session.commit()
        except StaleDataError as exc:
            raise ConflictError(
                "This record was changed by someone else after you opened it. "
                "Reload it and apply your changes again."
            ) from exc
        self._committed = True


class Database:
    """Holds the engine and hands out units of work. Built by bootstrap after the key is known."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        write_engine = engine.execution_options(**{BEGIN_MODE_OPTION: "IMMEDIATE"})
        audited_read_engine = engine.execution_options(
            **{BEGIN_MODE_OPTION: "IMMEDIATE", DURABLE_OPTION: False}
        )
        self._read_factory = sessionmaker(bind=engine, expire_on_commit=False)
        self._write_factory = sessionmaker(bind=write_engine, expire_on_commit=False)
        self._audited_read_factory = sessionmaker(bind=audited_read_engine, expire_on_commit=False)
        for factory in (self._read_factory, self._write_factory, self._audited_read_factory):
            install_outbox_hook(factory)

    def unit_of_work(self, *, write: bool = True, durable: bool = True) -> UnitOfWork:
        """Reads of clinical data write an audit event, so most units of work are writers.

        `durable=False` is for a read whose only write is its audit event (search as you
        type): its commit skips the fsync; see `DURABLE_OPTION`.
        """
        if not write:
            return UnitOfWork(self._read_factory)
        return UnitOfWork(self._write_factory if durable else self._audited_read_factory)

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (before a backup or a file copy)."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except OperationalError:
            # A busy checkpoint is not an error: the WAL stays consistent and is folded later.
            pass

    def dispose(self) -> None:
        self.engine.dispose()
