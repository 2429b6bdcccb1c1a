"""Scheduling fixtures: the real services on a real encrypted store, with a settable clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from clinic_app.bootstrap import Services
from clinic_app.patients.models import PatientInput
from clinic_app.scheduling.hours import parse_weekly
from clinic_app.scheduling.models import DoctorProfileInput
from clinic_app.scheduling.service import Scheduling, build_scheduling
from clinic_app.security.permissions import Role
from clinic_app.security.tables import UserRow
from clinic_app.security.users import AuthenticatedUser


class ManualClock:
    """The services' clock, moved by the test (UTC)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# A Wednesday morning in winter (Berlin is UTC+1), before the March change.
START = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)
WEEKDAYS = "mon-fri=08:00-12:00,13:00-17:00"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def scheduling(services: Services, clock: ManualClock) -> Scheduling:
    return build_scheduling(services.db, services.audit_log, services.authorizer, clock)


@dataclass(frozen=True)
class Clinic:
    """Who's who in a scheduling test."""

    admin: AuthenticatedUser
    doctor: AuthenticatedUser
    nurse: AuthenticatedUser
    desk: AuthenticatedUser
    services: Services
    scheduling: Scheduling

    def profile(
        self,
        doctor_id: str | None = None,
        *,
        hours: str = WEEKDAYS,
        breaks: str = "",
        minutes: int = 15,
        time_zone: str = "Europe/Berlin",
        specialisation: str = "Dermatology",
    ) -> None:
        self.scheduling.profiles.save_profile(
            self.admin,
            doctor_id or self.doctor.id,
            DoctorProfileInput(
                specialisation=specialisation,
                consultation_minutes=minutes,
                time_zone=time_zone,
                room="2.14",
                weekly_hours=parse_weekly(hours),
                breaks=parse_weekly(breaks),
            ),
        )

    def generate(self, date_from: date, date_to: date, doctor_id: str | None = None) -> int:
        result = self.scheduling.slots.generate(
            self.admin, doctor_id or self.doctor.id, date_from, date_to
        )
        return result.created

    def patient(self, family: str = "Lovelace", phone: str = "+49 30 1234567") -> str:
        created = self.services.patients.create(
            self.desk,
            PatientInput(
                given_name="Ada",
                family_name=family,
                sex="female",
                birth_date="1985-12-10",
                phone=phone,
            ),
        )
        return created.patient.id

    def add_doctor(self, username: str, display_name: str) -> str:
        """Another doctor account (inserted directly: no password is needed to be booked)."""
        with self.services.db.unit_of_work() as uow:
            row = UserRow(
                username=username,
                display_name=display_name,
                role=Role.DOCTOR.value,
                password_hash="not-a-login",
            )
            uow.session.add(row)
            uow.flush()
            uow.commit()
            return row.id


@pytest.fixture
def clinic(
    services: Services, scheduling: Scheduling, users: dict[Role, AuthenticatedUser]
) -> Clinic:
    return Clinic(
        admin=users[Role.ADMIN],
        doctor=users[Role.DOCTOR],
        nurse=users[Role.NURSE],
        desk=users[Role.FRONT_DESK],
        services=services,
        scheduling=scheduling,
    )


PatientMaker = Callable[..., str]
