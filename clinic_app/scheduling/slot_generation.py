"""Slot generation as a pure function: rules in, candidate slots out (no database)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from clinic_app.scheduling.hours import working_intervals
from clinic_app.scheduling.local_time import local_to_utc, minute_of, to_local
from clinic_app.scheduling.models import WeeklyHours


@dataclass(frozen=True)
class SlotCandidate:
    starts_at: datetime  # UTC
    ends_at: datetime
    local_date: date
    weekday: int
    local_start_minute: int
    local_end_minute: int


@dataclass(frozen=True)
class ScheduleRules:
    time_zone: ZoneInfo
    consultation_minutes: int
    weekly_hours: WeeklyHours
    breaks: WeeklyHours
    leave: tuple[tuple[date, date], ...] = ()  # inclusive local date ranges

    def on_leave(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.leave)


def candidate(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> SlotCandidate:
    """The local columns of a slot given by its UTC start and end."""
    local_start = to_local(starts_at, tz)
    day = local_start.date()
    return SlotCandidate(
        starts_at=starts_at,
        ends_at=ends_at,
        local_date=day,
        weekday=day.weekday(),
        local_start_minute=minute_of(local_start, day),
        local_end_minute=minute_of(to_local(ends_at, tz), day),
    )


def day_candidates(rules: ScheduleRules, day: date) -> Iterator[SlotCandidate]:
    if rules.on_leave(day):
        return
    length = timedelta(minutes=rules.consultation_minutes)
    for interval in working_intervals(rules.weekly_hours, rules.breaks, day.weekday()):
        start = local_to_utc(day, interval.start, rules.time_zone)
        end = local_to_utc(day, interval.end, rules.time_zone)
        cursor = start
        while cursor + length <= end:
            yield candidate(cursor, cursor + length, rules.time_zone)
            cursor += length


def generate(rules: ScheduleRules, date_from: date, date_to: date) -> Iterator[SlotCandidate]:
    """Every slot the rules give between two local dates (inclusive), in time order."""
    day = date_from
    while day <= date_to:
        yield from day_candidates(rules, day)
        day += timedelta(days=1)


def within_hours(rules: ScheduleRules, slot: SlotCandidate) -> bool:
    """Whether a slot lies inside the rules' working time (used when hours change)."""
    if rules.on_leave(slot.local_date):
        return False
    day = slot.local_date
    for interval in working_intervals(rules.weekly_hours, rules.breaks, slot.weekday):
        start = local_to_utc(day, interval.start, rules.time_zone)
        end = local_to_utc(day, interval.end, rules.time_zone)
        if start <= slot.starts_at and slot.ends_at <= end:
            return True
    return False
