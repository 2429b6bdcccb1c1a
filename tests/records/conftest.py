"""Records fixtures: the four roles by name, a patient whose primary doctor is the doctor, a
second doctor, and helpers that open visits through the real services."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.patients.models import PatientDetail
from clinic_app.records.models import Visit, VisitInput, VitalsInput
from clinic_app.records.services import Records
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.patient_inputs import patient_input


@pytest.fixture
def records(services: Services) -> Records:
    return services.records


@pytest.fixture
def doctor(users: dict[Role, AuthenticatedUser]) -> AuthenticatedUser:
    return users[Role.DOCTOR]


@pytest.fixture
def nurse(users: dict[Role, AuthenticatedUser]) -> AuthenticatedUser:
    return users[Role.NURSE]


@pytest.fixture
def desk(users: dict[Role, AuthenticatedUser]) -> AuthenticatedUser:
    return users[Role.FRONT_DESK]


@pytest.fixture
def admin(users: dict[Role, AuthenticatedUser]) -> AuthenticatedUser:
    return users[Role.ADMIN]


@pytest.fixture
def patient(services: Services, doctor: AuthenticatedUser) -> PatientDetail:
    data = patient_input(allergies="Penicillin (rash)", primary_doctor_id=doctor.id)
    return services.patients.create(doctor, data).patient


@pytest.fixture
def second_doctor(services: Services, admin: AuthenticatedUser) -> AuthenticatedUser:
    """Another doctor account (the summary the account service returns, as a signed-in user)."""
    made = services.accounts.add_user(
        admin, "drwilson", "James Wilson", Role.DOCTOR, "oncology-2026-x"
    )
    return AuthenticatedUser(made.id, made.username, made.display_name, made.role)


@pytest.fixture
def open_visit(records: Records, doctor: AuthenticatedUser, patient: PatientDetail) -> Visit:
    return records.visits.open_visit(
        doctor,
        patient.id,
        data=VisitInput(reason="Cough for a week", symptoms="dry cough, no fever"),
    )


@pytest.fixture
def signed_visit(records: Records, doctor: AuthenticatedUser, open_visit: Visit) -> Visit:
    records.visits.record_vitals(doctor, open_visit.id, VitalsInput(pulse=72, spo2=98))
    current = records.visits.get_visit(doctor, open_visit.id)
    return records.visits.sign_visit(doctor, open_visit.id, current.version)
