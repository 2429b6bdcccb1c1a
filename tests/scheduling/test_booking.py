"""Booking, walk-ins, reschedule, cancel, check-in and no-show; the status history; no double
booking guaranteed by the database itself."""

from __future__ import annotations

from datetime import date, time

import pytest
import sqlalchemy.exc
from clinic_app.errors import ConflictError, NotFoundError, ValidationError
from clinic_app.scheduling.attendance_service import mark_confirmed
from clinic_app.scheduling.errors import SlotTakenError
from clinic_app.scheduling.models import (
    ACTIVE_STATUSES,
    AppointmentStatus,
    AppointmentType,
    BookingRequest,
    SlotSearch,
    SlotStatus,
    SlotView,
)
from clinic_app.scheduling.tables import ACTIVE_STATUS_SQL

from tests.scheduling.conftest import Clinic
from tests.store_inspection import audit_events, outbox_entries, scalar


@pytest.fixture
def open_day(clinic: Clinic) -> list[SlotView]:
    """The doctor's open slots on Thursday 5 March 2026 (08:00–17:00 Berlin, lunch off)."""
    clinic.profile()
    clinic.generate(date(2026, 3, 4), date(2026, 3, 13))
    view = clinic.scheduling.calendar.day_view(clinic.desk, date(2026, 3, 5), clinic.doctor.id)
    return [
        SlotView(
            e.slot_id,
            clinic.doctor.id,
            e.starts_at,
            e.ends_at,
            e.local_start,
            e.local_end,
            SlotStatus.OPEN,
            None,
            "generated",
            1,
        )  # type: ignore[arg-type]
        for e in view.columns[0].entries
        if e.slot_id
    ]


def test_booking_a_slot_marks_it_and_writes_history_outbox_and_audit(
    clinic: Clinic, open_day: list[SlotView]
) -> None:
    patient = clinic.patient()
    slot = open_day[3]
    booked = clinic.scheduling.booking.book(clinic.desk, slot.id, BookingRequest(patient))
    assert booked.status is AppointmentStatus.BOOKED
    assert booked.slot_id == slot.id
    assert booked.confirmed is False  # provisional until the server confirms
    assert f"{booked.local_start:%H:%M}" == "08:45"
    assert booked.patient_name == "Lovelace, Ada"
    db = clinic.services.db
    assert scalar(db, "SELECT status FROM slots WHERE id = ?", slot.id) == "booked"
    assert [e.operation for e in outbox_entries(db, booked.id)] == ["create"]
    assert [e.operation for e in outbox_entries(db, slot.id)] == ["create", "update"]
    detail = clinic.scheduling.attendance.get(clinic.desk, booked.id)
    assert [(h.from_status, h.to_status) for h in detail.history] == [
        (None, AppointmentStatus.BOOKED)
    ]
    assert detail.history[0].changed_by == clinic.desk.id
    actions = [e.action for e in audit_events(db)]
    assert "appointment.book" in actions
    assert "appointment.view" in actions


def test_the_database_refuses_a_second_active_appointment_for_a_slot(
    clinic: Clinic, open_day: list[SlotView]
) -> None:
    """Not only the service's check: a raw INSERT that skips it is refused too."""
    patient = clinic.patient()
    booked = clinic.scheduling.booking.book(clinic.desk, open_day[0].id, BookingRequest(patient))
    columns = (
        "id, patient_id, doctor_id, slot_id, starts_at, ends_at, local_date, appointment_type, "
        "status, walk_in, confirmed, created_at, updated_at, version"
    )
    insert = (
        f"INSERT INTO appointments ({columns}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'follow_up', ?, 0, 0, ?, ?, 1)"
    )
    row = (
        patient,
        clinic.doctor.id,
        open_day[0].id,
        "2026-03-05 07:00:00.000000",
        "2026-03-05 07:15:00.000000",
        "2026-03-05",
    )
    stamps = ("2026-03-04 06:00:00", "2026-03-04 06:00:00")
    with (
        clinic.services.db.engine.begin() as connection,
        pytest.raises(sqlalchemy.exc.IntegrityError, match="UNIQUE"),
    ):
        connection.exec_driver_sql(insert, ("a-1", *row, "arrived", *stamps))
    # A cancelled appointment does not hold the slot, so history can keep it beside the live one.
    with clinic.services.db.engine.begin() as connection:
        connection.exec_driver_sql(insert, ("a-2", *row, "cancelled", *stamps))
    assert (
        scalar(
            clinic.services.db,
            "SELECT count(*) FROM appointments WHERE slot_id = ?",
            open_day[0].id,
        )
        == 2
    )
    assert booked.status is AppointmentStatus.BOOKED


def test_the_index_and_the_code_agree_on_which_statuses_hold_a_slot() -> None:
    assert {s.value for s in ACTIVE_STATUSES} == set(
        ACTIVE_STATUS_SQL.strip("()").replace("'", "").replace(" ", "").split(",")
    )


def test_booking_a_taken_slot_offers_the_next_free_one(
    clinic: Clinic, open_day: list[SlotView]
) -> None:
    first, second = clinic.patient("First"), clinic.patient("Second")
    clinic.scheduling.booking.book(clinic.desk, open_day[0].id, BookingRequest(first))
    clinic.scheduling.booking.book(clinic.desk, open_day[1].id, BookingRequest(first))
    before = scalar(clinic.services.db, "SELECT count(*) FROM outbox")
    with pytest.raises(SlotTakenError, match="just taken") as caught:
        clinic.scheduling.booking.book(clinic.desk, open_day[0].id, BookingRequest(second))
    assert caught.value.next_slot is not None
    assert caught.value.next_slot.id == open_day[2].id
    assert "08:30" in str(caught.value)
    assert scalar(clinic.services.db, "SELECT count(*) FROM outbox") == before


def test_earliest_booking_books_the_first_slot_that_fits(
    clinic: Clinic, open_day: list[SlotView]
) -> None:
    patient = clinic.patient()
    search = SlotSearch(
        doctor_id=clinic.doctor.id,
        date_from=date(2026, 3, 5),
        time_from=time(13, 30),
        weekdays=frozenset({3}),
    )
    booked = clinic.scheduling.booking.book_earliest(clinic.desk, search, BookingRequest(patient))
    assert f"{booked.local_start:%Y-%m-%d %H:%M}" == "2026-03-05 13:30"
    again = clinic.scheduling.booking.book_earliest(clinic.desk, search, BookingRequest(patient))
    assert f"{again.local_start:%H:%M}" == "13:45"
    by_speciality = clinic.scheduling.booking.find_earliest(
        clinic.desk, SlotSearch(specialisation="  dermatology ")
    )
    assert by_speciality is not None
    assert (
        clinic.scheduling.booking.find_earliest(
            clinic.desk, SlotSearch(specialisation="Cardiology")
        )
        is None
    )
    with pytest.raises(NotFoundError, match="No free slot"):
        clinic.scheduling.booking.book_earliest(
            clinic.desk, SlotSearch(weekdays=frozenset({6})), BookingRequest(patient)
        )


def test_telehealth_needs_a_valid_https_link(clinic: Clinic, open_day: list[SlotView]) -> None:
    patient = clinic.patient()
    for bad in (
        None,
        "",
        "http://meet.example.org/x",
        "https://user:pw@meet.example.org/x",
        "https://meet example.org",
        "javascript:alert(1)",
        "https://localhost/x",
        "https://" + "a" * 600 + ".org",
        "https://meet.example.org:99999/x",
    ):
        with pytest.raises(ValidationError, match="meeting link"):
            clinic.scheduling.booking.book(
                clinic.desk,
                open_day[0].id,
                BookingRequest(patient, AppointmentType.TELEHEALTH, bad),
            )
    with pytest.raises(ValidationError, match="Only a telehealth"):
        clinic.scheduling.booking.book(
            clinic.desk,
            open_day[0].id,
            BookingRequest(patient, AppointmentType.FOLLOW_UP, "https://meet.example.org/x"),
        )
    assert scalar(clinic.services.db, "SELECT count(*) FROM appointments") == 0
    ok = clinic.scheduling.booking.book(
        clinic.desk,
        open_day[0].id,
        BookingRequest(patient, "telehealth", "https://meet.example.org/room/42?pin=7"),
    )
    assert ok.appointment_type is AppointmentType.TELEHEALTH
    assert ok.meeting_link == "https://meet.example.org/room/42?pin=7"


def test_reschedule_moves_the_booking_and_frees_the_old_slot(
    clinic: Clinic, open_day: list[SlotView]
) -> None:
    patient = clinic.patient()
    booked = clinic.scheduling.booking.book(clinic.desk, open_day[0].id, BookingRequest(patient))
    clinic.services.scheduling  # the bootstrap wires the same feature  # noqa: B018
    moved = clinic.scheduling.booking.reschedule(
        clinic.desk, booked.id, open_day[5].id, expected_version=booked.version
    )
    assert moved.slot_id == open_day[5].id
    assert moved.id == booked.id
    db = clinic.services.db
    assert scalar(db, "SELECT status FROM slots WHERE id = ?", open_day[0].id) == "open"
    assert scalar(db, "SELECT status FROM slots WHERE id = ?", open_day[5].id) == "booked"
    with pytest.raises(ConflictError, match="changed by someone else"):
        clinic.scheduling.booking.reschedule(
            clinic.desk, booked.id, open_day[6].id, expected_version=booked.version
        )
    history = clinic.scheduling.attendance.get(clinic.desk, booked.id).history
    assert [h.note for h in history] == [None, "rescheduled"]
    assert history[1].slot_id == open_day[5].id


def test_cancel_needs_a_reason_and_frees_the_slot(clinic: Clinic, open_day: list[SlotView]) -> None:
    patient = clinic.patient()
    booked = clinic.scheduling.booking.book(clinic.desk, open_day[0].id, BookingRequest(patient))
    with pytest.raises(ValidationError, match="required"):
        clinic.scheduling.booking.cancel(clinic.desk, booked.id, "   ")
    cancelled = clinic.scheduling.booking.cancel(clinic.desk, booked.id, "patient has flu")
    assert cancelled.status is AppointmentStatus.CANCELLED
    detail = clinic.scheduling.attendance.get(clinic.desk, booked.id)
    assert detail.cancel_reason == "patient has flu"
    assert detail.history[-1].to_status is AppointmentStatus.CANCELLED
    assert (
        scalar(clinic.services.db, "SELECT status FROM slots WHERE id = ?", open_day[0].id)
        == "open"
    )
    with pytest.raises(ValidationError, match="cancelled"):
        clinic.scheduling.booking.cancel(clinic.desk, booked.id, "again")
    rebooked = clinic.scheduling.booking.book(clinic.desk, open_day[0].id, BookingRequest(patient))
    assert rebooked.id != booked.id


def test_check_in_on_the_day_and_no_show_after_the_start(
    clinic: Clinic, open_day: list[SlotView], clock: object
) -> None:
    from tests.scheduling.conftest import ManualClock

    assert isinstance(clock, ManualClock)
    patient = clinic.patient()
    early = clinic.scheduling.booking.book(clinic.desk, open_day[0].id, BookingRequest(patient))
    late = clinic.scheduling.booking.book(clinic.desk, open_day[1].id, BookingRequest(patient))
    with pytest.raises(ValidationError, match="not today"):
        clinic.scheduling.attendance.check_in(clinic.nurse, early.id)
    clock.now = open_day[0].starts_at.replace(hour=6, minute=50)  # 07:50 in Berlin, same day
    arrival = clinic.scheduling.attendance.check_in(clinic.nurse, early.id)
    assert arrival.patient_id == patient
    assert arrival.doctor_id == clinic.doctor.id
    assert arrival.appointment_id == early.id
    assert arrival.appointment.status is AppointmentStatus.ARRIVED
    with pytest.raises(ValidationError, match="already checked in"):
        clinic.scheduling.attendance.check_in(clinic.nurse, early.id)
    with pytest.raises(ValidationError, match="not started"):
        clinic.scheduling.attendance.no_show(clinic.nurse, late.id)
    clock.now = open_day[2].starts_at
    missed = clinic.scheduling.attendance.no_show(clinic.nurse, late.id)
    assert missed.status is AppointmentStatus.NO_SHOW
    # The missed slot is released; the arrived patient's slot stays held.
    db = clinic.services.db
    assert scalar(db, "SELECT status FROM slots WHERE id = ?", open_day[1].id) == "open"
    assert scalar(db, "SELECT status FROM slots WHERE id = ?", open_day[0].id) == "booked"


def test_a_walk_in_has_no_slot_and_arrives_at_once(
    clinic: Clinic, open_day: list[SlotView]
) -> None:
    patient = clinic.patient()
    walk_in = clinic.scheduling.booking.walk_in(
        clinic.desk, patient, clinic.doctor.id, AppointmentType.FOLLOW_UP
    )
    assert walk_in.walk_in is True
    assert walk_in.slot_id is None
    assert walk_in.status is AppointmentStatus.ARRIVED
    assert walk_in.arrived_at == clinic.scheduling.booking._clock()
    queue = clinic.scheduling.calendar.queue(clinic.nurse, date(2026, 3, 4))
    assert [q.appointment.id for q in queue] == [walk_in.id]
    assert queue[0].arrived
    assert queue[0].waiting_minutes == 0
    with pytest.raises(ValidationError, match="telehealth"):
        clinic.scheduling.booking.walk_in(clinic.desk, patient, clinic.doctor.id, "telehealth")


def test_the_sync_engine_can_confirm_a_provisional_booking(
    clinic: Clinic, open_day: list[SlotView]
) -> None:
    patient = clinic.patient()
    booked = clinic.scheduling.booking.book(clinic.desk, open_day[0].id, BookingRequest(patient))
    with clinic.services.db.unit_of_work() as uow:
        assert mark_confirmed(uow.session, booked.id, "server-v7")
        assert not mark_confirmed(uow.session, "unknown", None)
        uow.commit()
    detail = clinic.scheduling.attendance.get(clinic.desk, booked.id)
    assert detail.appointment.confirmed is True


def test_booking_refuses_unknown_deleted_blocked_and_past(
    clinic: Clinic, open_day: list[SlotView], clock: object
) -> None:
    patient = clinic.patient()
    booking = clinic.scheduling.booking
    with pytest.raises(NotFoundError, match="slot"):
        booking.book(clinic.desk, "no-such-slot", BookingRequest(patient))
    with pytest.raises(NotFoundError, match="patient"):
        booking.book(clinic.desk, open_day[0].id, BookingRequest("no-such-patient"))
    with pytest.raises(ValidationError, match="appointment type"):
        booking.book(clinic.desk, open_day[0].id, BookingRequest(patient, "massage"))
    with pytest.raises(ValidationError, match="too long"):
        booking.book(clinic.desk, open_day[0].id, BookingRequest(patient, note="x" * 501))
    clinic.scheduling.slots.block(clinic.desk, open_day[1].id, "doctor in surgery")
    with pytest.raises(ValidationError, match=r"blocked \(doctor in surgery\)"):
        booking.book(clinic.desk, open_day[1].id, BookingRequest(patient))
    clinic.services.patients.delete(clinic.doctor, patient)
    with pytest.raises(ValidationError, match="deleted"):
        booking.book(clinic.desk, open_day[0].id, BookingRequest(patient))
    clinic.services.patients.restore(clinic.doctor, patient)
    from tests.scheduling.conftest import ManualClock

    assert isinstance(clock, ManualClock)
    clock.now = open_day[0].ends_at
    with pytest.raises(ValidationError, match="already started"):
        booking.book(clinic.desk, open_day[0].id, BookingRequest(patient))
    assert scalar(clinic.services.db, "SELECT count(*) FROM appointments") == 0
