"""The earliest open slot that fits a search: one indexed query.

Open slots have their own partial indexes (`ix_slots_open_start`, `ix_slots_open_doctor`), so
the query walks open slots in time order from the first admissible instant and stops at the
first one that fits the residual conditions (local date, time of day, weekday, doctor). The
partial-index condition is written as literal SQL: SQLite only uses a partial index when the
query's own WHERE implies it, which a bound parameter (`status = ?`) would not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, bindparam, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from clinic_app.errors import ValidationError
from clinic_app.scheduling.hours import MINUTES_PER_DAY
from clinic_app.scheduling.models import SlotSearch
from clinic_app.scheduling.tables import SlotRow
from clinic_app.scheduling.validation import MAX_RANGE_DAYS, check_range
from clinic_app.storage.types import UtcDateTime

OPEN_SLOT = text("slots.status = 'open' AND slots.deleted_at IS NULL")
_TYPES = {"lower": UtcDateTime(), "upper": UtcDateTime(), "date_from": Date(), "date_to": Date()}
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
) -> TextClause:
    """The earliest-slot statement. Written as SQL because it names its index (`INDEXED BY`):
    with ANALYZE statistics SQLite may otherwise walk the non-partial (doctor, start) index
    through every booked slot, or gather whole date ranges and sort them."""
    index = "ix_slots_open_doctor" if search.doctor_id else "ix_slots_open_start"
    where = [
        "slots.status = 'open' AND slots.deleted_at IS NULL",
        "slots.starts_at >= :lower AND slots.starts_at < :upper",
        "slots.local_date >= :date_from AND slots.local_date <= :date_to",
        "slots.doctor_id IN (SELECT id FROM users WHERE role = 'doctor' AND active = 1)",
    ]
    params: dict[str, object] = {
        "lower": max(not_before, _midnight_utc(date_from) - _ZONE_SLACK),
        "upper": _midnight_utc(date_to + timedelta(days=1)) + _ZONE_SLACK,
        "date_from": date_from,
        "date_to": date_to,
    }
    if search.time_from is not None:
        where.append("slots.local_start_minute >= :minute_from")
        params["minute_from"] = _minutes(search.time_from)
    if search.time_to is not None:
        where.append("slots.local_end_minute <= :minute_to")
        params["minute_to"] = _minutes(search.time_to) or MINUTES_PER_DAY
    if search.weekdays is not None:
        where.append(
            f"slots.weekday IN ({', '.join(str(int(d)) for d in sorted(search.weekdays))})"
        )
    bookable = "SELECT user_id FROM doctor_profiles WHERE deleted_at IS NULL AND active = 1"
    if search.doctor_id:
        where.append("slots.doctor_id = :doctor_id")
        params["doctor_id"] = search.doctor_id
    elif search.specialisation:
        bookable += " AND specialisation_fold = :specialisation"
        params["specialisation"] = fold_specialisation(search.specialisation)
    where.append(f"slots.doctor_id IN ({bookable})")
    sql = (
        f"SELECT slots.* FROM slots INDEXED BY {index} WHERE {' AND '.join(where)} "
        "ORDER BY slots.starts_at, slots.doctor_id LIMIT 1"
    )
    return text(sql).bindparams(
        *(bindparam(name, type_=_TYPES.get(name)) for name in params),
        **params,
    )


def earliest_open_slot(
    session: Session, search: SlotSearch, now: datetime, today: date
) -> SlotRow | None:
    date_from, date_to = check_search(search, today)
    statement = open_slot_query(search, date_from, date_to, now)
    return session.scalars(select(SlotRow).from_statement(statement)).first()


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
