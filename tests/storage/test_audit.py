"""The audit log is append-only (the database refuses edits) and hash-chained (a tampered,
removed or reordered event is found at exactly its place)."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import OperationCancelledError
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import (
    SYSTEM_ACTOR,
    AuditEventRow,
    AuditFilter,
    ChainVerification,
    _event_hash,
    list_events,
    verify_chain,
)
from clinic_app.tasks import CancelToken, RecordingProgress
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.patient_inputs import patient_input
from tests.store_inspection import audit_events, last_audit_seq, scalar


@pytest.fixture
def busy_services(services: Services, users: dict[Role, AuthenticatedUser]) -> Services:
    """A store with a few dozen real events on top of the template's."""
    doctor = users[Role.DOCTOR]
    for index in range(5):
        created = services.patients.create(
            doctor, patient_input(mrn=f"MRN-{index}", national_id=f"ID{index}")
        )
        services.patients.get(doctor, created.patient.id)
    services.patients.search(doctor, "elod")
    return services


def _verify(services: Services) -> ChainVerification:
    with services.db.unit_of_work(write=False) as uow:
        return verify_chain(uow.session)


def _raw(services: Services, *statements: str) -> None:
    with services.db.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def test_an_untouched_chain_verifies(busy_services: Services) -> None:
    result = _verify(busy_services)
    assert result.ok
    assert result.checked == last_audit_seq(busy_services.db) > 10
    assert result.first_broken_seq is None


def test_the_database_refuses_to_update_an_audit_event(busy_services: Services) -> None:
    with pytest.raises(IntegrityError, match="append-only"):
        _raw(busy_services, "UPDATE audit_events SET username = 'mallory' WHERE seq = 3")
    with pytest.raises(IntegrityError, match="append-only"):
        _raw(busy_services, "UPDATE audit_events SET outcome = 'ok'")
    forged = "SELECT count(*) FROM audit_events WHERE username = 'mallory'"
    assert scalar(busy_services.db, forged) == 0
    assert _verify(busy_services).ok


def test_the_database_refuses_to_delete_an_audit_event(busy_services: Services) -> None:
    before = last_audit_seq(busy_services.db)
    with pytest.raises(IntegrityError, match="append-only"):
        _raw(busy_services, "DELETE FROM audit_events WHERE seq = 2")
    with pytest.raises(IntegrityError, match="append-only"):
        _raw(busy_services, "DELETE FROM audit_events")
    assert scalar(busy_services.db, "SELECT count(*) FROM audit_events") == before


def test_the_orm_cannot_edit_an_event_either(busy_services: Services) -> None:
    with busy_services.db.unit_of_work() as uow:
        row = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.seq == 4)).one()
        row.action = "patient.nothing_to_see"
        with pytest.raises(IntegrityError, match="append-only"):
            uow.commit()
    assert _verify(busy_services).ok


@pytest.mark.parametrize(
    "tampering",
    [
        "record_id = 'someone-else'",
        "username = 'nurse.joy'",
        "details = '{\"results\":0}'",
        "outcome = 'denied'",
        "occurred_at = '2020-01-01 00:00:00.000000'",
        "workstation = 'another-pc'",
    ],
)
def test_an_edited_event_breaks_the_chain_at_exactly_that_event(
    busy_services: Services, tampering: str
) -> None:
    target = last_audit_seq(busy_services.db) // 2
    _raw(
        busy_services,
        "DROP TRIGGER audit_events_no_update",
        f"UPDATE audit_events SET {tampering} WHERE seq = {target}",
    )
    result = _verify(busy_services)
    assert not result.ok
    assert result.first_broken_seq == target
    assert result.checked == target - 1
    assert "changed" in result.reason


def test_a_rehashed_forgery_breaks_the_link_to_the_next_event(busy_services: Services) -> None:
    """An attacker who edits an event and recomputes its own hash still breaks the next link."""
    target = 5
    _raw(busy_services, "DROP TRIGGER audit_events_no_update")
    with busy_services.db.unit_of_work() as uow:
        row = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.seq == target)).one()
        row.username = "someone-else"
        row.hash = _event_hash(row.prev_hash, row)
        uow.commit()
    result = _verify(busy_services)
    assert not result.ok
    assert result.first_broken_seq == target + 1
    assert "link" in result.reason


@pytest.mark.parametrize("where", ["first", "middle", "second_to_last"])
def test_a_deleted_event_breaks_the_chain_at_its_place(busy_services: Services, where: str) -> None:
    last = last_audit_seq(busy_services.db)
    target = {"first": 1, "middle": last // 2, "second_to_last": last - 1}[where]
    _raw(
        busy_services,
        "DROP TRIGGER audit_events_no_delete",
        f"DELETE FROM audit_events WHERE seq = {target}",
    )
    result = _verify(busy_services)
    assert not result.ok
    assert result.first_broken_seq == target
    assert result.checked == target - 1
    assert "missing" in result.reason


def test_swapped_events_break_the_chain(busy_services: Services) -> None:
    _raw(
        busy_services,
        "DROP TRIGGER audit_events_no_update",
        "UPDATE audit_events SET seq = -1 WHERE seq = 6",
        "UPDATE audit_events SET seq = 6 WHERE seq = 7",
        "UPDATE audit_events SET seq = 7 WHERE seq = -1",
    )
    result = _verify(busy_services)
    assert not result.ok
    assert result.first_broken_seq == 6


def test_verification_reports_progress_and_can_be_cancelled(busy_services: Services) -> None:
    progress = RecordingProgress()
    with busy_services.db.unit_of_work(write=False) as uow:
        assert verify_chain(uow.session, progress).ok
    assert progress.events[-1][0] == progress.events[-1][1] == last_audit_seq(busy_services.db)
    cancel = CancelToken()
    cancel.cancel()
    with (
        pytest.raises(OperationCancelledError),
        busy_services.db.unit_of_work(write=False) as uow,
    ):
        verify_chain(uow.session, cancel=cancel)


def test_events_hold_ids_and_counts_never_structures(busy_services: Services) -> None:
    before = last_audit_seq(busy_services.db)
    with (
        pytest.raises(ValueError, match="scalar"),
        busy_services.db.unit_of_work() as uow,
    ):
        busy_services.audit_log.append(
            uow.session, SYSTEM_ACTOR, "test", details={"patient": {"name": "x"}}
        )
    assert last_audit_seq(busy_services.db) == before


def test_listing_filters_by_user_action_and_record(
    busy_services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    doctor = users[Role.DOCTOR]
    views = [e for e in audit_events(busy_services.db) if e.action == "patient.view"]
    with busy_services.db.unit_of_work(write=False) as uow:
        by_action = list_events(uow.session, AuditFilter(action="patient.view"), limit=100)
        by_prefix = list_events(uow.session, AuditFilter(action="patient."), limit=1000)
        by_record = list_events(uow.session, AuditFilter(record_id=views[0].record_id))
        by_user = list_events(uow.session, AuditFilter(username=doctor.username), limit=1000)
        literal = list_events(uow.session, AuditFilter(action="patient_"), limit=1000)
    assert [e.seq for e in by_action] == sorted((e.seq for e in views), reverse=True)
    assert {e.action.split(".")[0] for e in by_prefix} == {"patient"}
    assert {e.record_id for e in by_record} == {views[0].record_id}
    assert {e.user_id for e in by_user} == {doctor.id}
    assert literal == []  # '_' is a character, not a LIKE wildcard
