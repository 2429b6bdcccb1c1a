"""Patients for the search tests, and a one-line way to ask who a query finds."""

from __future__ import annotations

from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.patient_inputs import patient_input

Users = dict[Role, AuthenticatedUser]


def make_clinic(services: Services, users: Users) -> dict[str, str]:
    """A handful of patients whose names share prefixes, accents and formats; name → id."""
    doctor = users[Role.DOCTOR]
    people = {
        "elodie": patient_input(),
        "eloise": patient_input(
            given_name="Eloïse",
            family_name="Martin",
            birth_date="1990-11-30",
            phone="020 7946 0018",
            mrn="A-77",
            national_id="QQ123456C",
        ),
        "jose": patient_input(
            given_name="José",
            family_name="Núñez García",
            birth_date="1975-07-04",
            phone="(555) 010-4477",
            mrn="B 1200",
            national_id="",
        ),
        "soren": patient_input(
            given_name="Søren",
            family_name="Ødegård",
            sex="male",
            birth_date="2012-02-29",
            phone="",
            mrn="",
            national_id="",
        ),
    }
    return {key: services.patients.create(doctor, data).patient.id for key, data in people.items()}


def who_is_found(services: Services, users: Users, query: str, **options: object) -> set[str]:
    page = services.patients.search(users[Role.FRONT_DESK], query, **options)  # type: ignore[arg-type]
    return {item.id for item in page.items}
