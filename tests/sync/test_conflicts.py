"""Offline edits on two workstations: demographics merge by field, the same field becomes a
conflict with both versions kept and resolved by a person, notes never conflict, duplicate
patients are offered (never merged), and a slot booked on both sides leaves the loser's
booking provisional until the desk resolves it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from clinic_app.errors import PermissionDeniedError
from clinic_app.notifications.models import NotificationKind
from clinic_app.patients.models import PatientDetail, PatientInput
from clinic_app.records.models import VisitInput
from clinic_app.scheduling.hours import parse_weekly
from clinic_app.scheduling.models import BookingRequest, DoctorProfileInput
from clinic_app.security.permissions import Role
from clinic_app.sync.models import ConflictKind, RecordSyncState, Resolution

from tests.sync.conftest import WorkstationFactory
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import Workstation, assert_converged

ADA = PatientInput(
    given_name="Ada",
    family_name="Lovelace",
    sex="female",
    birth_date="1985-12-10",
    phone="+44 20 7946 0000",
    email="ada@example.org",
    address="12 St James's Square",
)


def _ada(tag: str) -> PatientInput:
    """Ada, with a family name of the test's own (the server is shared by the module, and
    the same person registered twice is offered as a duplicate)."""
    return replace(ADA, family_name=f"Lovelace-{tag}")


def _input(detail: PatientDetail, **changes: str) -> PatientInput:
    s = detail.summary
    base = PatientInput(
        given_name=s.given_name,
        family_name=s.family_name,
        sex=s.sex.value,
        birth_date=s.birth_date,
        other_names=detail.other_names or "",
        phone=s.phone or "",
        email=detail.email or "",
        address=detail.address or "",
        mrn=s.mrn or "",
        national_id=s.national_id or "",
    )
    return replace(base, **changes)


def _edit(station: Workstation, patient_id: str, **changes: str) -> None:
    desk = station.users[Role.FRONT_DESK]
    detail = station.services.patients.get(desk, patient_id)
    station.services.patients.update(desk, patient_id, _input(detail, **changes), detail.version)


def _pair(factory: WorkstationFactory, server: ServerProcess, tag: str) -> tuple[Workstation, ...]:
    a = factory(f"{tag}-a", server)
    b = factory(f"{tag}-b", server)
    a.sync_now()
    b.sync_now()
    return a, b


def test_demographics_changed_in_different_fields_merge_without_asking(
    shared_sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    a, b = _pair(workstation, shared_sync_server, "merge")
    ada = a.services.patients.create(a.users[Role.FRONT_DESK], _ada("merge")).patient
    a.sync_now()
    b.sync_now()
    _edit(a, ada.id, phone="+44 20 7946 1111")
    _edit(b, ada.id, email="countess@example.org", address="Ockham Park")
    a.sync_now()
    report = b.sync_now()
    assert report.merged == 1
    assert report.conflicts == 0
    a.sync_now()
    assert_converged(a, b)
    merged = a.services.patients.get(a.users[Role.FRONT_DESK], ada.id)
    assert merged.summary.phone == "+44 20 7946 1111"
    assert merged.email == "countess@example.org"
    assert merged.address == "Ockham Park"
    assert not a.open_conflicts()
    assert not b.open_conflicts()


def test_the_same_field_changed_on_both_sides_is_a_conflict_a_person_resolves(
    shared_sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    a, b = _pair(workstation, shared_sync_server, "same")
    ada = a.services.patients.create(a.users[Role.FRONT_DESK], _ada("same")).patient
    a.sync_now()
    b.sync_now()
    _edit(a, ada.id, phone="+44 1111")
    _edit(b, ada.id, phone="+44 2222", email="b@example.org")
    a.sync_now()
    report = b.sync_now()
    assert report.conflicts == 1
    desk = b.users[Role.FRONT_DESK]
    # Nothing was overwritten: the local edit is still here, and is still waiting to go.
    assert b.services.patients.get(desk, ada.id).summary.phone == "+44 2222"
    assert b.sync.record_state(desk, "patients", ada.id) is RecordSyncState.CONFLICT
    assert b.sync.status(desk).conflicts == 1
    [conflict] = b.sync.conflicts(desk)
    assert conflict.kind is ConflictKind.EDIT
    assert conflict.choices == (Resolution.KEEP_LOCAL, Resolution.TAKE_SERVER, Resolution.MERGE)
    sides = {f.name: (f.local, f.server) for f in conflict.fields if f.differs}
    assert sides == {
        "phone": ("+44 2222", "+44 1111"),
        "email": ("b@example.org", "ada@example.org"),
    }
    notices = b.services.notifications.inbox(desk)
    assert any(n.kind is NotificationKind.SYNC_CONFLICT and n.record_id == ada.id for n in notices)
    with pytest.raises(PermissionDeniedError):
        b.sync.conflicts(b.users[Role.ADMIN])
    # Another sync changes nothing while it is open.
    b.sync_now()
    assert b.services.patients.get(desk, ada.id).summary.phone == "+44 2222"
    b.sync.resolve(desk, conflict.id, Resolution.MERGE, {"phone": "server"})
    b.sync_now()
    a.sync_now()
    assert_converged(a, b)
    final = a.services.patients.get(a.users[Role.FRONT_DESK], ada.id)
    assert final.summary.phone == "+44 1111"  # the server's phone
    assert final.email == "b@example.org"  # B's e-mail
    assert not b.open_conflicts()


def test_visit_notes_edited_on_both_sides_conflict_and_notes_added_on_both_never_do(
    shared_sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    a, b = _pair(workstation, shared_sync_server, "visit")
    doctor = a.users[Role.DOCTOR]
    ada = a.services.patients.create(doctor, _ada("visit")).patient
    visit = a.services.records.visits.open_visit(doctor, ada.id, data=VisitInput(reason="Cough"))
    done = a.services.records.visits.open_visit(doctor, ada.id, data=VisitInput(reason="Rash"))
    a.services.records.visits.sign_visit(doctor, done.id, done.version)
    a.sync_now()
    b.sync_now()
    a.services.records.visits.update_visit(
        doctor, visit.id, VisitInput(examination="Crackles left base"), visit.version
    )
    b_visit = b.services.records.visits.get_visit(doctor, visit.id)
    b.services.records.visits.update_visit(
        doctor, visit.id, VisitInput(examination="Clear chest"), b_visit.version
    )
    for station, text in ((a, "Seen with a colleague"), (b, "Phoned the lab")):
        station.services.records.addenda.add_addendum(doctor, "visit", done.id, text)
        station.services.records.annotations.annotate(doctor, "visit", done.id, f"Note: {text}")
    a.sync_now()
    b.sync_now()
    [conflict] = b.sync.conflicts(doctor)
    assert conflict.entity_type == "visits"
    b.sync.resolve(doctor, conflict.id, Resolution.KEEP_LOCAL)
    b.sync_now()
    a.sync_now()
    assert_converged(a, b)
    assert a.services.records.visits.get_visit(doctor, visit.id).examination == "Clear chest"
    addenda = {values[0][4] for values in a.content()["addenda"].values()}
    assert {"Seen with a colleague", "Phoned the lab"} <= addenda
    notes = a.services.records.annotations.list_annotations(doctor, "visit", done.id)
    assert len(notes) == 2


def test_a_patient_deleted_on_the_server_but_edited_here_is_a_conflict(
    shared_sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    a, b = _pair(workstation, shared_sync_server, "deleted")
    ada = a.services.patients.create(a.users[Role.FRONT_DESK], _ada("deleted")).patient
    a.sync_now()
    b.sync_now()
    a.services.patients.delete(a.users[Role.DOCTOR], ada.id)
    _edit(b, ada.id, phone="+44 3333")
    a.sync_now()
    b.sync_now()
    desk = b.users[Role.FRONT_DESK]
    [conflict] = b.sync.conflicts(desk)
    assert conflict.kind is ConflictKind.DELETED_ON_SERVER
    b.sync.resolve(desk, conflict.id, Resolution.KEEP_LOCAL)
    b.sync_now()
    a.sync_now()
    assert_converged(a, b)
    kept = a.services.patients.get(a.users[Role.FRONT_DESK], ada.id)
    assert not kept.summary.deleted
    assert kept.summary.phone == "+44 3333"


def test_the_same_person_registered_on_two_workstations_is_offered_never_merged(
    shared_sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    a, b = _pair(workstation, shared_sync_server, "dupe")
    twin = replace(_ada("dupe"), given_name="Augusta", mrn="MRN-DUPE-7")
    first = a.services.patients.create(a.users[Role.FRONT_DESK], twin).patient
    second = b.services.patients.create(b.users[Role.FRONT_DESK], replace(twin, phone="")).patient
    a.sync_now()
    b.sync_now()
    a.sync_now()
    for station, theirs, mine in ((b, first.id, second.id), (a, second.id, first.id)):
        desk = station.users[Role.FRONT_DESK]
        offered = [
            c for c in station.sync.conflicts(desk) if c.kind is ConflictKind.DUPLICATE_PATIENT
        ]
        assert [(c.entity_id, c.other_id) for c in offered] == [(theirs, mine)]
        assert offered[0].choices == (Resolution.KEEP_BOTH, Resolution.MERGED)
        station.sync.resolve(desk, offered[0].id, Resolution.KEEP_BOTH)
        assert not station.services.patients.get(desk, first.id).summary.deleted
        assert not station.services.patients.get(desk, second.id).summary.deleted
    assert_converged(a, b)


def test_a_slot_booked_on_both_sides_stays_provisional_until_the_desk_resolves(
    shared_sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    a, b = _pair(workstation, shared_sync_server, "slot")
    admin, desk = a.users[Role.ADMIN], a.users[Role.FRONT_DESK]
    doctor = a.users[Role.DOCTOR]
    a.services.scheduling.profiles.save_profile(
        admin,
        doctor.id,
        DoctorProfileInput(
            specialisation="GP",
            consultation_minutes=30,
            time_zone="Europe/Berlin",
            weekly_hours=parse_weekly("mon-sun=09:00-10:00"),
        ),
    )
    day = date.today() + timedelta(days=10)
    a.services.scheduling.slots.generate(admin, doctor.id, day, day)
    mine = a.services.patients.create(desk, _ada("slot")).patient
    theirs = a.services.patients.create(desk, replace(_ada("slot"), given_name="Byron")).patient
    a.sync_now()
    b.sync_now()
    view = a.services.scheduling.calendar.day_view(admin, day, doctor_id=doctor.id)
    slot_id = next(e.slot_id for c in view.columns for e in c.entries if e.slot_id)
    won = a.services.scheduling.booking.book(desk, slot_id, BookingRequest(mine.id))
    lost = b.services.scheduling.booking.book(desk, slot_id, BookingRequest(theirs.id))
    assert not won.confirmed
    assert not lost.confirmed
    a.sync_now()
    b.sync_now()
    # (Earlier tests' patients arrive here too; the module's own duplicates are offered.)
    [conflict] = [c for c in b.sync.conflicts(desk) if c.kind is ConflictKind.SLOT_TAKEN]
    assert "already booked" in conflict.detail
    pending = b.services.scheduling.attendance.get(desk, lost.id)
    assert not pending.appointment.confirmed  # still visible, still provisional
    assert a.services.scheduling.attendance.get(desk, won.id).appointment.confirmed
    # The server's booking can't be stored beside the local one yet: held, with the reason.
    [held] = b.held()
    assert (held.entity_id, held.direction) == (won.id, "pull")
    b.sync.resolve(desk, conflict.id, Resolution.CANCEL_BOOKING)
    b.sync_now()
    a.sync_now()
    assert_converged(a, b)
    assert (
        b.services.scheduling.attendance.get(desk, lost.id).appointment.status.value == "cancelled"
    )
    assert {c.kind for c in b.open_conflicts()} <= {ConflictKind.DUPLICATE_PATIENT.value}
    # The server's booking still holds the slot, here and there.
    (fields, _deleted) = a.content()["slots"][slot_id]
    assert fields[7] == "booked"
    assert not b.held()
