"""Who may do what: the front desk books, a doctor sees their own calendar, the nurse checks
patients in, the administrator keeps profiles and hours. Refusals are audited and change
nothing."""

from __future__ import annotations

from datetime import date, time

import pytest
from clinic_app.errors import PermissionDeniedError
from clinic_app.scheduling.hours import parse_weekly
from clinic_app.scheduling.models import (
    AppointmentStatus,
    BookingRequest,
    DoctorProfileInput,
    SlotSearch,
)
from clinic_app.security.permissions import Action, Role, is_allowed

from tests.scheduling.conftest import Clinic, ManualClock
from tests.store_inspection import audit_events, last_audit_seq, scalar


@pytest.fixture
def booked(clinic: Clinic) -> str:
    clinic.profile()
    clinic.generate(date(2026, 3, 4), date(2026, 3, 6))
    patient = clinic.patient()
    return clinic.scheduling.booking.book_earliest(
        clinic.desk, SlotSearch(date_from=date(2026, 3, 4)), BookingRequest(patient)
    ).id


def test_the_permission_table_for_scheduling() -> None:
    table = {
        Action.SCHEDULE_MANAGE: {Role.ADMIN},
        Action.SLOT_MANAGE: {Role.ADMIN, Role.FRONT_DESK},
        Action.SCHEDULE_READ: {Role.ADMIN, Role.FRONT_DESK, Role.NURSE},
        Action.SCHEDULE_READ_OWN: {Role.DOCTOR},
        Action.APPOINTMENT_BOOK: {Role.FRONT_DESK},
        Action.APPOINTMENT_CHECK_IN: {Role.FRONT_DESK, Role.NURSE},
    }
    for action, roles in table.items():
        assert {role for role in Role if is_allowed(role, action)} == roles, action


def test_front_desk_books_and_others_may_not(clinic: Clinic, booked: str) -> None:
    patient = clinic.patient("Other")
    slot = clinic.scheduling.booking.find_earliest(clinic.desk, SlotSearch())
    assert slot is not None
    before = scalar(clinic.services.db, "SELECT count(*) FROM appointments")
    for who in (clinic.doctor, clinic.nurse, clinic.admin):
        seq = last_audit_seq(clinic.services.db)
        with pytest.raises(PermissionDeniedError):
            clinic.scheduling.booking.book(who, slot.id, BookingRequest(patient))
        denied = audit_events(clinic.services.db, after_seq=seq)
        assert [(e.action, e.outcome) for e in denied] == [("appointment.book", "denied")]
        with pytest.raises(PermissionDeniedError):
            clinic.scheduling.booking.cancel(who, booked, "no")
        with pytest.raises(PermissionDeniedError):
            clinic.scheduling.booking.walk_in(who, patient, clinic.doctor.id)
    assert scalar(clinic.services.db, "SELECT count(*) FROM appointments") == before


def test_a_doctor_sees_their_own_calendar_only(clinic: Clinic, booked: str) -> None:
    other = clinic.add_doctor("drwho", "Doctor Who")
    clinic.profile(other, specialisation="Radiology")
    own = clinic.scheduling.calendar.day_view(clinic.doctor, date(2026, 3, 4), clinic.doctor.id)
    assert own.columns[0].entries[0].appointment is not None
    assert own.columns[0].entries[0].appointment.id == booked
    assert clinic.scheduling.attendance.get(clinic.doctor, booked).appointment.id == booked
    with pytest.raises(PermissionDeniedError):
        clinic.scheduling.calendar.day_view(clinic.doctor, date(2026, 3, 4), other)
    with pytest.raises(PermissionDeniedError):
        clinic.scheduling.calendar.week_view(clinic.doctor, date(2026, 3, 2))  # whole clinic
    with pytest.raises(PermissionDeniedError):
        clinic.scheduling.booking.find_earliest(clinic.doctor, SlotSearch(doctor_id=other))
    assert clinic.scheduling.booking.find_earliest(
        clinic.doctor, SlotSearch(doctor_id=clinic.doctor.id)
    )
    # The desk and the nurse see every doctor.
    for who in (clinic.desk, clinic.nurse):
        clinic_view = clinic.scheduling.calendar.day_view(who, date(2026, 3, 4))
        assert {c.doctor_id for c in clinic_view.columns} == {clinic.doctor.id, other}


def test_a_doctor_does_not_read_a_colleagues_appointment(clinic: Clinic, booked: str) -> None:
    other = clinic.add_doctor("drwho", "Doctor Who")
    clinic.profile(other, specialisation="Radiology")
    clinic.generate(date(2026, 3, 5), date(2026, 3, 5), other)
    theirs = clinic.scheduling.booking.book_earliest(
        clinic.desk, SlotSearch(doctor_id=other), BookingRequest(clinic.patient("Who"))
    )
    with pytest.raises(PermissionDeniedError):
        clinic.scheduling.attendance.get(clinic.doctor, theirs.id)
    mine = clinic.scheduling.attendance.patient_appointments(clinic.doctor, theirs.patient_id)
    assert mine == []


def test_the_nurse_checks_in_and_the_doctor_may_not(
    clinic: Clinic, booked: str, clock: ManualClock
) -> None:
    clock.now = clock.now.replace(hour=7, minute=1)
    with pytest.raises(PermissionDeniedError):
        clinic.scheduling.attendance.check_in(clinic.doctor, booked)
    with pytest.raises(PermissionDeniedError):
        clinic.scheduling.attendance.check_in(clinic.admin, booked)
    arrival = clinic.scheduling.attendance.check_in(clinic.nurse, booked)
    assert arrival.appointment.status is AppointmentStatus.ARRIVED


def test_only_the_administrator_keeps_profiles_and_hours(clinic: Clinic) -> None:
    data = DoctorProfileInput(
        "Dermatology", 15, "Europe/Berlin", "", parse_weekly("mon=08:00-09:00")
    )
    for who in (clinic.desk, clinic.nurse, clinic.doctor):
        with pytest.raises(PermissionDeniedError):
            clinic.scheduling.profiles.save_profile(who, clinic.doctor.id, data)
    clinic.scheduling.profiles.save_profile(clinic.admin, clinic.doctor.id, data)
    for who in (clinic.desk, clinic.nurse, clinic.doctor):
        with pytest.raises(PermissionDeniedError):
            clinic.scheduling.profiles.set_hours(who, clinic.doctor.id, {})
        with pytest.raises(PermissionDeniedError):
            clinic.scheduling.profiles.add_leave(
                who, clinic.doctor.id, date(2026, 3, 9), date(2026, 3, 9)
            )
    for who in (clinic.nurse, clinic.doctor):
        with pytest.raises(PermissionDeniedError):
            clinic.scheduling.slots.generate(
                who, clinic.doctor.id, date(2026, 3, 9), date(2026, 3, 9)
            )
        with pytest.raises(PermissionDeniedError):
            clinic.scheduling.slots.add_slot(who, clinic.doctor.id, date(2026, 3, 9), time(9, 0))
    assert (
        clinic.scheduling.slots.generate(
            clinic.desk, clinic.doctor.id, date(2026, 3, 9), date(2026, 3, 9)
        ).created
        == 4
    )
    assert clinic.scheduling.profiles.get(clinic.doctor, clinic.doctor.id).specialisation == (
        "Dermatology"
    )


def test_reminder_calls_need_the_schedule_and_patient_reading(clinic: Clinic, booked: str) -> None:
    with pytest.raises(PermissionDeniedError):
        clinic.scheduling.calendar.reminder_calls(clinic.doctor)
    assert clinic.scheduling.calendar.reminder_calls(clinic.desk, date(2026, 3, 4))


def test_a_view_of_the_doctors_on_screen(clinic: Clinic, booked: str) -> None:
    other = clinic.add_doctor("drwho", "Doctor Who")
    clinic.profile(other, specialisation="Radiology")
    third = clinic.add_doctor("drno", "Doctor No")
    clinic.profile(third, specialisation="Radiology")
    calendar = clinic.scheduling.calendar
    shown = calendar.range_view(
        clinic.desk, date(2026, 3, 4), date(2026, 3, 10), doctor_ids=[other, clinic.doctor.id]
    )
    assert {c.doctor_id for c in shown.columns} == {other, clinic.doctor.id}
    assert len(shown.columns) == 14
    own = calendar.range_view(
        clinic.doctor, date(2026, 3, 4), date(2026, 3, 4), doctor_ids=[clinic.doctor.id]
    )
    assert [c.doctor_id for c in own.columns] == [clinic.doctor.id]
    with pytest.raises(PermissionDeniedError):
        calendar.range_view(
            clinic.doctor, date(2026, 3, 4), date(2026, 3, 4), doctor_ids=[clinic.doctor.id, other]
        )


def test_a_disabled_account_loses_the_calendar_at_once(clinic: Clinic, booked: str) -> None:
    clinic.services.accounts.set_active(clinic.admin, "desk", False)
    clinic.services.accounts.set_active(clinic.admin, "drhouse", False)
    with pytest.raises(PermissionDeniedError, match="disabled"):
        clinic.scheduling.calendar.day_view(clinic.desk, date(2026, 3, 4))
    with pytest.raises(PermissionDeniedError, match="disabled"):
        clinic.scheduling.booking.find_earliest(clinic.desk, SlotSearch())
    with pytest.raises(PermissionDeniedError, match="disabled"):
        clinic.scheduling.calendar.day_view(clinic.doctor, date(2026, 3, 4), clinic.doctor.id)
    with pytest.raises(PermissionDeniedError, match="disabled"):
        clinic.scheduling.attendance.get(clinic.doctor, booked)
