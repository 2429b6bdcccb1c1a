"""Reads a store with plain SQL, beside the services, to check what they really wrote.

Tests assert on the database itself (row counts, outbox entries, audit events), not only on
what a service returned, so a service that reports success without writing is caught.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from clinic_app.storage.database import Database

COUNTED_TABLES = ("patients", "outbox", "audit_events", "users", "store_meta")


@dataclass(frozen=True)
class OutboxEntry:
    entity_type: str
    entity_id: str
    operation: str
    entity_version: int


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    action: str
    outcome: str
    user_id: str | None
    record_type: str | None
    record_id: str | None
    details: dict[str, Any]


def scalar(db: Database, sql: str, *params: Any) -> Any:
    with db.engine.connect() as connection:
        return connection.exec_driver_sql(sql, params).scalar()


def table_counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
            for table in COUNTED_TABLES
        }


def outbox_entries(db: Database, entity_id: str | None = None) -> list[OutboxEntry]:
    sql = "SELECT entity_type, entity_id, operation, entity_version FROM outbox"
    params: tuple[Any, ...] = ()
    if entity_id is not None:
        sql += " WHERE entity_id = ?"
        params = (entity_id,)
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(sql + " ORDER BY seq", params).all()
    return [OutboxEntry(*row) for row in rows]


def audit_events(db: Database, *, after_seq: int = 0) -> list[StoredEvent]:
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT seq, action, outcome, user_id, record_type, record_id, details "
            "FROM audit_events WHERE seq > ? ORDER BY seq",
            (after_seq,),
        ).all()
    return [StoredEvent(*row[:6], details=json.loads(row[6])) for row in rows]


def last_audit_seq(db: Database) -> int:
    return int(scalar(db, "SELECT coalesce(max(seq), 0) FROM audit_events"))
