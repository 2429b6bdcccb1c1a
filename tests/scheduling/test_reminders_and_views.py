"""Reminders in the inbox (once per appointment), tomorrow's reminder calls with phone numbers,
and the calendar data the GUI draws: day and week views, today's queue, the printable list."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from clinic_app.notifications.models import NotificationKind
from clinic_app.scheduling.models import (
    AppointmentStatus,
    AppointmentType,
    BookingRequest,
    SlotSearch,
    SlotStatus,
)

from tests.scheduling.conftest import Clinic, ManualClock
from tests.store_inspection import audit_events, scalar


def _book_tomorrow(clinic: Clinic, at: time, family: str = "Lovelace") -> str:
    patient = clinic.patient(family, phone="+49 30 7654321")
    return clinic.scheduling.booking.book_earliest(
        clinic.desk,
        SlotSearch(date_from=date(2026, 3, 5), time_from=at),
        BookingRequest(patient, AppointmentType.FOLLOW_UP),
    ).id


def test_reminders_reach_the_doctor_and_the_desk_once(clinic: Clinic, clock: ManualClock) -> None:
    clinic.profile()
    clinic.generate(date(2026, 3, 4), date(2026, 3, 10))
    soon = _book_tomorrow(clinic, time(8, 0))
    later = _book_tomorrow(clinic, time(9, 0), "Hopper")
    next_week = clinic.scheduling.booking.book_earliest(
        clinic.desk, SlotSearch(date_from=date(2026, 3, 9)), BookingRequest(clinic.patient("Ng"))
    )
    from clinic_app.scheduling.attendance_service import mark_confirmed

    with clinic.services.db.unit_of_work() as uow:
        mark_confirmed(uow.session, later, None)
        uow.commit()
    reminders = clinic.scheduling.reminders
    clock.now = clock.now.replace(hour=8, minute=30)  # 09:30 in Berlin, the day before
    assert reminders.send_reminders() == 2
    assert reminders.send_reminders() == 0  # idempotent
    assert reminders.send_reminders(clock.now + timedelta(minutes=5)) == 0

    doctor_inbox = clinic.services.notifications.inbox(clinic.doctor)
    assert sorted(n.record_id for n in doctor_inbox) == sorted([soon, later])
    assert {n.kind for n in doctor_inbox} == {NotificationKind.APPOINTMENT_REMINDER}
    assert any("Thu 05 Mar 08:00" in n.title for n in doctor_inbox)
    # The desk hears only about the booking the server has not confirmed yet.
    desk_inbox = clinic.services.notifications.inbox(clinic.desk)
    assert [n.record_id for n in desk_inbox] == [soon]
    assert clinic.services.notifications.inbox(clinic.nurse) == []
    clock.now += timedelta(days=4)  # Sunday morning: Monday's booking is in the coming day
    assert reminders.send_reminders() == 1
    assert clinic.services.notifications.inbox(clinic.doctor)[0].record_id == next_week.id
    assert [e.action for e in audit_events(clinic.services.db)].count("appointment.remind") == 2


def test_a_rescheduled_appointment_is_reminded_again(clinic: Clinic, clock: ManualClock) -> None:
    clinic.profile()
    clinic.generate(date(2026, 3, 4), date(2026, 3, 10))
    appointment = _book_tomorrow(clinic, time(8, 0))
    clock.now = clock.now.replace(hour=8)
    assert clinic.scheduling.reminders.send_reminders() == 1
    target = clinic.scheduling.booking.find_earliest(
        clinic.desk, SlotSearch(date_from=date(2026, 3, 5), time_from=time(8, 30))
    )
    assert target is not None
    clinic.scheduling.booking.reschedule(clinic.desk, appointment, target.id)
    assert clinic.scheduling.reminders.send_reminders() == 1


def test_reminder_calls_list_tomorrows_patients_with_phone_numbers(
    clinic: Clinic, clock: ManualClock
) -> None:
    clinic.profile()
    clinic.generate(date(2026, 3, 4), date(2026, 3, 6))
    _book_tomorrow(clinic, time(9, 0), "Hopper")
    _book_tomorrow(clinic, time(8, 0), "Lovelace")
    calls = clinic.scheduling.calendar.reminder_calls(clinic.desk)
    assert [(c.patient_name, f"{c.local_start:%H:%M}", c.phone) for c in calls] == [
        ("Lovelace, Ada", "08:00", "+49 30 7654321"),
        ("Hopper, Ada", "09:00", "+49 30 7654321"),
    ]
    assert calls[0].doctor_name == "Greg House"
    assert clinic.scheduling.calendar.reminder_calls(clinic.desk, date(2026, 3, 6)) == []


def test_week_view_colours_and_walk_ins(clinic: Clinic, clock: ManualClock) -> None:
    clinic.profile()
    other = clinic.add_doctor("drwho", "Albert Who")
    clinic.profile(other, specialisation="Radiology", hours="mon-fri=09:00-10:00", minutes=30)
    clinic.generate(date(2026, 3, 4), date(2026, 3, 8))
    clinic.generate(date(2026, 3, 4), date(2026, 3, 8), other)
    appointment = _book_tomorrow(clinic, time(8, 0))
    walk_in = clinic.scheduling.booking.walk_in(clinic.desk, clinic.patient("Walker"), other)
    blocked = clinic.scheduling.booking.find_earliest(clinic.desk, SlotSearch(doctor_id=other))
    assert blocked is not None
    clinic.scheduling.slots.block(clinic.desk, blocked.id, "equipment check")

    week = clinic.scheduling.calendar.week_view(clinic.desk, date(2026, 3, 2))
    assert [c.doctor_name for c in week.columns[::7]] == ["Albert Who", "Greg House"]
    assert len(week.columns) == 14
    house_thursday = next(
        c for c in week.doctor_days(clinic.doctor.id) if c.day == date(2026, 3, 5)
    )
    first = house_thursday.entries[0]
    assert first.slot_status is SlotStatus.BOOKED
    assert first.appointment is not None
    assert first.appointment.id == appointment
    assert first.appointment.appointment_type is AppointmentType.FOLLOW_UP
    assert len(house_thursday.entries) == 32
    who_today = next(c for c in week.doctor_days(other) if c.day == date(2026, 3, 4))
    kinds = [
        (e.slot_status, e.appointment.walk_in if e.appointment else None) for e in who_today.entries
    ]
    assert kinds == [(None, True), (SlotStatus.BLOCKED, None), (SlotStatus.OPEN, None)]
    assert who_today.entries[1].block_reason == "equipment check"
    assert who_today.entries[0].appointment is not None
    assert who_today.entries[0].appointment.id == walk_in.id
    assert (
        scalar(
            clinic.services.db, "SELECT count(*) FROM audit_events WHERE action = 'schedule.view'"
        )
        == 1
    )


def test_cancelled_appointments_show_only_when_asked(clinic: Clinic) -> None:
    clinic.profile()
    clinic.generate(date(2026, 3, 4), date(2026, 3, 6))
    appointment = _book_tomorrow(clinic, time(8, 0))
    clinic.scheduling.booking.cancel(clinic.desk, appointment, "moved away")
    calendar = clinic.scheduling.calendar
    plain = calendar.day_view(clinic.desk, date(2026, 3, 5), clinic.doctor.id)
    assert all(e.appointment is None for e in plain.columns[0].entries)
    full = calendar.range_view(
        clinic.desk, date(2026, 3, 5), date(2026, 3, 5), clinic.doctor.id, include_cancelled=True
    )
    shown = [e for e in full.columns[0].entries if e.appointment]
    assert [e.appointment.status for e in shown if e.appointment] == [AppointmentStatus.CANCELLED]
    assert shown[0].slot_id is None  # drawn beside the (open again) slot


def test_queue_and_printable_day_list(clinic: Clinic, clock: ManualClock) -> None:
    clinic.profile()
    clinic.generate(date(2026, 3, 4), date(2026, 3, 6))
    clock.now = clock.now.replace(hour=6)  # 07:00 in Berlin on Wednesday the 4th
    patients = [clinic.patient(name) for name in ("Able", "Baker", "Cole")]
    booked = [
        clinic.scheduling.booking.book_earliest(
            clinic.desk, SlotSearch(date_from=date(2026, 3, 4)), BookingRequest(p)
        )
        for p in patients
    ]
    clinic.scheduling.booking.cancel(clinic.desk, booked[2].id, "sick")
    clock.now = clock.now.replace(hour=6, minute=55)
    clinic.scheduling.attendance.check_in(clinic.nurse, booked[1].id)
    clock.now += timedelta(minutes=12)
    queue = clinic.scheduling.calendar.queue(clinic.nurse)
    assert [q.appointment.patient_name for q in queue] == ["Able, Ada", "Baker, Ada"]
    assert [q.arrived for q in queue] == [False, True]
    assert queue[1].waiting_minutes == 12
    assert queue[0].room == "2.14"
    rows = clinic.scheduling.calendar.day_list(clinic.desk, date(2026, 3, 4))
    assert [(r.patient_name, f"{r.local_start:%H:%M}", r.status) for r in rows] == [
        ("Able, Ada", "08:00", "booked"),
        ("Baker, Ada", "08:15", "arrived"),
    ]
    assert rows[0].birth_date == date(1985, 12, 10)
    assert rows[0].phone == "+49 30 1234567"


def test_fast_built_view_values_equal_regular_ones(clinic: Clinic) -> None:
    """The week view builds its frozen values without __init__ (for speed): the result must be
    indistinguishable from the regular constructor's."""
    import dataclasses

    from clinic_app.scheduling.calendar_models import CalendarEntry
    from clinic_app.scheduling.calendar_rows import frozen, paused_gc

    clinic.profile()
    clinic.generate(date(2026, 3, 4), date(2026, 3, 6))
    _book_tomorrow(clinic, time(8, 0))
    import gc

    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    view = clinic.scheduling.calendar.day_view(clinic.desk, date(2026, 3, 5), clinic.doctor.id)
    for entry in view.columns[0].entries:
        rebuilt = CalendarEntry(
            **{f.name: getattr(entry, f.name) for f in dataclasses.fields(entry)}
        )
        assert rebuilt == entry
        assert hash(rebuilt) == hash(entry)
        if entry.appointment is not None:
            summary = entry.appointment
            again = type(summary)(**dataclasses.asdict(summary))
            assert again == summary
    made = frozen(CalendarEntry, **dataclasses.asdict(view.columns[0].entries[1]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.slot_id = "x"  # type: ignore[misc]
