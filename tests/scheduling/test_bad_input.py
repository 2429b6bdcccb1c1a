"""Bad input gets a clear error and writes nothing: empty, huge, invalid dates and times, ends
before starts, unknown time zones, ranges beyond the limit."""

from __future__ import annotations

from datetime import date, time

import pytest
from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.scheduling.hours import parse_weekly
from clinic_app.scheduling.models import DoctorProfileInput, SlotSearch, TimeRange
from clinic_app.scheduling.validation import parse_date, parse_time

from tests.scheduling.conftest import Clinic
from tests.store_inspection import scalar

COUNTED = ("doctor_profiles", "doctor_leave", "slots", "appointments", "outbox")


def _counts(clinic: Clinic) -> dict[str, int]:
    return {t: int(scalar(clinic.services.db, f"SELECT count(*) FROM {t}")) for t in COUNTED}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon=08:00", "HH:MM-HH:MM"),
        ("mon=12:00-08:00", "ends before it starts"),
        ("mon=08:00-08:00", "ends before it starts"),
        ("mon=25:00-26:00", "not a time of day"),
        ("mon=08:60-09:00", "not a time of day"),
        ("mon=24:30-24:45", "not a time of day"),
        ("mon=8am-5pm", "HH:MM"),
        ("funday=08:00-09:00", "Unknown day"),
        ("fri-mon=08:00-09:00", "runs backwards"),
        ("mon 08:00-09:00", "DAYS=HH:MM-HH:MM"),
        ("mon=08:00-10:00,09:00-11:00", "overlap"),
        ("mon=" + ",".join(f"{h:02d}:00-{h:02d}:30" for h in range(13)), "At most 12"),
        ("mon=08:00-09:00;" * 200, "too long"),
    ],
)
def test_bad_weekly_hours_are_refused_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_weekly(text)


def test_good_weekly_hours_parse_in_every_form() -> None:
    hours = parse_weekly(" Mon-Wed = 08:00-12:00 , 13:00-17:00 ; fri=09:30-24:00; sat,sun= ")
    assert hours == {
        0: (TimeRange(480, 720), TimeRange(780, 1020)),
        1: (TimeRange(480, 720), TimeRange(780, 1020)),
        2: (TimeRange(480, 720), TimeRange(780, 1020)),
        4: (TimeRange(570, 1440),),
    }
    assert parse_weekly("") == {}


@pytest.mark.parametrize("text", ["", "2026-02-30", "30/01/2026", "2026-13-01", "x" * 5000])
def test_bad_dates(text: str) -> None:
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        parse_date(text)


@pytest.mark.parametrize("text", ["", "24:00", "7", "07:5", "12:60", "noon"])
def test_bad_times(text: str) -> None:
    with pytest.raises(ValidationError, match="HH:MM"):
        parse_time(text)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "Unknown time zone"),
        ({"time_zone": ""}, "IANA"),
        ({"time_zone": "../../etc/passwd"}, "IANA"),
        ({"time_zone": "Europe/" + "x" * 100}, "IANA"),
        ({"specialisation": ""}, "required"),
        ({"specialisation": "x" * 101}, "too long"),
        ({"specialisation": "Derm\x00"}, "control characters"),
        ({"consultation_minutes": 0}, "5 to 480"),
        ({"consultation_minutes": 10_000}, "5 to 480"),
        ({"room": "r" * 51}, "too long"),
    ],
)
def test_bad_profiles_write_nothing(
    clinic: Clinic, change: dict[str, object], message: str
) -> None:
    fields: dict[str, object] = {
        "specialisation": "Dermatology",
        "consultation_minutes": 15,
        "time_zone": "Europe/Berlin",
        "room": "",
        "weekly_hours": parse_weekly("mon=08:00-09:00"),
    }
    fields.update(change)
    before = _counts(clinic)
    with pytest.raises(ValidationError, match=message):
        clinic.scheduling.profiles.save_profile(
            clinic.admin,
            clinic.doctor.id,
            DoctorProfileInput(**fields),  # type: ignore[arg-type]
        )
    assert _counts(clinic) == before


def test_a_profile_is_only_for_a_doctor(clinic: Clinic) -> None:
    data = DoctorProfileInput("Dermatology", 15, "Europe/Berlin")
    with pytest.raises(NotFoundError, match="doctor"):
        clinic.scheduling.profiles.save_profile(clinic.admin, clinic.nurse.id, data)
    with pytest.raises(NotFoundError, match="no schedule profile"):
        clinic.scheduling.slots.generate(
            clinic.admin, clinic.doctor.id, date(2026, 3, 4), date(2026, 3, 5)
        )


def test_ranges_are_bounded_and_ordered(clinic: Clinic) -> None:
    clinic.profile()
    before = _counts(clinic)
    slots = clinic.scheduling.slots
    with pytest.raises(ValidationError, match="at most 366 days"):
        slots.generate(clinic.admin, clinic.doctor.id, date(2026, 3, 4), date(2036, 3, 4))
    with pytest.raises(ValidationError, match="before the start"):
        slots.generate(clinic.admin, clinic.doctor.id, date(2026, 3, 5), date(2026, 3, 4))
    with pytest.raises(ValidationError, match="at most 366 days"):
        clinic.scheduling.profiles.add_leave(
            clinic.admin, clinic.doctor.id, date(2026, 1, 1), date(2035, 12, 31)
        )
    with pytest.raises(ValidationError, match="day_off or leave"):
        clinic.scheduling.profiles.add_leave(
            clinic.admin, clinic.doctor.id, date(2026, 3, 9), date(2026, 3, 9), "holiday"
        )
    with pytest.raises(ValidationError, match="too long"):
        clinic.scheduling.profiles.add_leave(
            clinic.admin, clinic.doctor.id, date(2026, 3, 9), date(2026, 3, 9), reason="r" * 201
        )
    booking = clinic.scheduling.booking
    with pytest.raises(ValidationError, match="at most 366 days"):
        booking.find_earliest(
            clinic.desk, SlotSearch(date_from=date(2026, 3, 4), date_to=date(2036, 3, 4))
        )
    with pytest.raises(ValidationError, match="latest time is not after"):
        booking.find_earliest(clinic.desk, SlotSearch(time_from=time(12), time_to=time(9)))
    with pytest.raises(ValidationError, match="Weekdays"):
        booking.find_earliest(clinic.desk, SlotSearch(weekdays=frozenset({7})))
    with pytest.raises(ValidationError, match="Weekdays"):
        booking.find_earliest(clinic.desk, SlotSearch(weekdays=frozenset()))
    calendar = clinic.scheduling.calendar
    with pytest.raises(ValidationError, match="1 to 31 days"):
        calendar.range_view(clinic.desk, date(2026, 3, 4), date(2026, 6, 4))
    with pytest.raises(ValidationError, match="1 to 31 days"):
        calendar.range_view(clinic.desk, date(2026, 3, 4), date(2026, 3, 3))
    with pytest.raises(ValidationError, match="5 to 480"):
        slots.add_slot(clinic.desk, clinic.doctor.id, date(2026, 3, 7), time(9), 2)
    assert _counts(clinic) == before
