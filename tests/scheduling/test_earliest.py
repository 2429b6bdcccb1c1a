"""Earliest available slot against a brute-force reference on random schedules.

Seeded random clinics: doctors in different time zones with random hours, breaks, lengths and
leave; a few real bookings and many blocked slots; then random searches (doctor, speciality or
anyone; date range, time-of-day window, weekdays) at random moments. The reference scans every
slot in Python from the UTC instants and the doctor's zone alone, without the stored local
columns the service's query uses.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest
from clinic_app.scheduling.hours import check_weekly
from clinic_app.scheduling.local_time import zone
from clinic_app.scheduling.models import (
    BookingRequest,
    DoctorProfileInput,
    SlotSearch,
    TimeRange,
    WeeklyHours,
)

from tests.scheduling.conftest import Clinic, ManualClock

ZONES = ("Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata", "Australia/Sydney")
SPECIALITIES = ("Dermatology", "Radiology")
FIRST_DAY = date(2026, 3, 20)  # the range crosses the March change in Berlin and Sydney's April
DAYS = 24
QUERIES = 60


def _random_hours(rng: random.Random) -> tuple[WeeklyHours, WeeklyHours]:
    hours: dict[int, list[TimeRange]] = {}
    breaks: dict[int, list[TimeRange]] = {}
    for day in range(7):
        if rng.random() < 0.25:
            continue
        start = rng.randrange(0, 14 * 60, 30)
        end = min(24 * 60, start + rng.randrange(60, 10 * 60, 30))
        hours[day] = [TimeRange(start, end)]
        if end - start >= 180 and rng.random() < 0.5:
            cut = start + rng.randrange(60, end - start - 60, 15)
            breaks[day] = [TimeRange(cut, cut + 30)]
    return check_weekly(hours), check_weekly(breaks, "breaks")


def _set_up(clinic: Clinic, rng: random.Random) -> None:
    doctors = [clinic.doctor.id] + [
        clinic.add_doctor(f"dr{i}", f"Doctor {i}") for i in range(rng.randint(2, 3))
    ]
    for doctor_id in doctors:
        hours, breaks = _random_hours(rng)
        clinic.scheduling.profiles.save_profile(
            clinic.admin,
            doctor_id,
            DoctorProfileInput(
                specialisation=rng.choice(SPECIALITIES),
                consultation_minutes=rng.choice((10, 15, 20, 30, 45)),
                time_zone=rng.choice(ZONES),
                weekly_hours=hours,
                breaks=breaks,
            ),
        )
        if rng.random() < 0.5:
            leave_start = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            clinic.scheduling.profiles.add_leave(
                clinic.admin, doctor_id, leave_start, leave_start + timedelta(days=rng.randrange(4))
            )
        clinic.generate(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1), doctor_id)
    with clinic.services.db.engine.connect() as connection:
        ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM slots ORDER BY id")]
    patient = clinic.patient()
    for slot_id in rng.sample(ids, min(12, len(ids))):
        clinic.scheduling.booking.book(clinic.desk, slot_id, BookingRequest(patient))
    # Many taken slots: blocked in bulk (a state that holds no appointment) to keep this fast.
    blocked = rng.sample(ids, len(ids) * 6 // 10)
    with clinic.services.db.engine.begin() as connection:
        for slot_id in blocked:
            connection.exec_driver_sql(
                "UPDATE slots SET status = 'blocked' WHERE id = ? AND status = 'open'", (slot_id,)
            )


def _all_slots(clinic: Clinic) -> list[dict[str, object]]:
    sql = (
        "SELECT s.id, s.doctor_id, s.starts_at, s.ends_at, s.status, p.time_zone, "
        "p.specialisation FROM slots s JOIN doctor_profiles p ON p.user_id = s.doctor_id "
        "WHERE s.deleted_at IS NULL"
    )
    from clinic_app.storage.types import UtcDateTime

    decode = UtcDateTime().process_result_value
    with clinic.services.db.engine.connect() as connection:
        rows = connection.exec_driver_sql(sql).all()
    return [
        {
            "id": r[0],
            "doctor_id": r[1],
            "starts_at": decode(datetime.fromisoformat(r[2]), None),  # type: ignore[arg-type]
            "ends_at": decode(datetime.fromisoformat(r[3]), None),  # type: ignore[arg-type]
            "status": r[4],
            "tz": zone(r[5]),
            "specialisation": r[6],
        }
        for r in rows
    ]


def _reference(slots: list[dict[str, object]], search: SlotSearch, now: datetime) -> str | None:
    best: tuple[datetime, str, str] | None = None
    for slot in slots:
        starts_at, ends_at = slot["starts_at"], slot["ends_at"]
        assert isinstance(starts_at, datetime)
        assert isinstance(ends_at, datetime)
        if slot["status"] != "open" or starts_at < now:
            continue
        local_start = starts_at.astimezone(slot["tz"])  # type: ignore[arg-type]
        local_end = ends_at.astimezone(slot["tz"])  # type: ignore[arg-type]
        day = local_start.date()
        if search.date_from and day < search.date_from:
            continue
        if search.date_to and day > search.date_to:
            continue
        if search.doctor_id and slot["doctor_id"] != search.doctor_id:
            continue
        # The doctor, when given, wins over the speciality (as documented on SlotSearch).
        if (
            not search.doctor_id
            and search.specialisation
            and slot["specialisation"] != search.specialisation
        ):
            continue
        if search.weekdays is not None and day.weekday() not in search.weekdays:
            continue
        if search.time_from and local_start.time() < search.time_from:
            continue
        if search.time_to:
            end_minutes = (
                (local_end.date() - day).days * 1440 + local_end.hour * 60 + local_end.minute
            )
            if end_minutes > search.time_to.hour * 60 + search.time_to.minute:
                continue
        key = (starts_at, str(slot["doctor_id"]), str(slot["id"]))
        if best is None or key < best:
            best = key
    return best[2] if best else None


def _random_search(rng: random.Random, doctors: list[str]) -> SlotSearch:
    date_from = FIRST_DAY + timedelta(days=rng.randrange(-2, DAYS))
    time_from = time(rng.randrange(0, 20), rng.choice((0, 15, 30))) if rng.random() < 0.5 else None
    time_to = None
    if rng.random() < 0.5:
        low = time_from.hour + 1 if time_from else 1
        time_to = time(rng.randrange(low, 24), rng.choice((0, 30))) if low < 24 else None
    return SlotSearch(
        doctor_id=rng.choice(doctors) if rng.random() < 0.4 else None,
        specialisation=rng.choice(SPECIALITIES) if rng.random() < 0.3 else None,
        date_from=date_from if rng.random() < 0.7 else None,
        date_to=date_from + timedelta(days=rng.randrange(0, 10)) if rng.random() < 0.5 else None,
        time_from=time_from,
        time_to=time_to,
        weekdays=frozenset(rng.sample(range(7), rng.randint(1, 6))) if rng.random() < 0.4 else None,
    )


@pytest.mark.parametrize("seed", [7, 2026, 31337])
def test_earliest_matches_a_brute_force_scan(clinic: Clinic, clock: ManualClock, seed: int) -> None:
    rng = random.Random(seed)
    clock.now = datetime.combine(FIRST_DAY - timedelta(days=1), time(12), tzinfo=zone("UTC"))
    _set_up(clinic, rng)
    slots = _all_slots(clinic)
    doctors = sorted({str(s["doctor_id"]) for s in slots})
    found = 0
    for _ in range(QUERIES):
        search = _random_search(rng, doctors)
        if search.date_from and search.date_to and search.date_to < search.date_from:
            continue
        clock.now = datetime.combine(
            FIRST_DAY + timedelta(days=rng.randrange(-1, DAYS // 2)),
            time(rng.randrange(24), rng.choice((0, 7, 30))),
            tzinfo=zone("UTC"),
        )
        result = clinic.scheduling.booking.find_earliest(clinic.desk, search)
        expected = _reference(slots, search, clock.now)
        assert (result.id if result else None) == expected, (search, clock.now)
        found += result is not None
    assert found > QUERIES // 4  # the searches are not all empty-handed
