"""The same person registered on two workstations, merged on one of them from the conflict
inbox's "Same person: merge": the duplicate's deletion and every re-pointed record (a signed
visit too) reach the other workstation, the conflicts close, and both converge."""

from __future__ import annotations

import pytest
from clinic_app.errors import ValidationError
from clinic_app.patients.models import PatientInput
from clinic_app.records.models import VisitInput, VitalsInput
from clinic_app.security.permissions import Role
from clinic_app.sync.models import ConflictKind, Resolution

from tests.store_inspection import scalar
from tests.sync.conftest import WorkstationFactory
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import Workstation, assert_converged

TWIN = PatientInput(
    given_name="Augusta",
    family_name="Byron-merge",
    sex="female",
    birth_date="1955-12-10",
    mrn="MRN-MERGE-1",
)


def _signed_visit(station: Workstation, patient_id: str) -> str:
    doctor = station.users[Role.DOCTOR]
    visits = station.services.records.visits
    visit = visits.open_visit(doctor, patient_id, data=VisitInput(reason="Check-up"))
    visits.record_vitals(doctor, visit.id, VitalsInput(pulse=70, spo2=97))
    visits.sign_visit(doctor, visit.id, visits.get_visit(doctor, visit.id).version)
    return visit.id


def _duplicate_conflicts(station: Workstation) -> list:  # type: ignore[type-arg]
    doctor = station.users[Role.DOCTOR]
    return [c for c in station.sync.conflicts(doctor) if c.kind is ConflictKind.DUPLICATE_PATIENT]


def _patient_of_visit(station: Workstation, visit_id: str) -> str:
    return str(scalar(station.db, "SELECT patient_id FROM visits WHERE id = ?", visit_id))


def test_a_merge_from_the_inbox_reaches_the_other_workstation_and_both_converge(
    sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    a, b = workstation("merge-a", sync_server), workstation("merge-b", sync_server)
    a.sync_now()
    b.sync_now()
    first = a.services.patients.create(a.users[Role.DOCTOR], TWIN).patient
    second = b.services.patients.create(
        b.users[Role.DOCTOR], PatientInput(**{**TWIN.__dict__, "phone": "+44 1111"})
    ).patient
    kept_visit = _signed_visit(a, first.id)
    moved_visit = _signed_visit(b, second.id)
    a.sync_now()
    b.sync_now()
    a.sync_now()

    doctor = b.users[Role.DOCTOR]
    [conflict] = _duplicate_conflicts(b)
    assert (conflict.entity_id, conflict.other_id) == (first.id, second.id)
    assert Resolution.MERGED in conflict.choices
    # "Merged" before the charts are merged is refused: never a silent merge.
    with pytest.raises(ValidationError, match="not been merged"):
        b.sync.resolve(doctor, conflict.id, Resolution.MERGED)
    b.services.patients.merge(doctor, first.id, second.id, {"phone": "duplicate"})
    b.sync.resolve(doctor, conflict.id, Resolution.MERGED)
    assert _duplicate_conflicts(b) == []

    b.sync_now()
    a.sync_now()
    b.sync_now()
    assert a.held() == []
    assert b.held() == []
    # The other workstation: the duplicate is deleted, its signed visit now on the survivor,
    # the chosen phone number there; its own duplicate conflict closes as merged.
    reader = a.users[Role.DOCTOR]
    assert a.services.patients.get(reader, second.id).summary.deleted
    assert a.services.patients.get(reader, first.id).summary.phone == "+44 1111"
    assert _patient_of_visit(a, moved_visit) == first.id
    assert _patient_of_visit(a, kept_visit) == first.id
    [theirs] = _duplicate_conflicts(a)
    assert theirs.choices == (Resolution.MERGED,)
    assert "already merged" in theirs.detail
    a.sync.resolve(reader, theirs.id, Resolution.MERGED)
    assert _duplicate_conflicts(a) == []
    a.sync_now()
    b.sync_now()
    assert_converged(a, b)
    assert a.open_conflicts() == []
    assert b.open_conflicts() == []


def test_a_merged_chart_edited_offline_elsewhere_is_never_brought_back_silently(
    sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    a, b = workstation("keep-a", sync_server), workstation("keep-b", sync_server)
    doctor_a, doctor_b = a.users[Role.DOCTOR], b.users[Role.DOCTOR]
    first = a.services.patients.create(doctor_a, TWIN).patient
    second = a.services.patients.create(
        doctor_a, PatientInput(**{**TWIN.__dict__, "mrn": "MRN-MERGE-2"})
    ).patient
    a.sync_now()
    b.sync_now()
    # b edits the duplicate offline while a merges it away.
    detail = b.services.patients.get(doctor_b, second.id)
    b.services.patients.update(
        doctor_b,
        second.id,
        PatientInput(**{**TWIN.__dict__, "mrn": "MRN-MERGE-2", "phone": "+44 2222"}),
        detail.version,
    )
    a.services.patients.merge(doctor_a, first.id, second.id)
    a.sync_now()
    b.sync_now()
    # b is told: changed here, deleted on the server. Keeping its version sends it back...
    [conflict] = [c for c in b.sync.conflicts(doctor_b) if c.kind is ConflictKind.DELETED_ON_SERVER]
    assert conflict.entity_id == second.id
    b.sync.resolve(doctor_b, conflict.id, Resolution.KEEP_LOCAL)
    b.sync_now()
    a.sync_now()
    # ...but the merged chart stays deleted on a, and the refused version is held, visible.
    assert a.services.patients.get(doctor_a, second.id).summary.deleted
    held = a.held()
    assert [(h.entity_type, h.entity_id) for h in held] == [("patients", second.id)]
    assert "merged" in held[0].message


def test_a_duplicate_merged_before_it_was_ever_sent_converges(
    sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    a, b = workstation("early-a", sync_server), workstation("early-b", sync_server)
    doctor = a.users[Role.DOCTOR]
    first = a.services.patients.create(doctor, TWIN).patient
    second = a.services.patients.create(
        doctor, PatientInput(**{**TWIN.__dict__, "mrn": "MRN-MERGE-3"})
    ).patient
    moved_visit = _signed_visit(a, second.id)
    a.services.patients.merge(doctor, first.id, second.id)
    a.sync_now()
    b.sync_now()
    a.sync_now()
    assert a.held() == []
    assert b.held() == []
    assert _patient_of_visit(b, moved_visit) == first.id
    # The duplicate never reached the server (a tombstone of a record the server never had is
    # not sent, as for any record deleted before its first sync); everything else is the same.
    ours, theirs = a.content(), b.content()
    assert ours["patients"].pop(second.id)[1] is True  # deleted here
    assert second.id not in theirs["patients"]
    assert ours == theirs
    assert a.outbox() == 0
    assert b.outbox() == 0
