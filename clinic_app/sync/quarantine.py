"""Quarantine: records the server refused (push) or that can't be applied here (pull).

A held record is never dropped. A push record stays out of the bundles until someone edits it
(a newer local change releases it by itself) or asks for a retry; a pull record is re-tried at
the end of every pull, and by hand, so it lands once what blocked it is fixed.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clinic_app.storage.outbox import OutboxRow
from clinic_app.storage.types import utcnow
from clinic_app.sync.journal import LogEvent, write_log
from clinic_app.sync.tables import SyncQuarantineRow

PUSH = "push"
PULL = "pull"
HELD = "held"
RELEASED = "released"


def hold(
    session: Session,
    server_url: str,
    *,
    direction: str,
    entity_type: str,
    entity_id: str,
    resource_type: str,
    resource: dict[str, Any] | None,
    status_code: int | None,
    message: str,
    server_version: str | None = None,
    server_time: str | None = None,
) -> None:
    """Holds a record (or counts one more attempt of one already held)."""
    now = utcnow()
    body = json.dumps(resource, separators=(",", ":")) if resource is not None else None
    existing = session.scalar(
        select(SyncQuarantineRow).where(
            SyncQuarantineRow.server_url == server_url,
            SyncQuarantineRow.entity_id == entity_id,
            SyncQuarantineRow.direction == direction,
            SyncQuarantineRow.status == HELD,
        )
    )
    outbox_seq = (
        session.scalar(select(func.max(OutboxRow.seq)).where(OutboxRow.entity_id == entity_id))
        if direction == PUSH
        else None
    )
    if existing is None:
        session.add(
            SyncQuarantineRow(
                server_url=server_url,
                direction=direction,
                entity_type=entity_type,
                entity_id=entity_id,
                resource_type=resource_type,
                resource_json=body,
                server_version=server_version,
                server_time=server_time,
                status_code=status_code,
                message=message[:2000],
                status=HELD,
                attempts=1,
                outbox_seq=outbox_seq,
                created_at=now,
                last_attempt_at=now,
            )
        )
    else:
        existing.resource_json = body
        existing.server_version = server_version
        existing.server_time = server_time
        existing.status_code = status_code
        existing.message = message[:2000]
        existing.attempts += 1
        existing.outbox_seq = outbox_seq
        existing.last_attempt_at = now
    session.flush()
    write_log(
        session,
        server_url,
        LogEvent.QUARANTINED,
        entity_type=entity_type,
        entity_id=entity_id,
        message=f"{direction} refused (HTTP {status_code})" if status_code else f"{direction}",
    )


def release(session: Session, server_url: str, entity_id: str, direction: str) -> int:
    result = session.execute(
        update(SyncQuarantineRow)
        .where(
            SyncQuarantineRow.server_url == server_url,
            SyncQuarantineRow.entity_id == entity_id,
            SyncQuarantineRow.direction == direction,
            SyncQuarantineRow.status == HELD,
        )
        .values(status=RELEASED, released_at=utcnow())
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        write_log(session, server_url, LogEvent.RELEASED, entity_id=entity_id, count=count)
    return count


def held_pulls(session: Session, server_url: str, limit: int) -> list[SyncQuarantineRow]:
    return list(
        session.scalars(
            select(SyncQuarantineRow)
            .where(
                SyncQuarantineRow.server_url == server_url,
                SyncQuarantineRow.direction == PULL,
                SyncQuarantineRow.status == HELD,
            )
            .order_by(SyncQuarantineRow.created_at)
            .limit(limit)
        )
    )
