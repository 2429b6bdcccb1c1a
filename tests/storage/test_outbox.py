"""The outbox: exactly one entry per change of a synced row, in the same transaction as the
change, with the operation and the version the row reached."""

from __future__ import annotations

from datetime import date

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import ConflictError
from clinic_app.patients.tables import PatientRow
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.outbox import SUPPRESS_OUTBOX, HardDeleteError

from tests.patient_inputs import patient_input
from tests.store_inspection import OutboxEntry, outbox_entries, scalar, table_counts


def _entry(patient_id: str, operation: str, version: int) -> OutboxEntry:
    return OutboxEntry("patients", patient_id, operation, version)


def test_each_patient_change_writes_one_entry_with_its_operation_and_version(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    doctor = users[Role.DOCTOR]
    assert outbox_entries(services.db) == []
    created = services.patients.create(doctor, patient_input())
    pid = created.patient.id
    assert outbox_entries(services.db) == [_entry(pid, "create", 1)]

    updated = services.patients.update(doctor, pid, patient_input(phone="0611223344"), 1)
    assert updated.version == 2
    deleted = services.patients.delete(doctor, pid)
    assert deleted.version == 3
    restored = services.patients.restore(doctor, pid)
    assert restored.version == 4
    assert outbox_entries(services.db) == [
        _entry(pid, "create", 1),
        _entry(pid, "update", 2),
        _entry(pid, "delete", 3),
        _entry(pid, "update", 4),  # a restore is an update that clears the tombstone
    ]
    assert scalar(services.db, "SELECT version FROM patients WHERE id = ?", pid) == 4


def test_a_change_that_changes_nothing_writes_no_entry(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    doctor = users[Role.DOCTOR]
    pid = services.patients.create(doctor, patient_input()).patient.id
    same = services.patients.update(doctor, pid, patient_input(), 1)
    assert same.version == 1
    # Deleting twice or restoring a live record is not a change either.
    services.patients.restore(doctor, pid)
    services.patients.delete(doctor, pid)
    services.patients.delete(doctor, pid)
    assert [e.operation for e in outbox_entries(services.db, pid)] == ["create", "delete"]


def test_a_rolled_back_unit_of_work_leaves_neither_row_nor_entry(services: Services) -> None:
    before = table_counts(services.db)
    with services.db.unit_of_work() as uow:
        row = _new_row()
        uow.session.add(row)
        uow.flush()
        # Inside the transaction both exist...
        assert uow.session.get(PatientRow, row.id) is not None
        # ...and leaving without commit() rolls both back.
    assert table_counts(services.db) == before
    assert outbox_entries(services.db) == []


def test_an_error_inside_a_unit_of_work_rolls_everything_back(services: Services) -> None:
    before = table_counts(services.db)

    def add_then_fail() -> None:
        with services.db.unit_of_work() as uow:
            uow.session.add(_new_row())
            uow.flush()
            raise RuntimeError("the power went out mid-form")

    with pytest.raises(RuntimeError, match="power"):
        add_then_fail()
    assert table_counts(services.db) == before


def test_a_synced_row_is_never_hard_deleted(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    pid = services.patients.create(users[Role.DOCTOR], patient_input()).patient.id
    with services.db.unit_of_work() as uow:
        uow.session.delete(uow.session.get(PatientRow, pid))
        with pytest.raises(HardDeleteError, match="tombstoned"):
            uow.commit()
    assert scalar(services.db, "SELECT count(*) FROM patients WHERE id = ?", pid) == 1
    assert [e.operation for e in outbox_entries(services.db, pid)] == ["create"]


def test_changes_applied_from_the_server_do_not_echo_to_the_outbox(services: Services) -> None:
    with services.db.unit_of_work() as uow:
        uow.session.info[SUPPRESS_OUTBOX] = True
        uow.session.add(_new_row())
        uow.commit()
    assert scalar(services.db, "SELECT count(*) FROM patients") == 1
    assert outbox_entries(services.db) == []


def test_a_second_editor_of_the_same_version_gets_a_conflict(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    doctor, nurse = users[Role.DOCTOR], users[Role.NURSE]
    pid = services.patients.create(doctor, patient_input()).patient.id
    seen_by_doctor = services.patients.get(doctor, pid)
    seen_by_nurse = services.patients.get(nurse, pid)
    services.patients.update(doctor, pid, patient_input(phone="0600000001"), seen_by_doctor.version)
    with pytest.raises(ConflictError, match="changed by someone else"):
        services.patients.update(
            nurse, pid, patient_input(phone="0600000002"), seen_by_nurse.version
        )
    stored = services.patients.get(doctor, pid)
    assert stored.summary.phone == "0600000001"
    assert stored.version == 2
    assert [e.operation for e in outbox_entries(services.db, pid)] == ["create", "update"]


def test_the_version_check_also_holds_inside_the_orm(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    """Two units of work hold the same version: the later write is refused by the UPDATE's
    version condition itself, not only by the service's check, and writes no outbox entry."""
    pid = services.patients.create(users[Role.DOCTOR], patient_input()).patient.id
    with services.db.unit_of_work() as first:
        stale = first.session.get(PatientRow, pid)
        assert stale is not None
        first.commit()  # ends the read; the row object keeps version 1 in memory
        with services.db.unit_of_work() as second:
            fresh = second.session.get(PatientRow, pid)
            assert fresh is not None
            fresh.phone = "0600000003"
            second.commit()
        stale.phone = "0600000004"
        with pytest.raises(ConflictError, match="changed by someone else"):
            first.commit()
    assert scalar(services.db, "SELECT phone FROM patients WHERE id = ?", pid) == "0600000003"
    assert [e.operation for e in outbox_entries(services.db, pid)] == ["create", "update"]


def _new_row() -> PatientRow:
    row = PatientRow()
    row.given_name = row.given_fold = "test"
    row.family_name = row.family_fold = "row"
    row.sex = "unknown"
    row.birth_date = date(2000, 1, 1)
    return row
