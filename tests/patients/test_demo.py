"""Synthetic patients: plainly fake, written with their outbox entries and audit events, and
searchable like any other record."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import OperationCancelledError
from clinic_app.patients.demo import seed_patients
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.tasks import CancelToken, RecordingProgress

from tests.store_inspection import audit_events, outbox_entries, scalar


def test_seeded_patients_are_fake_complete_and_searchable(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    admin = users[Role.ADMIN]
    progress = RecordingProgress()
    done = seed_patients(
        services.db, services.audit_log, services.authorizer, admin, 120, seed=3, progress=progress
    )
    assert done == 120
    assert progress.events[-1][:2] == (120, 120)
    assert scalar(services.db, "SELECT count(*) FROM patients") == 120
    assert scalar(services.db, "SELECT count(*) FROM patients WHERE mrn NOT LIKE 'DEMO-%'") == 0
    assert (
        scalar(
            services.db, "SELECT count(*) FROM patients WHERE history_notes NOT LIKE 'SYNTHETIC%'"
        )
        == 0
    )
    entries = outbox_entries(services.db)
    assert len(entries) == 120
    assert {(e.operation, e.entity_version) for e in entries} == {("create", 1)}
    seeds = [e for e in audit_events(services.db) if e.action == "demo.seed"]
    assert [e.details for e in seeds] == [{"count": 120}]
    with services.db.engine.connect() as connection:
        connection.exec_driver_sql("INSERT INTO patient_fts(patient_fts) VALUES('integrity-check')")
    some_mrn = scalar(services.db, "SELECT mrn FROM patients LIMIT 1")
    found = services.patients.search(users[Role.DOCTOR], some_mrn).items
    assert [p.mrn for p in found] == [some_mrn]


def test_seeding_more_continues_the_search_index_keys(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    for _ in range(2):
        seed_patients(services.db, services.audit_log, services.authorizer, users[Role.ADMIN], 10)
    assert scalar(services.db, "SELECT count(DISTINCT search_rowid) FROM patients") == 20


def test_a_cancelled_seed_stops_between_batches(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(OperationCancelledError):
        seed_patients(
            services.db,
            services.audit_log,
            services.authorizer,
            users[Role.ADMIN],
            10,
            cancel=token,
        )
    assert scalar(services.db, "SELECT count(*) FROM patients") == 0
