"""Looking up what a scheduling call refers to (doctor, profile, patient, slot, appointment)
inside the caller's unit of work, with clear errors. Synced tables carry no foreign keys, so
these checks are what keeps references sound."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.patients.tables import PatientRow
from clinic_app.scheduling.hours import from_json
from clinic_app.scheduling.local_time import zone
from clinic_app.scheduling.slot_generation import ScheduleRules
from clinic_app.scheduling.tables import AppointmentRow, DoctorLeaveRow, DoctorProfileRow, SlotRow
from clinic_app.security.permissions import Role
from clinic_app.security.tables import UserRow


def doctor_user(session: Session, doctor_id: str) -> UserRow:
    row = session.get(UserRow, (doctor_id or "")[:36])
    if row is None or row.role != Role.DOCTOR.value:
        raise NotFoundError("No doctor account with that id.")
    if not row.active:
        raise ValidationError("This doctor's account is disabled.")
    return row


def doctor_by_username(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username == username.strip().lower()))
    if row is None or row.role != Role.DOCTOR.value:
        raise NotFoundError("No doctor account with that user name.")
    return row


def profile(session: Session, doctor_id: str) -> DoctorProfileRow:
    row = session.scalar(
        select(DoctorProfileRow).where(
            DoctorProfileRow.user_id == (doctor_id or "")[:36],
            DoctorProfileRow.deleted_at.is_(None),
        )
    )
    if row is None:
        raise NotFoundError(
            "This doctor has no schedule profile yet: set the specialisation, consultation "
            "length, time zone and hours first."
        )
    return row


def rules(session: Session, row: DoctorProfileRow) -> ScheduleRules:
    leave = session.execute(
        select(DoctorLeaveRow.start_date, DoctorLeaveRow.end_date).where(
            DoctorLeaveRow.doctor_id == row.user_id, DoctorLeaveRow.deleted_at.is_(None)
        )
    )
    return ScheduleRules(
        time_zone=zone(row.time_zone),
        consultation_minutes=row.consultation_minutes,
        weekly_hours=from_json(row.weekly_hours),
        breaks=from_json(row.breaks),
        leave=tuple(leave),
    )


def patient(session: Session, patient_id: str) -> PatientRow:
    row = session.get(PatientRow, (patient_id or "")[:36])
    if row is None:
        raise NotFoundError("No patient with that id.")
    if row.deleted_at is not None:
        raise ValidationError("This patient's record is deleted; restore it before booking.")
    return row


def slot(session: Session, slot_id: str) -> SlotRow:
    row = session.get(SlotRow, (slot_id or "")[:36])
    if row is None or row.deleted_at is not None:
        raise NotFoundError("No such slot (it may have been removed when the hours changed).")
    return row


def appointment(session: Session, appointment_id: str) -> AppointmentRow:
    row = session.get(AppointmentRow, (appointment_id or "")[:36])
    if row is None or row.deleted_at is not None:
        raise NotFoundError("No appointment with that id.")
    return row
