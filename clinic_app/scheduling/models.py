"""What the scheduling services take and return: plain frozen values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum


class SlotStatus(StrEnum):
    OPEN = "open"
    BOOKED = "booked"
    BLOCKED = "blocked"


class SlotOrigin(StrEnum):
    GENERATED = "generated"
    MANUAL = "manual"


class AppointmentType(StrEnum):
    FIRST_VISIT = "first_visit"
    FOLLOW_UP = "follow_up"
    PROCEDURE = "procedure"
    TELEHEALTH = "telehealth"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    ARRIVED = "arrived"
    COMPLETED = "completed"  # set when the visit is closed (records issue)
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


# The statuses that hold a slot; the partial UNIQUE index in tables.py lists the same.
ACTIVE_STATUSES = frozenset(
    {AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED}
)


class LeaveKind(StrEnum):
    DAY_OFF = "day_off"
    LEAVE = "leave"


@dataclass(frozen=True, order=True)
class TimeRange:
    """[start, end) in minutes after local midnight; end may be 1440 (24:00)."""

    start: int
    end: int

    def __str__(self) -> str:
        return (
            f"{self.start // 60:02d}:{self.start % 60:02d}-{self.end // 60:02d}:{self.end % 60:02d}"
        )


# Weekday (Monday 0 … Sunday 6) → the day's intervals, sorted and not overlapping.
WeeklyHours = dict[int, tuple[TimeRange, ...]]


@dataclass(frozen=True)
class DoctorProfileInput:
    specialisation: str
    consultation_minutes: int
    time_zone: str
    room: str = ""
    weekly_hours: WeeklyHours = field(default_factory=dict)
    breaks: WeeklyHours = field(default_factory=dict)


@dataclass(frozen=True)
class DoctorProfile:
    doctor_id: str
    doctor_name: str
    specialisation: str
    consultation_minutes: int
    time_zone: str
    room: str | None
    weekly_hours: WeeklyHours
    breaks: WeeklyHours
    slots_until: date | None
    version: int


@dataclass(frozen=True)
class Leave:
    id: str
    doctor_id: str
    start_date: date
    end_date: date
    kind: LeaveKind
    reason: str | None


@dataclass(frozen=True)
class SlotView:
    id: str
    doctor_id: str
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    local_start: datetime  # in the doctor's time zone
    local_end: datetime
    status: SlotStatus
    block_reason: str | None
    origin: SlotOrigin
    version: int


@dataclass(frozen=True)
class AppointmentSummary:
    id: str
    patient_id: str
    patient_name: str
    doctor_id: str
    slot_id: str | None
    starts_at: datetime  # UTC
    ends_at: datetime
    local_start: datetime  # in the doctor's time zone
    local_end: datetime
    appointment_type: AppointmentType
    status: AppointmentStatus
    walk_in: bool
    confirmed: bool
    meeting_link: str | None
    arrived_at: datetime | None
    version: int


@dataclass(frozen=True)
class StatusChange:
    from_status: AppointmentStatus | None
    to_status: AppointmentStatus
    slot_id: str | None
    changed_by: str | None
    changed_at: datetime
    note: str | None


@dataclass(frozen=True)
class AppointmentDetail:
    appointment: AppointmentSummary
    note: str | None
    cancel_reason: str | None
    history: list[StatusChange]


@dataclass(frozen=True)
class BookingRequest:
    patient_id: str
    appointment_type: AppointmentType | str = AppointmentType.FIRST_VISIT
    meeting_link: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class SlotSearch:
    """Constraints for "earliest available". Dates and times are the doctor's local ones.

    `doctor_id`, else `specialisation`, else any doctor. A slot fits when it starts on or after
    `time_from` and ends by `time_to`, on one of `weekdays` (Monday 0), between the dates.
    """

    doctor_id: str | None = None
    specialisation: str | None = None
    date_from: date | None = None  # default: today (and never before now)
    date_to: date | None = None  # default: a year from `date_from`
    time_from: time | None = None
    time_to: time | None = None
    weekdays: frozenset[int] | None = None


@dataclass(frozen=True)
class GeneratedSlots:
    doctor_id: str
    created: int
    skipped_existing: int
    date_from: date
    date_to: date


@dataclass(frozen=True)
class ScheduleChange:
    """What a change of hours or new leave did: open slots removed, bookings to move."""

    removed_slots: int
    created_slots: int
    appointments_to_move: list[AppointmentSummary]


@dataclass(frozen=True)
class CheckIn:
    """What the caller needs to open the visit (the records service does that, not us)."""

    appointment: AppointmentSummary
    patient_id: str
    doctor_id: str
    appointment_id: str
    arrived_at: datetime
