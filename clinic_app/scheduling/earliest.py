"""The earliest open slot that fits a search: one indexed query.

Open slots have their own partial indexes (`ix_slots_open_start`, `ix_slots_open_doctor`), so
the query walks open slots in time order from the first admissible instant and stops at the
first one that fits the residual conditions (local date, time of day, weekday, doctor). The
partial-index condition is written as literal SQL: SQLite only uses a partial index when the
query's own WHERE implies it, which a bound parameter (`status = ?`) would not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from clinic_app.errors import ValidationError
from clinic_app.scheduling.hours import MINUTES_PER_DAY
from clinic_app.scheduling.models import SlotSearch
from clinic_app.scheduling.tables import DoctorProfileRow, SlotRow
from clinic_app.scheduling.validation import MAX_RANGE_DAYS, check_range
from clinic_app.security.permissions import Role
from clinic_app.security.tables import UserRow

OPEN_SLOT = text("slots.status = 'open' AND slots.deleted_at IS NULL")
# Local dates bound UTC instants within a day either way (zones run from UTC-12 to UTC+14).
_ZONE_SLACK = timedelta(hours=15)


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def check_search(search: SlotSearch, today: date) -> tuple[date, date]:
    """Validates the search; returns its local date range (defaults filled in)."""
    date_from = search.date_from or (min(today, search.date_to) if search.date_to else today)
    date_to = search.date_to or date_from + timedelta(days=MAX_RANGE_DAYS - 1)
    check_range(date_from, date_to)
    if (
        search.time_from
        and search.time_to
        and _minutes(search.time_to) <= _minutes(search.time_from)
    ):
        raise ValidationError(
            "The latest time is not after the earliest time.",
            {"time_to": "Must be after the earliest time."},
        )
    if search.weekdays is not None and (
        not search.weekdays or any(not 0 <= d <= 6 for d in search.weekdays)
    ):
        raise ValidationError("Weekdays are 0 (Monday) to 6 (Sunday), at least one.")
    return date_from, date_to


def _midnight_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def open_slot_query(
    search: SlotSearch, date_from: date, date_to: date, not_before: datetime
) -> Select[tuple[SlotRow]]:
    lower = max(not_before, _midnight_utc(date_from) - _ZONE_SLACK)
    upper = _midnight_utc(date_to + timedelta(days=1)) + _ZONE_SLACK
    query = select(SlotRow).where(
        OPEN_SLOT,
        SlotRow.starts_at >= lower,
        SlotRow.starts_at < upper,
        SlotRow.local_date >= date_from,
        SlotRow.local_date <= date_to,
    )
    if search.time_from is not None:
        query = query.where(SlotRow.local_start_minute >= _minutes(search.time_from))
    if search.time_to is not None:
        end = _minutes(search.time_to) or MINUTES_PER_DAY
        query = query.where(SlotRow.local_end_minute <= end)
    if search.weekdays is not None:
        query = query.where(SlotRow.weekday.in_(sorted(search.weekdays)))
    bookable = select(DoctorProfileRow.user_id).where(
        DoctorProfileRow.deleted_at.is_(None), DoctorProfileRow.active.is_(True)
    )
    if search.doctor_id:
        query = query.where(SlotRow.doctor_id == search.doctor_id)
    elif search.specialisation:
        bookable = bookable.where(
            DoctorProfileRow.specialisation_fold == fold_specialisation(search.specialisation)
        )
    active_doctors = select(UserRow.id).where(
        UserRow.role == Role.DOCTOR.value, UserRow.active.is_(True)
    )
    query = query.where(SlotRow.doctor_id.in_(bookable), SlotRow.doctor_id.in_(active_doctors))
    return query.order_by(SlotRow.starts_at, SlotRow.doctor_id)


def earliest_open_slot(
    session: Session, search: SlotSearch, now: datetime, today: date
) -> SlotRow | None:
    date_from, date_to = check_search(search, today)
    return session.scalars(open_slot_query(search, date_from, date_to, now).limit(1)).first()


def next_open_after(session: Session, doctor_id: str, after: datetime) -> SlotRow | None:
    """The doctor's next open slot starting after `after` (the offer when a slot is taken)."""
    return session.scalars(
        select(SlotRow)
        .where(
            OPEN_SLOT,
            SlotRow.doctor_id == doctor_id,
            SlotRow.starts_at > after,
            SlotRow.starts_at < after + timedelta(days=MAX_RANGE_DAYS),
        )
        .order_by(SlotRow.starts_at)
        .limit(1)
    ).first()


def fold_specialisation(text: str) -> str:
    return " ".join(text.split()).casefold()
