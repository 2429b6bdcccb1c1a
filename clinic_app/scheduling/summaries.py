"""Rows → frozen values, with local times in each doctor's time zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.patients.tables import PatientRow
from clinic_app.scheduling.hours import from_json
from clinic_app.scheduling.local_time import to_local, zone
from clinic_app.scheduling.models import (
    AppointmentStatus,
    AppointmentSummary,
    AppointmentType,
    DoctorProfile,
    Leave,
    LeaveKind,
    SlotOrigin,
    SlotStatus,
    SlotView,
    StatusChange,
)
from clinic_app.scheduling.tables import (
    AppointmentRow,
    AppointmentStatusChangeRow,
    DoctorLeaveRow,
    DoctorProfileRow,
    SlotRow,
)


def patient_name(family: str, given: str) -> str:
    return f"{family}, {given}"


def slot_view(row: SlotRow, tz: ZoneInfo) -> SlotView:
    return SlotView(
        id=row.id,
        doctor_id=row.doctor_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        local_start=to_local(row.starts_at, tz),
        local_end=to_local(row.ends_at, tz),
        status=SlotStatus(row.status),
        block_reason=row.block_reason,
        origin=SlotOrigin(row.origin),
        version=row.version,
    )


def appointment_summary(row: AppointmentRow, name: str, tz: ZoneInfo) -> AppointmentSummary:
    return AppointmentSummary(
        id=row.id,
        patient_id=row.patient_id,
        patient_name=name,
        doctor_id=row.doctor_id,
        slot_id=row.slot_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        local_start=to_local(row.starts_at, tz),
        local_end=to_local(row.ends_at, tz),
        appointment_type=AppointmentType(row.appointment_type),
        status=AppointmentStatus(row.status),
        walk_in=row.walk_in,
        confirmed=row.confirmed,
        meeting_link=row.meeting_link,
        arrived_at=row.arrived_at,
        version=row.version,
    )


def appointment_summaries(session: Session, rows: list[AppointmentRow]) -> list[AppointmentSummary]:
    """Summaries with patient names and each doctor's local time, in two lookups."""
    if not rows:
        return []
    names = dict(
        session.execute(
            select(PatientRow.id, PatientRow.family_name + ", " + PatientRow.given_name).where(
                PatientRow.id.in_({row.patient_id for row in rows})
            )
        ).all()
    )
    zones = doctor_zones(session, {row.doctor_id for row in rows})
    return [
        appointment_summary(row, names.get(row.patient_id, "?"), zones[row.doctor_id])
        for row in rows
    ]


def doctor_zones(session: Session, doctor_ids: set[str]) -> dict[str, ZoneInfo]:
    rows = session.execute(
        select(DoctorProfileRow.user_id, DoctorProfileRow.time_zone).where(
            DoctorProfileRow.user_id.in_(doctor_ids)
        )
    )
    found = {doctor_id: zone(name) for doctor_id, name in rows}
    utc = zone("UTC")
    return {doctor_id: found.get(doctor_id, utc) for doctor_id in doctor_ids}


def profile_of(row: DoctorProfileRow, doctor_name: str) -> DoctorProfile:
    return DoctorProfile(
        doctor_id=row.user_id,
        doctor_name=doctor_name,
        specialisation=row.specialisation,
        consultation_minutes=row.consultation_minutes,
        time_zone=row.time_zone,
        room=row.room,
        weekly_hours=from_json(row.weekly_hours),
        breaks=from_json(row.breaks),
        slots_until=row.slots_until,
        version=row.version,
    )


def leave_of(row: DoctorLeaveRow) -> Leave:
    return Leave(
        id=row.id,
        doctor_id=row.doctor_id,
        start_date=row.start_date,
        end_date=row.end_date,
        kind=LeaveKind(row.kind),
        reason=row.reason,
    )


def status_change_of(row: AppointmentStatusChangeRow) -> StatusChange:
    return StatusChange(
        from_status=AppointmentStatus(row.from_status) if row.from_status else None,
        to_status=AppointmentStatus(row.to_status),
        slot_id=row.slot_id,
        changed_by=row.changed_by,
        changed_at=row.changed_at,
        note=row.note,
    )
