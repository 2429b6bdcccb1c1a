"""Scheduling rows: doctor profiles, leave, slots, appointments and their status history.

Times are stored in UTC; each slot and appointment also keeps its local date, weekday and
minutes in its doctor's time zone (computed when written), so calendar and "earliest" queries
filter on plain indexed columns without time-zone arithmetic in SQL.

No double booking is a database rule: the partial UNIQUE index `uq_appointments_active_slot`
allows one active appointment per slot. There are no foreign keys between synced tables (rows
may arrive from the server in any order); the services check references instead.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.storage.base import SyncedRow
from clinic_app.storage.types import UtcDateTime

# Appointment statuses that hold their slot. Kept as SQL text for the partial indexes; the
# same list is `ACTIVE_STATUSES` in models.py (a test checks they agree).
ACTIVE_STATUS_SQL = "('booked', 'arrived', 'completed')"
_LIVE = "deleted_at IS NULL"
_OPEN_SLOT = "status = 'open' AND deleted_at IS NULL"


class DoctorProfileRow(SyncedRow):
    __tablename__ = "doctor_profiles"

    user_id: Mapped[str] = mapped_column(String(36), unique=True)
    specialisation: Mapped[str] = mapped_column(String(100))
    specialisation_fold: Mapped[str] = mapped_column(String(100), index=True)
    consultation_minutes: Mapped[int] = mapped_column(Integer)
    room: Mapped[str | None] = mapped_column(String(50))
    time_zone: Mapped[str] = mapped_column(String(64))
    # {"0": [[480, 720], [780, 1020]], ...}: weekday (Monday 0) → [start, end) local minutes.
    weekly_hours: Mapped[str] = mapped_column(Text, default="{}")
    breaks: Mapped[str] = mapped_column(Text, default="{}")
    # How far slots were generated: changing the hours regenerates up to this date.
    slots_until: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        CheckConstraint("consultation_minutes BETWEEN 5 AND 480", name="consultation_minutes"),
    )


class DoctorLeaveRow(SyncedRow):
    """Days off and leave: whole local dates, inclusive."""

    __tablename__ = "doctor_leave"

    doctor_id: Mapped[str] = mapped_column(String(36))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_doctor_leave_doctor", "doctor_id", "start_date"),
        CheckConstraint("end_date >= start_date", name="date_order"),
    )


class SlotRow(SyncedRow):
    __tablename__ = "slots"

    doctor_id: Mapped[str] = mapped_column(String(36))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    local_date: Mapped[date] = mapped_column(Date)
    weekday: Mapped[int] = mapped_column(Integer)
    local_start_minute: Mapped[int] = mapped_column(Integer)
    local_end_minute: Mapped[int] = mapped_column(Integer)  # may pass 1440 (after midnight)
    # open | booked | blocked — "booked" mirrors the active appointment, written with it.
    status: Mapped[str] = mapped_column(String(16), default="open")
    block_reason: Mapped[str | None] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(16))  # generated | manual

    __table_args__ = (
        Index(
            "uq_slots_doctor_start",
            "doctor_id",
            "starts_at",
            unique=True,
            sqlite_where=text(_LIVE),
        ),
        # (starts_at, doctor_id) is exactly the "earliest" ORDER BY: the walk stops at row one.
        Index("ix_slots_open_start", "starts_at", "doctor_id", sqlite_where=text(_OPEN_SLOT)),
        Index("ix_slots_open_doctor", "doctor_id", "starts_at", sqlite_where=text(_OPEN_SLOT)),
        Index("ix_slots_local_date", "local_date", "doctor_id", sqlite_where=text(_LIVE)),
        CheckConstraint("ends_at > starts_at", name="time_order"),
        CheckConstraint("status IN ('open', 'booked', 'blocked')", name="status"),
    )


class AppointmentRow(SyncedRow):
    __tablename__ = "appointments"

    patient_id: Mapped[str] = mapped_column(String(36))
    doctor_id: Mapped[str] = mapped_column(String(36))
    slot_id: Mapped[str | None] = mapped_column(String(36))  # None for a walk-in
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    local_date: Mapped[date] = mapped_column(Date)
    appointment_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # Offline bookings are provisional until the server confirms them (the sync engine sets it).
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(String(500))
    arrived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    booked_by: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (
        Index(
            "uq_appointments_active_slot",
            "slot_id",
            unique=True,
            sqlite_where=text(
                f"slot_id IS NOT NULL AND status IN {ACTIVE_STATUS_SQL} AND deleted_at IS NULL"
            ),
        ),
        Index("ix_appointments_local_date", "local_date", "doctor_id"),
        Index("ix_appointments_starts_at", "starts_at"),
        Index("ix_appointments_patient", "patient_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="time_order"),
        CheckConstraint(
            "status IN ('booked', 'arrived', 'completed', 'cancelled', 'no_show')", name="status"
        ),
    )


class AppointmentStatusChangeRow(SyncedRow):
    """One row per change of an appointment's status or slot: who, when, from what, to what."""

    __tablename__ = "appointment_status_changes"

    appointment_id: Mapped[str] = mapped_column(String(36), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    slot_id: Mapped[str | None] = mapped_column(String(36))
    changed_by: Mapped[str | None] = mapped_column(String(36))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(String(500))
