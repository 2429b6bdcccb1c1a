"""What every appointment change shares: checking a booking request, the status history row,
and keeping a slot's status in step with the appointment that holds it (written in the same
transaction; the partial UNIQUE index is what finally guarantees one booking per slot)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinic_app.errors import ValidationError
from clinic_app.scheduling.models import AppointmentStatus, AppointmentType, BookingRequest
from clinic_app.scheduling.tables import AppointmentRow, AppointmentStatusChangeRow, SlotRow
from clinic_app.scheduling.validation import MAX_NOTE, clean_meeting_link, clean_text

# What the caller may do next, from each status.
TRANSITIONS: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    AppointmentStatus.BOOKED: frozenset(
        {
            AppointmentStatus.BOOKED,  # rescheduled
            AppointmentStatus.ARRIVED,
            AppointmentStatus.CANCELLED,
            AppointmentStatus.NO_SHOW,
        }
    ),
    AppointmentStatus.ARRIVED: frozenset(
        {AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED}
    ),
    AppointmentStatus.COMPLETED: frozenset(),
    AppointmentStatus.CANCELLED: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset(),
}

_STATUS_WORDS = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.ARRIVED: "already checked in",
    AppointmentStatus.COMPLETED: "completed",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.NO_SHOW: "marked as a no-show",
}


def check_request(request: BookingRequest) -> tuple[AppointmentType, str | None, str | None]:
    try:
        kind = AppointmentType(request.appointment_type)
    except ValueError as exc:
        names = ", ".join(t.value for t in AppointmentType)
        raise ValidationError(
            f"Unknown appointment type; choose one of: {names}.", {"appointment_type": names}
        ) from exc
    link: str | None = None
    if kind is AppointmentType.TELEHEALTH:
        link = clean_meeting_link(request.meeting_link)
    elif request.meeting_link and request.meeting_link.strip():
        raise ValidationError(
            "Only a telehealth appointment carries a meeting link.",
            {"meeting_link": "Telehealth only."},
        )
    note = clean_text(request.note, "note", MAX_NOTE)
    return kind, link, note


def check_transition(row: AppointmentRow, to: AppointmentStatus) -> AppointmentStatus:
    current = AppointmentStatus(row.status)
    if to not in TRANSITIONS[current]:
        raise ValidationError(f"This appointment is {_STATUS_WORDS[current]}.")
    return current


def record_change(
    session: Session,
    row: AppointmentRow,
    from_status: AppointmentStatus | None,
    to_status: AppointmentStatus,
    user_id: str | None,
    now: datetime,
    note: str | None = None,
) -> None:
    session.add(
        AppointmentStatusChangeRow(
            appointment_id=row.id,
            from_status=from_status.value if from_status else None,
            to_status=to_status.value,
            slot_id=row.slot_id,
            changed_by=user_id,
            changed_at=now,
            note=note,
        )
    )


def occupy(row: AppointmentRow, slot: SlotRow) -> None:
    row.slot_id = slot.id
    row.doctor_id = slot.doctor_id
    row.starts_at = slot.starts_at
    row.ends_at = slot.ends_at
    row.local_date = slot.local_date
    slot.status = "booked"


def release(session: Session, slot_id: str | None) -> None:
    """The slot is free again (its appointment was cancelled, moved or missed)."""
    if slot_id is None:
        return
    slot = session.get(SlotRow, slot_id)
    if slot is not None and slot.deleted_at is None and slot.status == "booked":
        slot.status = "open"


def is_double_booking(exc: IntegrityError) -> bool:
    """The partial UNIQUE index on appointments(slot_id) or the slot's own unique start."""
    message = str(exc.orig)
    return "appointments.slot_id" in message or "uq_appointments_active_slot" in message
