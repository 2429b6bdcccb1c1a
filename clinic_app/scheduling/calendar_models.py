"""Calendar data for the GUI's day and week views, the queue, the printable day list and the
reminder-call list: plain frozen values, local times already in each doctor's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from clinic_app.scheduling.models import AppointmentSummary, SlotStatus


@dataclass(frozen=True)
class CalendarEntry:
    """One block in a doctor's column: a slot (open, blocked or booked) and/or an appointment.
    A walk-in has no slot; an open slot has no appointment. Colour by `slot_status` and the
    appointment's `status` / `appointment_type`."""

    starts_at: datetime  # UTC
    ends_at: datetime
    local_start: datetime  # the doctor's zone
    local_end: datetime
    slot_id: str | None
    slot_status: SlotStatus | None
    block_reason: str | None
    slot_version: int | None
    appointment: AppointmentSummary | None


@dataclass(frozen=True)
class DoctorDay:
    doctor_id: str
    doctor_name: str
    specialisation: str
    room: str | None
    time_zone: str
    day: date
    entries: list[CalendarEntry]


@dataclass(frozen=True)
class CalendarView:
    """`columns` holds one DoctorDay per doctor and day, by doctor name then date."""

    date_from: date
    date_to: date
    columns: list[DoctorDay]

    def doctor_days(self, doctor_id: str) -> list[DoctorDay]:
        return [column for column in self.columns if column.doctor_id == doctor_id]


@dataclass(frozen=True)
class QueueEntry:
    appointment: AppointmentSummary
    doctor_name: str
    room: str | None
    arrived: bool
    waiting_minutes: int | None  # since arrival, while not yet seen


@dataclass(frozen=True)
class DayListRow:
    """A line of the printable day list."""

    local_start: datetime
    local_end: datetime
    doctor_name: str
    room: str | None
    patient_id: str
    patient_name: str
    birth_date: date
    phone: str | None
    appointment_type: str
    status: str
    walk_in: bool
    confirmed: bool


@dataclass(frozen=True)
class ReminderCall:
    appointment_id: str
    local_start: datetime
    doctor_name: str
    patient_id: str
    patient_name: str
    phone: str | None
    confirmed: bool
