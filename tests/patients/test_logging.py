"""Logs carry ids, never names or clinical text: not from our modules, not from SQLAlchemy's
statement log (which IT may switch on to diagnose a problem), not from an error."""

from __future__ import annotations

import logging

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import ClinicError
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from sqlalchemy.exc import IntegrityError

from tests.patient_inputs import patient_input

SECRETS = ("Wilhelmina", "Quackenbush", "Shellfish", "Tuberculosis", "QX-7731", "0699887766")


def _flow(services: Services, users: dict[Role, AuthenticatedUser]) -> None:
    doctor, desk = users[Role.DOCTOR], users[Role.FRONT_DESK]
    data = patient_input(
        given_name="Wilhelmina",
        family_name="Quackenbush",
        phone="06 99 88 77 66",
        mrn="QX-7731",
        allergies="Shellfish",
        history_notes="Tuberculosis in 2019",
    )
    created = services.patients.create(doctor, data)
    services.patients.possible_duplicates(doctor, data)
    services.patients.search(desk, "Wilhelmina Quack")
    services.patients.search(desk, "0699887766")
    services.patients.list(desk)
    services.patients.get(doctor, created.patient.id)
    services.patients.update(
        doctor, created.patient.id, patient_input(given_name="Wilhelmina", allergies="Shellfish"), 1
    )
    # A possible duplicate, made by the desk (no clinical fields): logged by count only.
    services.patients.create(
        desk, patient_input(given_name="Wilhelmina", family_name="Quackenbush")
    )
    with pytest.raises(ClinicError):
        services.patients.create(desk, patient_input(given_name="Wilhelmina", allergies="x"))
    with pytest.raises(ClinicError):
        services.patients.update(doctor, created.patient.id, data, 1)  # stale version
    with pytest.raises(ClinicError):
        services.patients.create(doctor, patient_input(given_name="Wilhelmina\x00"))


def test_patient_details_never_reach_the_logs(
    services: Services, users: dict[Role, AuthenticatedUser], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # What an IT person switches on to see the SQL (SQLAlchemy's echo): the statements, but
    # never their values. (Its DEBUG level adds result rows by design; that is a data dump,
    # not a log, and no setting of ours turns it on.)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.pool")
    _flow(services, users)
    assert caplog.records, "the flow logged nothing at all: the capture is not working"
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records)
    assert any(r.name.startswith("clinic_app") for r in caplog.records)
    text = "\n".join(record.getMessage() for record in caplog.records)
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} was logged"
        assert secret.lower() not in text.lower()


def test_database_errors_do_not_carry_patient_details(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    """An error's text ends up in logs and crash reports: a failed statement must not quote
    the values it was given."""
    doctor = users[Role.DOCTOR]
    created = services.patients.create(doctor, patient_input(given_name="Wilhelmina"))
    with services.db.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE UPDATE ON patients BEGIN "
            "SELECT RAISE(ABORT, 'refused by test'); END"
        )
    with pytest.raises(IntegrityError, match="refused by test") as caught:
        services.patients.update(
            doctor, created.patient.id, patient_input(given_name="Quackenbush"), 1
        )
    assert "Quackenbush" not in str(caught.value)
    assert "Wilhelmina" not in str(caught.value)
