"""Per-server sync state (`sync_state`): cursor, an unfinished pull, the last outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow
from clinic_app.sync.tables import SyncStateRow

IDLE = "idle"
FETCHING = "fetching"
APPLYING = "applying"


def load_state(session: Session, server_url: str) -> SyncStateRow:
    """The server's row, made on first use (inside the caller's transaction)."""
    row = session.get(SyncStateRow, server_url)
    if row is None:
        row = SyncStateRow(server_url=server_url, pull_phase=IDLE, online=False)
        session.add(row)
        session.flush()
    return row


def update_state(session: Session, server_url: str, **values: Any) -> None:
    load_state(session, server_url)
    session.execute(
        update(SyncStateRow).where(SyncStateRow.server_url == server_url).values(**values)
    )


def record_outcome(
    db: Database,
    server_url: str,
    *,
    online: bool,
    error: str | None,
    succeeded_at: datetime | None = None,
) -> None:
    values: dict[str, Any] = {"online": online, "last_error": error, "last_attempt_at": utcnow()}
    if succeeded_at is not None:
        values["last_success_at"] = succeeded_at
    with db.unit_of_work() as uow:
        update_state(uow.session, server_url, **values)
        uow.commit()


@dataclass(frozen=True)
class ServerState:
    online: bool
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None


def read_state(session: Session, server_url: str) -> ServerState | None:
    row = session.scalar(select(SyncStateRow).where(SyncStateRow.server_url == server_url))
    if row is None:
        return None
    return ServerState(row.online, row.last_attempt_at, row.last_success_at, row.last_error)
