"""Read-only views for the status bar and the Sync page (counts and ids, no clinical text)."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_app.settings import SyncSettings
from clinic_app.storage.outbox import OutboxRow
from clinic_app.sync import binaries, quarantine
from clinic_app.sync.conflict_store import OPEN
from clinic_app.sync.mappings.registry import LOCAL_ONLY, MappingRegistry
from clinic_app.sync.models import QuarantinedItem, RecordSyncState, SyncLogEntry, SyncStatus
from clinic_app.sync.state import read_state
from clinic_app.sync.tables import SyncBinaryRow, SyncConflictRow, SyncLogRow, SyncQuarantineRow


def pending_changes(session: Session) -> int:
    """Outbox entries that will travel (tables that stay local are not counted)."""
    return int(
        session.scalar(
            select(func.count(func.distinct(OutboxRow.entity_id))).where(
                OutboxRow.entity_type.not_in(list(LOCAL_ONLY))
            )
        )
        or 0
    )


def sync_status(session: Session, settings: SyncSettings) -> SyncStatus:
    server = settings.server_url.rstrip("/")
    state = read_state(session, server) if server else None
    conflicts = session.scalar(
        select(func.count()).select_from(SyncConflictRow).where(SyncConflictRow.status == OPEN)
    )
    held = session.scalar(
        select(func.count())
        .select_from(SyncQuarantineRow)
        .where(SyncQuarantineRow.status == quarantine.HELD)
    )
    transfers = dict(
        session.execute(
            select(SyncBinaryRow.direction, func.count())
            .where(SyncBinaryRow.server_url == server, SyncBinaryRow.status == binaries.PENDING)
            .group_by(SyncBinaryRow.direction)
        ).all()
    )
    return SyncStatus(
        configured=bool(server and settings.token_ref),
        enabled=settings.enabled,
        server_url=server,
        online=bool(state and state.online),
        last_success_at=state.last_success_at if state else None,
        last_attempt_at=state.last_attempt_at if state else None,
        last_error=state.last_error if state else None,
        pending_changes=pending_changes(session),
        conflicts=int(conflicts or 0),
        quarantined=int(held or 0),
        pending_uploads=int(transfers.get(binaries.UP, 0)),
        pending_downloads=int(transfers.get(binaries.DOWN, 0)),
        interval_seconds=settings.interval_seconds,
    )


def record_state(
    session: Session, registry: MappingRegistry, entity_type: str, entity_id: str
) -> RecordSyncState:
    """The sync state of one record, for a badge beside it (the Sync page, a chart)."""
    if entity_type in LOCAL_ONLY:
        return RecordSyncState.LOCAL_ONLY
    mapping = registry.for_table(entity_type)
    if mapping is None:
        return RecordSyncState.LOCAL_ONLY
    row = session.execute(
        select(mapping.table.c.version_id).where(mapping.table.c.id == entity_id)
    ).first()
    if row is None:
        return RecordSyncState.UNKNOWN
    if session.scalar(
        select(SyncConflictRow.id).where(
            SyncConflictRow.entity_id == entity_id,
            SyncConflictRow.status == OPEN,
            SyncConflictRow.kind != "duplicate_patient",
        )
    ):
        return RecordSyncState.CONFLICT
    if session.scalar(
        select(SyncQuarantineRow.id).where(
            SyncQuarantineRow.entity_id == entity_id,
            SyncQuarantineRow.status == quarantine.HELD,
        )
    ):
        return RecordSyncState.QUARANTINED
    if session.scalar(select(OutboxRow.seq).where(OutboxRow.entity_id == entity_id).limit(1)):
        return RecordSyncState.PENDING
    if session.scalar(
        select(SyncBinaryRow.id).where(
            SyncBinaryRow.attachment_id == entity_id,
            SyncBinaryRow.direction == binaries.DOWN,
            SyncBinaryRow.status == binaries.PENDING,
        )
    ):
        return RecordSyncState.DOWNLOADING
    return RecordSyncState.SYNCED if row[0] else RecordSyncState.PENDING


def log_entries(session: Session, limit: int, offset: int) -> list[SyncLogEntry]:
    rows = session.scalars(
        select(SyncLogRow).order_by(SyncLogRow.seq.desc()).limit(limit).offset(offset)
    )
    return [
        SyncLogEntry(r.seq, r.at, r.event, r.entity_type, r.entity_id, r.count, r.message)
        for r in rows
    ]


def quarantined_items(session: Session, limit: int) -> list[QuarantinedItem]:
    rows = session.scalars(
        select(SyncQuarantineRow)
        .where(SyncQuarantineRow.status == quarantine.HELD)
        .order_by(SyncQuarantineRow.created_at)
        .limit(limit)
    )
    return [
        QuarantinedItem(
            id=r.id,
            direction=r.direction,
            entity_type=r.entity_type,
            entity_id=r.entity_id,
            resource_type=r.resource_type,
            status_code=r.status_code,
            message=r.message,
            attempts=r.attempts,
            created_at=r.created_at,
            last_attempt_at=r.last_attempt_at,
            resource=json.loads(r.resource_json) if r.resource_json else None,
        )
        for r in rows
    ]
