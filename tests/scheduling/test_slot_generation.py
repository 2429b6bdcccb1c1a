"""Slot generation: weekday rules, breaks, leave, daylight-saving changes and time zones.

Slots are stored in UTC and shown in the doctor's zone. Pure rules are checked directly; the
service tests check what lands in the encrypted store.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
from clinic_app.errors import ValidationError
from clinic_app.scheduling.hours import parse_weekly
from clinic_app.scheduling.local_time import zone
from clinic_app.scheduling.models import LeaveKind, SlotStatus
from clinic_app.scheduling.slot_generation import ScheduleRules, day_candidates, generate

from tests.scheduling.conftest import Clinic
from tests.store_inspection import outbox_entries, scalar


def _rules(
    hours: str,
    *,
    tz: str = "Europe/Berlin",
    minutes: int = 15,
    breaks: str = "",
    leave: tuple[tuple[date, date], ...] = (),
) -> ScheduleRules:
    return ScheduleRules(zone(tz), minutes, parse_weekly(hours), parse_weekly(breaks), leave)


def _local_times(rules: ScheduleRules, day: date) -> list[str]:
    return [f"{c.starts_at.astimezone(rules.time_zone):%H:%M}" for c in day_candidates(rules, day)]


def test_weekday_rules_give_each_day_its_own_intervals() -> None:
    rules = _rules("mon-wed=09:00-10:00; thu=14:00-15:00,16:00-16:30; sat=")
    week = list(generate(rules, date(2026, 3, 2), date(2026, 3, 8)))  # Monday to Sunday
    by_day: dict[date, int] = {}
    for slot in week:
        by_day[slot.local_date] = by_day.get(slot.local_date, 0) + 1
    assert by_day == {
        date(2026, 3, 2): 4,
        date(2026, 3, 3): 4,
        date(2026, 3, 4): 4,
        date(2026, 3, 5): 6,
    }
    assert _local_times(rules, date(2026, 3, 5)) == [
        "14:00",
        "14:15",
        "14:30",
        "14:45",
        "16:00",
        "16:15",
    ]
    assert all(slot.weekday == slot.local_date.weekday() for slot in week)


def test_breaks_are_cut_out_and_a_slot_never_straddles_one() -> None:
    rules = _rules("mon=08:00-12:00", breaks="mon=09:50-10:10", minutes=20)
    assert _local_times(rules, date(2026, 3, 2)) == [
        "08:00",
        "08:20",
        "08:40",
        "09:00",
        "09:20",  # 09:40 would run into the break
        "10:10",
        "10:30",
        "10:50",
        "11:10",
        "11:30",  # 11:50 would end after 12:00
    ]


def test_leave_days_have_no_slots() -> None:
    rules = _rules("mon-fri=09:00-10:00", leave=((date(2026, 3, 3), date(2026, 3, 4)),))
    days = {slot.local_date for slot in generate(rules, date(2026, 3, 2), date(2026, 3, 6))}
    assert days == {date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 6)}


@pytest.mark.parametrize(
    ("day", "slots", "first_utc"),
    [
        (date(2026, 3, 28), 24, datetime(2026, 3, 27, 23, 0, tzinfo=UTC)),  # CET, a normal night
        (date(2026, 3, 29), 20, datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),  # 02:00→03:00: 5 h
        (date(2026, 10, 25), 28, datetime(2026, 10, 24, 22, 0, tzinfo=UTC)),  # 03:00→02:00: 7 h
    ],
)
def test_berlin_night_hours_follow_the_real_clock_across_the_changes(
    day: date, slots: int, first_utc: datetime
) -> None:
    rules = _rules("mon-sun=00:00-06:00")
    candidates = list(day_candidates(rules, day))
    assert len(candidates) == slots
    assert candidates[0].starts_at == first_utc
    for before, after in pairwise(candidates):
        assert after.starts_at == before.ends_at  # back to back in real time, no gap, no overlap
    assert all(c.ends_at - c.starts_at == timedelta(minutes=15) for c in candidates)
    assert {c.local_date for c in candidates} == {day}


def test_spring_change_skips_the_missing_hour_and_autumn_shows_the_repeated_one_twice() -> None:
    rules = _rules("mon-sun=01:00-04:00", minutes=30)
    assert _local_times(rules, date(2026, 3, 29)) == ["01:00", "01:30", "03:00", "03:30"]
    autumn = list(day_candidates(rules, date(2026, 10, 25)))
    labels = [f"{c.starts_at.astimezone(rules.time_zone):%H:%M%z}" for c in autumn]
    assert labels == [
        "01:00+0200",
        "01:30+0200",
        "02:00+0200",
        "02:30+0200",
        "02:00+0100",
        "02:30+0100",
        "03:00+0100",
        "03:30+0100",
    ]


def test_day_hours_keep_their_local_time_while_utc_moves_with_the_change() -> None:
    rules = _rules("mon-sun=08:00-09:00")
    saturday = list(day_candidates(rules, date(2026, 3, 28)))
    sunday = list(day_candidates(rules, date(2026, 3, 29)))
    assert saturday[0].starts_at == datetime(2026, 3, 28, 7, 0, tzinfo=UTC)
    assert sunday[0].starts_at == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
    assert saturday[0].local_start_minute == sunday[0].local_start_minute == 8 * 60


def test_new_york_changes_on_its_own_dates() -> None:
    rules = _rules("mon-sun=09:00-10:00", tz="America/New_York", minutes=60)
    starts = {
        day: next(day_candidates(rules, day)).starts_at
        for day in (date(2026, 3, 7), date(2026, 3, 8), date(2026, 10, 31), date(2026, 11, 1))
    }
    assert starts[date(2026, 3, 7)].hour == 14  # EST, UTC-5
    assert starts[date(2026, 3, 8)].hour == 13  # EDT from 8 March
    assert starts[date(2026, 10, 31)].hour == 13
    assert starts[date(2026, 11, 1)].hour == 14  # back to EST on 1 November
    # Berlin had not changed yet on 8 March: the two zones are an hour closer for three weeks.
    berlin = _rules("mon-sun=09:00-10:00", minutes=60)
    assert next(day_candidates(berlin, date(2026, 3, 8))).starts_at.hour == 8


def test_a_midnight_ending_interval_and_a_late_shift() -> None:
    rules = _rules("fri=22:00-24:00", minutes=60)
    slots = list(day_candidates(rules, date(2026, 3, 6)))
    assert [s.local_end_minute for s in slots] == [23 * 60, 24 * 60]
    assert all(s.local_date == date(2026, 3, 6) for s in slots)


# --- through the service, into the store -------------------------------------------------------


def test_generated_slots_are_stored_in_utc_and_shown_in_local_time(clinic: Clinic) -> None:
    clinic.profile(hours="mon-sun=08:00-09:00", time_zone="America/New_York")
    created = clinic.generate(date(2026, 3, 7), date(2026, 3, 8))
    assert created == 8
    stored = (
        clinic.services.db.engine.connect()
        .exec_driver_sql("SELECT starts_at FROM slots ORDER BY starts_at LIMIT 1")
        .scalar_one()
    )
    assert str(stored).startswith("2026-03-07 13:00")  # 08:00 EST as naive UTC in the file
    view = clinic.scheduling.calendar.day_view(clinic.desk, date(2026, 3, 8), clinic.doctor.id)
    first = view.columns[0].entries[0]
    assert f"{first.local_start:%H:%M %Z}" == "08:00 EDT"
    assert first.starts_at == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)


def test_generation_is_idempotent_and_written_with_outbox_entries(clinic: Clinic) -> None:
    clinic.profile()
    first = clinic.scheduling.slots.generate(
        clinic.admin, clinic.doctor.id, date(2026, 3, 4), date(2026, 3, 10)
    )
    again = clinic.scheduling.slots.generate(
        clinic.admin, clinic.doctor.id, date(2026, 3, 2), date(2026, 3, 10)
    )
    # Wednesday 4 March to Tuesday 10 March: 5 working days × 32 slots, from 08:00 local.
    assert first.created == 5 * 32
    assert again.created == 0  # the 2nd and 3rd are in the past: nothing made there
    assert again.skipped_existing == first.created
    db = clinic.services.db
    assert scalar(db, "SELECT count(*) FROM slots WHERE deleted_at IS NULL") == 160
    creates = [e for e in outbox_entries(db) if e.entity_type == "slots"]
    assert len(creates) == 160
    assert {e.operation for e in creates} == {"create"}


def test_leave_removes_open_slots_and_keeps_booked_ones(clinic: Clinic) -> None:
    from clinic_app.scheduling.models import BookingRequest, SlotSearch

    clinic.profile()
    clinic.generate(date(2026, 3, 4), date(2026, 3, 13))
    patient = clinic.patient()
    slot = clinic.scheduling.booking.find_earliest(
        clinic.desk, SlotSearch(date_from=date(2026, 3, 10))
    )
    assert slot is not None
    booked = clinic.scheduling.booking.book(clinic.desk, slot.id, BookingRequest(patient))
    leave, change = clinic.scheduling.profiles.add_leave(
        clinic.admin,
        clinic.doctor.id,
        date(2026, 3, 10),
        date(2026, 3, 11),
        LeaveKind.LEAVE,
        "conference",
    )
    assert leave.kind is LeaveKind.LEAVE
    assert change.removed_slots == 2 * 32 - 1
    assert [a.id for a in change.appointments_to_move] == [booked.id]
    view = clinic.scheduling.calendar.day_view(clinic.desk, date(2026, 3, 10), clinic.doctor.id)
    assert [e.slot_status for e in view.columns[0].entries] == [SlotStatus.BOOKED]
    # Taking the leave back lays the day's slots again around the booking.
    change = clinic.scheduling.profiles.remove_leave(clinic.admin, leave.id)
    assert change.created_slots == 2 * 32 - 1


def test_a_manual_slot_is_added_once_and_refused_when_it_overlaps(clinic: Clinic) -> None:
    clinic.profile()
    clinic.generate(date(2026, 3, 4), date(2026, 3, 6))
    saturday = clinic.scheduling.slots.add_slot(
        clinic.desk, clinic.doctor.id, date(2026, 3, 7), time(10, 0), 30
    )
    assert f"{saturday.local_start:%H:%M}" == "10:00"
    assert saturday.ends_at - saturday.starts_at == timedelta(minutes=30)
    with pytest.raises(ValidationError, match="overlaps"):
        clinic.scheduling.slots.add_slot(
            clinic.desk, clinic.doctor.id, date(2026, 3, 7), time(10, 15)
        )
    with pytest.raises(ValidationError, match="overlaps"):
        clinic.scheduling.slots.add_slot(
            clinic.desk, clinic.doctor.id, date(2026, 3, 5), time(8, 5)
        )
    with pytest.raises(ValidationError, match="past"):
        clinic.scheduling.slots.add_slot(
            clinic.desk, clinic.doctor.id, date(2026, 3, 3), time(9, 0)
        )


def test_a_blocked_slot_keeps_its_reason_and_is_not_offered(clinic: Clinic) -> None:
    from clinic_app.scheduling.models import SlotSearch

    clinic.profile()
    clinic.generate(date(2026, 3, 4), date(2026, 3, 4))
    first = clinic.scheduling.booking.find_earliest(clinic.desk, SlotSearch())
    assert first is not None
    blocked = clinic.scheduling.slots.block(clinic.desk, first.id, "laser maintenance")
    assert blocked.status is SlotStatus.BLOCKED
    assert blocked.block_reason == "laser maintenance"
    nxt = clinic.scheduling.booking.find_earliest(clinic.desk, SlotSearch())
    assert nxt is not None
    assert nxt.starts_at == first.ends_at
    with pytest.raises(ValidationError, match="required"):
        clinic.scheduling.slots.block(clinic.desk, nxt.id, "  ")
    assert clinic.scheduling.slots.unblock(clinic.desk, first.id).status is SlotStatus.OPEN
