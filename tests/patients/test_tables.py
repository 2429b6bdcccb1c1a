"""The patient table under the service: many rows in one flush (as a sync pull or an import
writes them) each get their own search key, outbox entry and index entry."""

from __future__ import annotations

from datetime import date

from clinic_app.bootstrap import Services
from clinic_app.patients.tables import PatientRow
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.store_inspection import outbox_entries, scalar


def _row(given: str) -> PatientRow:
    row = PatientRow()
    row.given_name = row.given_fold = given
    row.family_name = row.family_fold = "batch"
    row.sex = "unknown"
    row.birth_date = date(2001, 1, 1)
    return row


def test_many_patients_in_one_flush_each_get_their_own_search_key(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    names = [f"member{index}" for index in range(25)]
    with services.db.unit_of_work() as uow:
        uow.session.add_all(_row(name) for name in names)
        uow.commit()
    with services.db.unit_of_work() as uow:
        uow.session.add_all(_row(name + "b") for name in names[:3])
        uow.commit()
    assert scalar(services.db, "SELECT count(DISTINCT search_rowid) FROM patients") == 28
    assert len(outbox_entries(services.db)) == 28
    with services.db.engine.connect() as connection:
        connection.exec_driver_sql("INSERT INTO patient_fts(patient_fts) VALUES('integrity-check')")
    found = services.patients.search(users[Role.DOCTOR], "member17")
    assert [item.given_name for item in found.items] == ["member17"]
