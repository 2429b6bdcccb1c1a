"""The conflict inbox: both sides of each open conflict, and what each choice does.

- keep local: the server's version is recorded as seen, so the next push replaces it with the
  local record (`If-Match` on that version);
- take server: the server's version (or its deletion) replaces the local record;
- merge: field by field, the chosen side of each field; the result is pushed;
- slot taken: try the booking again, or cancel the provisional booking (the scheduling
  service does that, so the desk's usual rules and audit apply);
- possible duplicate: "keep both" closes it; "merged" closes it once the patients feature
  has merged one chart into the other (`PatientService.merge`: the GUI merges, then resolves).
  The merge's own changes (the duplicate's deletion, its re-pointed records) go out as usual.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinic_app.errors import ValidationError
from clinic_app.patients.merge_references import count_references
from clinic_app.patients.tables import PatientRow
from clinic_app.scheduling.models import ACTIVE_STATUSES
from clinic_app.scheduling.tables import AppointmentRow, SlotRow
from clinic_app.storage.outbox import OutboxOperation, OutboxRow
from clinic_app.storage.types import utcnow
from clinic_app.sync.conflict_store import DELETED_KEY, RESOLVED
from clinic_app.sync.errors import MappingError
from clinic_app.sync.journal import LogEvent, write_log
from clinic_app.sync.mappings.base import TableMapping, Values, from_json_value, to_json_value
from clinic_app.sync.mappings.registry import MappingRegistry
from clinic_app.sync.models import Conflict, ConflictKind, FieldDifference, Resolution
from clinic_app.sync.rows import (
    add_outbox_entry,
    clear_outbox,
    load_rows,
    stamp_versions,
    tombstone,
    write_content,
)
from clinic_app.sync.tables import SyncConflictRow

CHOICES: dict[ConflictKind, tuple[Resolution, ...]] = {
    ConflictKind.EDIT: (Resolution.KEEP_LOCAL, Resolution.TAKE_SERVER, Resolution.MERGE),
    ConflictKind.DELETED_ON_SERVER: (Resolution.KEEP_LOCAL, Resolution.TAKE_SERVER),
    ConflictKind.SLOT_TAKEN: (Resolution.KEEP_LOCAL, Resolution.CANCEL_BOOKING),
    ConflictKind.DUPLICATE_PATIENT: (Resolution.KEEP_BOTH, Resolution.MERGED),
}


def _json_side(mapping: TableMapping, values: Mapping[str, Any] | None) -> dict[str, Any]:
    if values is None:
        return {name: None for name in mapping.fields}
    return {name: to_json_value(values.get(name)) for name in mapping.fields}


def server_values(mapping: TableMapping, row: SyncConflictRow) -> Values | None:
    """The server's side as field values; None when the server deleted the record."""
    if row.server_json is None:
        return None
    return mapping.from_resource(json.loads(row.server_json))


def view(session: Session, registry: MappingRegistry, row: SyncConflictRow) -> Conflict:
    kind = ConflictKind(row.kind)
    mapping = registry.for_table(row.entity_type)
    fields: list[FieldDifference] = []
    detail = row.detail
    choices = CHOICES[kind]
    if mapping is not None:
        if kind is ConflictKind.DUPLICATE_PATIENT:
            rows = load_rows(session, mapping, [row.entity_id, row.other_id or ""])
            local = rows.get(row.other_id or "")
            server = rows.get(row.entity_id)
        else:
            local = load_rows(session, mapping, [row.entity_id]).get(row.entity_id)
            try:
                server = server_values(mapping, row)
            except MappingError as exc:
                server, detail = None, f"{detail} The server's version can't be read here: {exc}"
        if local is None:
            local = {k: from_json_value(mapping.table, k, v) for k, v in _snapshot(row).items()}
        if kind is ConflictKind.DUPLICATE_PATIENT and already_merged(session, row):
            choices = (Resolution.MERGED,)
            detail = (
                f"{detail} One chart was already merged into the other (here or on another "
                "workstation): close this as merged."
            ).strip()
        if kind is not ConflictKind.DUPLICATE_PATIENT and mapping.is_final(local):
            choices = (Resolution.KEEP_LOCAL,)
            detail = (
                f"{detail} This record is final here (signed or append-only): it is kept; "
                "add an addendum for what the server's version says."
            ).strip()
        left, right = _json_side(mapping, local), _json_side(mapping, server)
        fields = [FieldDifference(name, left[name], right[name]) for name in mapping.fields]
    return Conflict(
        id=row.id,
        kind=kind,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        resource_type=row.resource_type,
        patient_id=row.patient_id,
        other_id=row.other_id,
        server_version=row.server_version,
        detail=detail,
        created_at=row.created_at,
        fields=fields,
        choices=choices,
    )


def _snapshot(row: SyncConflictRow) -> dict[str, Any]:
    data = json.loads(row.local_json)
    data.pop(DELETED_KEY, None)
    return dict(data)


def resolve_record(
    session: Session,
    mapping: TableMapping,
    row: SyncConflictRow,
    resolution: Resolution,
    choices: Mapping[str, str] | None,
) -> None:
    """Writes the decision for an edit or deletion conflict (inside the caller's transaction)."""
    local = load_rows(session, mapping, [row.entity_id]).get(row.entity_id)
    if local is None:
        raise ValidationError("The record of this conflict is no longer on this workstation.")
    try:
        if resolution is Resolution.KEEP_LOCAL:
            stamp_versions(session, mapping, [(row.entity_id, row.server_version)])
            _ensure_outbox(session, mapping, row.entity_id)
        elif resolution is Resolution.TAKE_SERVER:
            theirs = server_values(mapping, row)
            if theirs is None:
                tombstone(session, mapping, row.entity_id, row.server_version, utcnow())
            else:
                write_content(
                    session,
                    mapping,
                    row.entity_id,
                    theirs,
                    version_id=row.server_version,
                    updated_at=utcnow(),
                    deleted_at=None,
                )
            clear_outbox(session, mapping.entity_type, row.entity_id, None)
        elif resolution is Resolution.MERGE:
            merged = _merged(mapping, local, server_values(mapping, row), choices or {})
            write_content(
                session,
                mapping,
                row.entity_id,
                merged,
                version_id=row.server_version,
                updated_at=utcnow(),
                deleted_at=None,
            )
            _ensure_outbox(session, mapping, row.entity_id)
        else:
            raise ValidationError(f"'{resolution.value}' does not apply to this conflict.")
    except IntegrityError as exc:
        raise ValidationError(
            "This record can't take that content here (it is signed or final): keep the local "
            "version and add an addendum instead."
        ) from exc


def _merged(
    mapping: TableMapping, local: Values, server: Values | None, choices: Mapping[str, str]
) -> Values:
    if server is None:
        raise ValidationError("The server deleted this record: keep it or take the deletion.")
    unknown = sorted(set(choices) - set(mapping.fields))
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(unknown)}.")
    wrong = sorted(name for name, side in choices.items() if side not in ("local", "server"))
    if wrong:
        raise ValidationError(f"Choose 'local' or 'server' for: {', '.join(wrong)}.")
    return {
        name: server[name] if choices.get(name) == "server" else local[name]
        for name in mapping.fields
    }


def _ensure_outbox(session: Session, mapping: TableMapping, entity_id: str) -> None:
    exists = session.scalar(
        select(OutboxRow.seq).where(
            OutboxRow.entity_type == mapping.entity_type, OutboxRow.entity_id == entity_id
        )
    )
    if exists is None:
        add_outbox_entry(session, mapping, entity_id, OutboxOperation.UPDATE)


def already_merged(session: Session, row: SyncConflictRow) -> bool:
    """One chart of a duplicate conflict was merged into the other: here (`merged_into_id`),
    or on another workstation, which arrives as the duplicate's deletion with none of the
    records left on it (the merge moved them to the survivor, which is still live)."""
    ids = [row.entity_id, row.other_id or ""]
    found = {
        patient_id: (into, deleted is not None)
        for patient_id, into, deleted in session.execute(
            select(PatientRow.id, PatientRow.merged_into_id, PatientRow.deleted_at).where(
                PatientRow.id.in_(ids)
            )
        )
    }
    if len(found) != 2:
        return False
    for gone, kept in (ids, ids[::-1]):
        into, gone_deleted = found[gone]
        if into == kept:
            return True
        if (
            gone_deleted
            and not found[kept][1]
            and not count_references(session, gone, synced_only=True)
        ):
            return True
    return False


def check_merged(session: Session, row: SyncConflictRow) -> None:
    """A duplicate conflict closes as merged only once one chart was merged into the other:
    never a silent merge, and never "merged" for two charts that are both still live."""
    if not already_merged(session, row):
        raise ValidationError(
            "These two charts have not been merged: merge them first (Same person: merge…)."
        )


def close(
    session: Session, row: SyncConflictRow, resolution: Resolution, user_id: str | None
) -> None:
    row.status = RESOLVED
    row.resolution = resolution.value
    row.resolved_by = user_id
    row.resolved_at = utcnow()
    session.flush()
    write_log(
        session,
        row.server_url,
        LogEvent.RESOLVED,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        message=resolution.value,
    )


def rehold_slot(session: Session, appointment_id: str) -> None:
    """After a refused booking is cancelled here, its slot stays booked when the server's
    booking (already pulled) holds it: the scheduling feature's `release` opens a slot
    without asking whether another appointment holds it, which can't happen without sync.
    Written through the ORM, so the slot's change goes out like any other."""
    appointment = session.get(AppointmentRow, appointment_id)
    if appointment is None or appointment.slot_id is None:
        return
    holder = session.scalar(
        select(AppointmentRow.id).where(
            AppointmentRow.slot_id == appointment.slot_id,
            AppointmentRow.id != appointment_id,
            AppointmentRow.status.in_([s.value for s in ACTIVE_STATUSES]),
            AppointmentRow.deleted_at.is_(None),
        )
    )
    slot = session.get(SlotRow, appointment.slot_id)
    if holder is not None and slot is not None and slot.status == "open":
        slot.status = "booked"
        session.flush()


def keep_trying(session: Session, mapping: TableMapping, entity_id: str) -> None:
    """Slot taken, try again: the booking stays provisional and goes out on the next push."""
    _ensure_outbox(session, mapping, entity_id)
