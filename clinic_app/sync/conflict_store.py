"""Recording conflicts (both sides kept) and telling the people who resolve them.

A conflict holds the local row's synced fields as they were when it was found and the server's
resource with its version. While it is open the record is not pushed and pulled changes to it
only refresh the server side: nothing is overwritten until a person decides.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.notifications.models import NotificationKind
from clinic_app.notifications.service import post_notification
from clinic_app.security.permissions import Action, Role, is_allowed
from clinic_app.security.tables import UserRow
from clinic_app.sync.journal import LogEvent, write_log
from clinic_app.sync.mappings.base import TableMapping, to_json_value
from clinic_app.sync.models import ConflictKind
from clinic_app.sync.rows import chunks
from clinic_app.sync.tables import SyncConflictRow

OPEN = "open"
RESOLVED = "resolved"
DELETED_KEY = "__deleted__"
_TITLES = {
    ConflictKind.EDIT: "A record was changed here and on the server",
    ConflictKind.DELETED_ON_SERVER: "A record changed here was deleted on the server",
    ConflictKind.SLOT_TAKEN: "A booking was refused: the slot is booked on the server",
    ConflictKind.DUPLICATE_PATIENT: "Two patient records may be the same person",
}


def snapshot(mapping: TableMapping, values: Mapping[str, Any]) -> str:
    data = {name: to_json_value(values.get(name)) for name in mapping.fields}
    data[DELETED_KEY] = values.get("deleted_at") is not None
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def open_conflicts(session: Session, entity_ids: Iterable[str]) -> set[str]:
    """Entities with an open conflict that holds them back (a possible duplicate doesn't)."""
    found: set[str] = set()
    for part in chunks(list(dict.fromkeys(entity_ids))):
        found.update(
            session.scalars(
                select(SyncConflictRow.entity_id).where(
                    SyncConflictRow.entity_id.in_(part),
                    SyncConflictRow.status == OPEN,
                    SyncConflictRow.kind != ConflictKind.DUPLICATE_PATIENT.value,
                )
            )
        )
    return found


def refresh_server_side(
    session: Session, entity_id: str, server_resource: dict[str, Any] | None, version: str
) -> None:
    """A newer server version of a record whose conflict is still open: the conflict shows it
    (the person decides against what the server holds now); no second conflict, no notice."""
    server_json = (
        json.dumps(server_resource, separators=(",", ":"), ensure_ascii=False)
        if server_resource is not None
        else None
    )
    for row in session.scalars(
        select(SyncConflictRow).where(
            SyncConflictRow.entity_id == entity_id,
            SyncConflictRow.status == OPEN,
            SyncConflictRow.kind != ConflictKind.DUPLICATE_PATIENT.value,
        )
    ):
        row.server_json = server_json
        row.server_version = version
    session.flush()


@dataclass(frozen=True)
class NewConflict:
    kind: ConflictKind
    mapping: TableMapping
    entity_id: str
    patient_id: str | None


def record_conflict(
    session: Session,
    server_url: str,
    *,
    kind: ConflictKind,
    mapping: TableMapping,
    entity_id: str,
    local: Mapping[str, Any],
    server_resource: dict[str, Any] | None,
    server_version: str | None,
    detail: str = "",
    other_id: str | None = None,
) -> NewConflict | None:
    """Keeps both sides. An open conflict on the same record only gets the newer server side
    (and no second notice); returns the new conflict, or None when one was refreshed."""
    server_json = (
        json.dumps(server_resource, separators=(",", ":"), ensure_ascii=False)
        if server_resource is not None
        else None
    )
    existing = session.scalar(
        select(SyncConflictRow).where(
            SyncConflictRow.entity_id == entity_id,
            SyncConflictRow.kind == kind.value,
            SyncConflictRow.status == OPEN,
            SyncConflictRow.other_id == other_id
            if other_id
            else SyncConflictRow.other_id.is_(None),
        )
    )
    if existing is not None:
        if server_json is not None:
            existing.server_json = server_json
            existing.server_version = server_version
        session.flush()
        return None
    patient_id = mapping.patient_id(local)
    session.add(
        SyncConflictRow(
            server_url=server_url,
            kind=kind.value,
            entity_type=mapping.entity_type,
            entity_id=entity_id,
            resource_type=mapping.resource_type(local) if local else mapping.resource_types[0],
            patient_id=patient_id,
            local_json=snapshot(mapping, local),
            server_json=server_json,
            server_version=server_version,
            other_id=other_id,
            detail=detail[:500],
            status=OPEN,
        )
    )
    session.flush()
    event = LogEvent.DUPLICATE if kind is ConflictKind.DUPLICATE_PATIENT else LogEvent.CONFLICT
    write_log(
        session,
        server_url,
        event,
        entity_type=mapping.entity_type,
        entity_id=entity_id,
        message=kind.value,
    )
    return NewConflict(kind, mapping, entity_id, patient_id)


def notify(session: Session, conflicts: list[NewConflict]) -> int:
    """One notice per recipient: about the record when there is one conflict, a count when
    there are several. Recipients: active users whose role may change such records."""
    if not conflicts:
        return 0
    users = session.execute(select(UserRow.id, UserRow.role).where(UserRow.active.is_(True)))
    recipients: dict[str, list[NewConflict]] = {}
    roles = {}
    for user_id, role_text in users:
        try:
            roles[user_id] = Role(role_text)
        except ValueError:
            continue
    for conflict in conflicts:
        action: Action = conflict.mapping.audience
        for user_id, role in roles.items():
            if is_allowed(role, action):
                recipients.setdefault(user_id, []).append(conflict)
    for user_id, items in recipients.items():
        if len(items) == 1:
            item = items[0]
            post_notification(
                session,
                recipient_id=user_id,
                kind=NotificationKind.SYNC_CONFLICT,
                title=_TITLES[item.kind],
                body="Open the conflict inbox to compare both versions and choose.",
                record_type=item.mapping.entity_type,
                record_id=item.entity_id,
                patient_id=item.patient_id,
            )
        else:
            post_notification(
                session,
                recipient_id=user_id,
                kind=NotificationKind.SYNC_CONFLICT,
                title=f"{len(items)} records need a decision after the last sync",
                body="Open the conflict inbox to compare both versions and choose.",
            )
    return len(recipients)
