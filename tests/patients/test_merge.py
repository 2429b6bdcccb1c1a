"""Merging a duplicate chart into the survivor: every row moves (signed visits too), the chosen
fields survive, the duplicate is tombstoned for good, each moved row goes to the outbox, the
audit names both ids; refusals change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import (
    ConflictError,
    NotFoundError,
    OperationCancelledError,
    PermissionDeniedError,
    ValidationError,
)
from clinic_app.patients.merge_references import patient_references
from clinic_app.schema import metadata
from clinic_app.security.permissions import Action, Role, is_allowed
from clinic_app.security.users import AuthenticatedUser
from clinic_app.tasks import CancelToken

from tests.patient_inputs import patient_input
from tests.store_inspection import (
    audit_events,
    last_audit_seq,
    outbox_entries,
    scalar,
    table_counts,
)
from tests.sync.clinic_data import SeededClinic, seed_clinic

Users = dict[Role, AuthenticatedUser]


def _pointing_at(services: Services, patient_id: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for ref in patient_references():
        n = scalar(
            services.db,
            f"SELECT count(*) FROM {ref.table.name} WHERE {ref.column.name} = ?",
            patient_id,
        )
        if n:
            found[ref.label] = n
    return found


def _dump(services: Services) -> dict[str, Any]:
    """Every table's rows, to show a refused merge changed nothing."""
    with services.db.engine.connect() as connection:
        return {
            t.name: sorted(
                map(tuple, connection.exec_driver_sql(f"SELECT * FROM {t.name}")), key=repr
            )
            for t in metadata.sorted_tables
            if t.name != "audit_events"
        }


@pytest.fixture
def clinic(services: Services, users: Users) -> SeededClinic:
    seeded = seed_clinic(services, users)
    # A review of the signed visit: an assignment (synced) and the doctor's notification
    # (local bookkeeping, moved with a plain UPDATE).
    services.records.reviews.assign(
        users[Role.NURSE], "visit", seeded.signed_visit_id, users[Role.DOCTOR].id
    )
    return seeded


def test_every_patient_column_of_the_schema_is_a_reference() -> None:
    tables = {t.name for t in metadata.sorted_tables for c in t.columns if c.name == "patient_id"}
    found = {ref.table.name for ref in patient_references()}
    assert tables <= found
    # The synced feature tables go through the ORM (outbox); the bookkeeping ones don't sync.
    assert {ref.table.name for ref in patient_references() if ref.synced_class is None} == {
        "notifications",
        "sync_conflicts",
    }
    assert {"visits", "vital_signs", "annotations", "appointments", "imaging_studies"} <= found


@pytest.mark.parametrize("direction", ["signed_chart_moves", "open_chart_moves"])
def test_a_merge_moves_every_row_and_tombstones_the_duplicate(
    services: Services, users: Users, clinic: SeededClinic, direction: str
) -> None:
    doctor = users[Role.DOCTOR]
    if direction == "signed_chart_moves":
        survivor_id, duplicate_id = clinic.patient_id, clinic.other_patient_id
    else:
        survivor_id, duplicate_id = clinic.other_patient_id, clinic.patient_id
    before_dup = _pointing_at(services, duplicate_id)
    before_surv = _pointing_at(services, survivor_id)
    assert before_dup  # the duplicate has records to move
    if direction == "signed_chart_moves":
        assert {
            "visits.patient_id",
            "vital_signs.patient_id",
            "annotations.patient_id",
            "addenda.patient_id",
            "appointments.patient_id",
            "review_assignments.patient_id",
            "notifications.patient_id",
        } <= set(before_dup)
    else:
        assert {
            "visits.patient_id",
            "coded_entries.patient_id",
            "clinical_records.patient_id",
            "attachments.patient_id",
        } <= set(before_dup)
    preview = services.patients.merge_preview(doctor, survivor_id, duplicate_id)
    assert sum(preview.records.values()) == sum(before_dup.values())
    start = last_audit_seq(services.db)
    outbox_before = len(outbox_entries(services.db))

    result = services.patients.merge(
        doctor,
        survivor_id,
        duplicate_id,
        {"phone": "duplicate", "allergies": "duplicate", "given_name": "survivor"},
        survivor_version=preview.survivor.version,
        duplicate_version=preview.duplicate.version,
    )

    assert _pointing_at(services, duplicate_id) == {}
    after = _pointing_at(services, survivor_id)
    assert after == {
        k: before_dup.get(k, 0) + before_surv.get(k, 0) for k in before_dup.keys() | before_surv
    }
    assert result.moved_total == sum(before_dup.values())
    survivor = services.patients.get(doctor, survivor_id)
    assert survivor.summary.phone == preview.duplicate.summary.phone
    assert survivor.allergies == preview.duplicate.allergies
    assert survivor.summary.given_name == preview.survivor.summary.given_name
    assert survivor.summary.family_name == preview.survivor.summary.family_name
    # The duplicate: tombstoned, marked, hidden even among the deleted, never restored.
    assert scalar(
        services.db, "SELECT merged_into_id FROM patients WHERE id = ?", duplicate_id
    ) == (survivor_id)
    assert services.patients.get(doctor, duplicate_id).summary.deleted
    listed = services.patients.list(doctor, include_deleted=True, limit=500).items
    assert duplicate_id not in {p.id for p in listed}
    assert survivor_id in {p.id for p in listed}
    name = preview.duplicate.summary.family_name
    assert duplicate_id not in {
        p.id for p in services.patients.search(doctor, name, include_deleted=True).items
    }
    with pytest.raises(ValidationError, match="merged"):
        services.patients.restore(doctor, duplicate_id)
    # Every moved synced row, the duplicate's deletion first, and the survivor went out.
    new = outbox_entries(services.db)[outbox_before:]
    assert new[0].entity_id == duplicate_id
    assert new[0].operation == "delete"
    synced_moved = sum(
        n
        for ref in patient_references()
        if ref.synced_class is not None
        for label, n in before_dup.items()
        if label == ref.label
    )
    assert len([e for e in new if e.operation == "update" and e.entity_id != survivor_id]) == (
        synced_moved
    )
    assert any(e.entity_id == survivor_id for e in new)
    events = [e for e in audit_events(services.db, after_seq=start) if e.action == "patient.merge"]
    assert len(events) == 1
    assert events[0].record_id == survivor_id
    assert events[0].details["duplicate_id"] == duplicate_id
    assert events[0].details["fields_from_duplicate"] == "allergies,phone"
    assert events[0].details["rows_moved"] == sum(before_dup.values())
    # No names in the audit details.
    assert preview.duplicate.summary.family_name not in repr(events[0].details)


def test_a_signed_visit_keeps_its_content_when_it_moves(
    services: Services, users: Users, clinic: SeededClinic
) -> None:
    doctor = users[Role.DOCTOR]
    sql = "SELECT status, content_sha256, signed_at FROM visits WHERE id = ?"
    with services.db.engine.connect() as connection:
        before = connection.exec_driver_sql(sql, (clinic.signed_visit_id,)).one()
    services.patients.merge(doctor, clinic.patient_id, clinic.other_patient_id)
    with services.db.engine.connect() as connection:
        after = connection.exec_driver_sql(sql, (clinic.signed_visit_id,)).one()
        # Still frozen: only a move from a deleted chart to a live one is let through.
        with pytest.raises(Exception, match="signed visit is immutable"):
            connection.exec_driver_sql(
                "UPDATE visits SET patient_id = ? WHERE id = ?",
                (clinic.other_patient_id, clinic.signed_visit_id),
            )
    assert tuple(before) == tuple(after)
    visit = services.records.visits.get_visit(doctor, clinic.signed_visit_id)
    assert visit.summary.patient_id == clinic.patient_id
    assert visit.content_sha256 == before[1]


def test_a_merged_chart_stays_deleted_even_for_a_plain_update(
    services: Services, users: Users, clinic: SeededClinic
) -> None:
    services.patients.merge(users[Role.DOCTOR], clinic.patient_id, clinic.other_patient_id)
    with services.db.engine.begin() as connection, pytest.raises(Exception, match="merged"):
        connection.exec_driver_sql(
            "UPDATE patients SET deleted_at = NULL WHERE id = ?", (clinic.other_patient_id,)
        )
    # Other changes of its bookkeeping (sync stamping a version) still go through.
    with services.db.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE patients SET version_id = 'v9' WHERE id = ?", (clinic.other_patient_id,)
        )


def test_a_signed_visit_still_refuses_a_move_between_live_charts(
    services: Services, users: Users, clinic: SeededClinic
) -> None:
    with services.db.engine.begin() as connection, pytest.raises(Exception, match="immutable"):
        connection.exec_driver_sql(
            "UPDATE visits SET patient_id = ? WHERE id = ?",
            (clinic.patient_id, clinic.signed_visit_id),
        )


def _refused(services: Services, call: Any, error: type[Exception], match: str) -> None:
    before = _dump(services)
    with pytest.raises(error, match=match):
        call()
    assert _dump(services) == before


def test_bad_merges_are_refused_and_change_nothing(
    services: Services, users: Users, clinic: SeededClinic
) -> None:
    doctor = users[Role.DOCTOR]
    a, b = clinic.patient_id, clinic.other_patient_id
    merge = services.patients.merge
    preview = services.patients.merge_preview
    _refused(services, lambda: preview(doctor, a, a), ValidationError, "into itself")
    _refused(services, lambda: preview(doctor, a, "\x00" * 40), NotFoundError, "No patient")
    _refused(services, lambda: preview(doctor, [a], b), ValidationError, "survivor")  # type: ignore[arg-type]
    _refused(services, lambda: merge(doctor, a, a), ValidationError, "into itself")
    _refused(services, lambda: merge(doctor, a, "nope"), NotFoundError, "No patient")
    _refused(services, lambda: merge(doctor, "x" * 10_000, b), NotFoundError, "No patient")
    _refused(services, lambda: merge(doctor, a, None), ValidationError, "duplicate")  # type: ignore[arg-type]
    _refused(services, lambda: merge(doctor, 7, b), ValidationError, "survivor")  # type: ignore[arg-type]
    _refused(
        services, lambda: merge(doctor, a, b, {"ssn": "duplicate"}), ValidationError, "Unknown"
    )
    _refused(services, lambda: merge(doctor, a, b, {"phone": "both"}), ValidationError, "Choose")
    _refused(services, lambda: merge(doctor, a, b, ["phone"]), ValidationError, "mapping")  # type: ignore[arg-type]
    _refused(
        services,
        lambda: merge(doctor, a, b, {"x" * 100_000: "survivor"}),
        ValidationError,
        "Unknown",
    )
    _refused(services, lambda: merge(doctor, a, b, survivor_version=99), ConflictError, "changed")
    _refused(
        services, lambda: merge(doctor, a, b, duplicate_version=True), ValidationError, "whole"
    )  # type: ignore[arg-type]
    gone = services.patients.create(doctor, patient_input(mrn="GONE-1", national_id="")).patient
    services.patients.delete(doctor, gone.id)
    _refused(services, lambda: merge(doctor, a, gone.id), ValidationError, "deleted")
    _refused(services, lambda: merge(doctor, gone.id, a), ValidationError, "deleted")
    services.patients.merge(doctor, a, b)
    _refused(services, lambda: merge(doctor, b, a), ValidationError, "already merged")
    _refused(services, lambda: merge(doctor, a, b), ValidationError, "already merged")


class _CancelAfter:
    """A progress reporter that cancels the merge at its n-th report (mid-way)."""

    def __init__(self, token: CancelToken, n: int) -> None:
        self.token, self.n, self.reports = token, n, []

    def report(self, done: int, total: int, message: str = "") -> None:
        self.reports.append((done, total, message))
        if len(self.reports) == self.n:
            self.token.cancel()


def test_a_merge_cancelled_mid_way_changes_nothing(
    services: Services, users: Users, clinic: SeededClinic
) -> None:
    doctor = users[Role.DOCTOR]
    token = CancelToken()
    progress = _CancelAfter(token, 8)
    before = _dump(services)
    with pytest.raises(OperationCancelledError):
        services.patients.merge(
            doctor, clinic.patient_id, clinic.other_patient_id, progress=progress, cancel=token
        )
    assert _dump(services) == before
    assert len(progress.reports) == 8
    assert all(total == len(patient_references()) for _done, total, _m in progress.reports)
    assert progress.reports[0][2].startswith("Moving ")
    # Not cancelled, the same merge goes through.
    services.patients.merge(doctor, clinic.patient_id, clinic.other_patient_id)
    assert _pointing_at(services, clinic.other_patient_id) == {}


def test_a_role_that_cannot_read_clinical_notes_cannot_choose_between_them(
    services: Services, users: Users
) -> None:
    doctor, admin = users[Role.DOCTOR], users[Role.ADMIN]
    a = services.patients.create(
        doctor, patient_input(mrn="A-1", national_id="", allergies="Latex")
    )
    b = services.patients.create(
        doctor, patient_input(mrn="B-1", national_id="", allergies="Penicillin")
    )
    preview = services.patients.merge_preview(admin, a.patient.id, b.patient.id)
    assert preview.clinical_blocked
    assert all(
        not f.visible and f.survivor is None for f in preview.fields if f.name == "allergies"
    )
    _refused(
        services,
        lambda: services.patients.merge(admin, a.patient.id, b.patient.id),
        ValidationError,
        "a doctor must merge",
    )
    _refused(
        services,
        lambda: services.patients.merge(
            admin, a.patient.id, b.patient.id, {"allergies": "duplicate"}
        ),
        ValidationError,
        "clinical",
    )
    # Without differing notes the administrator may merge (the survivor's notes stay).
    c = services.patients.create(doctor, patient_input(mrn="C-1", national_id=""))
    services.patients.merge(admin, a.patient.id, c.patient.id, {"mrn": "duplicate"})
    merged = services.patients.get(doctor, a.patient.id)
    assert merged.allergies == "Latex"
    assert merged.summary.mrn == "C-1"


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_only_roles_holding_patient_merge_may_merge(
    services: Services, users: Users, role: Role
) -> None:
    doctor, user = users[Role.DOCTOR], users[role]
    a = services.patients.create(doctor, patient_input(mrn="A-1", national_id="")).patient
    b = services.patients.create(doctor, patient_input(mrn="B-1", national_id="")).patient
    if is_allowed(role, Action.PATIENT_MERGE):
        services.patients.merge(user, a.id, b.id)
        assert services.patients.get(doctor, b.id).summary.deleted
        return
    start = last_audit_seq(services.db)
    before = table_counts(services.db)
    with pytest.raises(PermissionDeniedError):
        services.patients.merge(user, a.id, b.id)
    with pytest.raises(PermissionDeniedError):
        services.patients.merge_preview(user, a.id, b.id)
    events = audit_events(services.db, after_seq=start)
    assert [(e.action, e.outcome) for e in events] == [("patient.merge", "denied")] * 2
    assert table_counts(services.db) == {**before, "audit_events": before["audit_events"] + 2}


def test_the_merge_right_is_held_by_doctors_and_administrators_only() -> None:
    assert {r for r in Role if is_allowed(r, Action.PATIENT_MERGE)} == {Role.DOCTOR, Role.ADMIN}
