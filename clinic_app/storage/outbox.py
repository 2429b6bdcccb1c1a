"""The outbox: one entry per change of a synced row, written in the same flush as the change."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, String, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from clinic_app.storage.base import Base, SyncedRow
from clinic_app.storage.types import UtcDateTime, new_id, utcnow

# Set on a session (session.info) by the sync engine when it applies server changes, which
# must not echo back to the server.
SUPPRESS_OUTBOX = "clinic.suppress_outbox"


class OutboxOperation(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class OutboxRow(Base):
    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    operation: Mapped[str] = mapped_column(String(16))
    entity_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class HardDeleteError(RuntimeError):
    """A programming error: synced rows are tombstoned, never deleted."""


def _operation_for(session: Session, row: SyncedRow, is_new: bool) -> OutboxOperation | None:
    if is_new:
        return OutboxOperation.CREATE
    if not session.is_modified(row, include_collections=False):
        return None
    history = inspect(row).attrs.deleted_at.history
    newly_deleted = bool(history.added) and history.added[0] is not None
    was_deleted = bool(history.deleted) and history.deleted[0] is not None
    if newly_deleted and not was_deleted:
        return OutboxOperation.DELETE
    return OutboxOperation.UPDATE


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for row in list(session.deleted):
        if isinstance(row, SyncedRow):
            raise HardDeleteError(f"{type(row).__name__} rows are tombstoned, never deleted")
    if session.info.get(SUPPRESS_OUTBOX):
        return
    now = utcnow()
    # `session.new` builds a fresh set on every access: read it once, or a flush of n new rows
    # costs n² (a year of slots took seconds).
    new_rows = [row for row in session.new if isinstance(row, SyncedRow)]
    dirty_rows = [row for row in session.dirty if isinstance(row, SyncedRow)]
    for row, is_new in [(r, True) for r in new_rows] + [(r, False) for r in dirty_rows]:
        operation = _operation_for(session, row, is_new)
        if operation is None:
            continue
        if operation is OutboxOperation.CREATE:
            if row.id is None:
                row.id = new_id()  # the column default would only run inside the INSERT
            next_version = 1
        else:
            row.updated_at = now
            next_version = row.version + 1
        session.add(
            OutboxRow(
                entity_type=type(row).__tablename__,
                entity_id=row.id,
                operation=operation.value,
                entity_version=next_version,
                created_at=now,
            )
        )


def install_outbox_hook(session_factory: Any) -> None:
    """Attach the outbox writer to a sessionmaker (idempotent)."""
    if not event.contains(session_factory, "before_flush", _before_flush):
        event.listen(session_factory, "before_flush", _before_flush)
