"""Patient use cases: the record's life cycle, possible duplicates, what each role sees and may
write, and the primary doctor rule."""

from __future__ import annotations

from datetime import date

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from clinic_app.patients.models import Sex
from clinic_app.patients.service import PatientService, PatientSort
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.conftest import USERNAMES
from tests.patient_inputs import patient_input
from tests.store_inspection import audit_events, last_audit_seq, scalar, table_counts

Users = dict[Role, AuthenticatedUser]


def test_a_patient_is_created_edited_deleted_and_restored(services: Services, users: Users) -> None:
    doctor = users[Role.DOCTOR]
    start = last_audit_seq(services.db)
    created = services.patients.create(
        doctor,
        patient_input(
            given_name="  Élodie   Marie ",
            allergies="Penicillin\r\nLatex",
            history_notes="Asthma since 2001.",
        ),
    )
    patient = created.patient
    assert created.possible_duplicates == []
    assert patient.summary.given_name == "Élodie Marie"  # spaces tidied
    assert patient.summary.sex is Sex.FEMALE
    assert patient.summary.birth_date == date(1984, 3, 9)
    assert patient.allergies == "Penicillin\nLatex"
    assert patient.version == 1
    assert not patient.summary.deleted
    assert patient.summary.display_name == "Durand-Lefèvre, Élodie Marie"

    edited = services.patients.update(
        doctor, patient.id, patient_input(given_name="Élodie", email="", allergies=None), 1
    )
    assert edited.version == 2
    assert edited.email is None
    assert edited.allergies == "Penicillin\nLatex"  # None means "leave as it is"
    assert edited.updated_at > patient.updated_at

    deleted = services.patients.delete(doctor, patient.id)
    assert deleted.deleted
    with pytest.raises(ValidationError, match="restore"):
        services.patients.update(doctor, patient.id, patient_input(), deleted.version)
    restored = services.patients.restore(doctor, patient.id)
    assert not restored.deleted
    assert services.patients.get(doctor, patient.id).summary.given_name == "Élodie"

    actions = [(e.action, e.record_id) for e in audit_events(services.db, after_seq=start)]
    assert actions == [
        ("patient.create", patient.id),
        ("patient.update", patient.id),
        ("patient.delete", patient.id),
        ("patient.restore", patient.id),
        ("patient.view", patient.id),
    ]


def test_deleting_twice_or_restoring_a_live_patient_changes_and_audits_nothing(
    services: Services, users: Users
) -> None:
    doctor, nurse = users[Role.DOCTOR], users[Role.NURSE]
    pid = services.patients.create(doctor, patient_input()).patient.id
    start = last_audit_seq(services.db)
    assert not services.patients.restore(doctor, pid).deleted
    assert services.patients.delete(doctor, pid).deleted
    assert services.patients.delete(doctor, pid).deleted
    assert [e.action for e in audit_events(services.db, after_seq=start)] == ["patient.delete"]
    # Each direction asks for its own permission: a nurse may do neither.
    with pytest.raises(PermissionDeniedError):
        services.patients.restore(nurse, pid)
    with pytest.raises(PermissionDeniedError):
        services.patients.delete(nurse, pid)
    assert services.patients.restore(doctor, pid).deleted is False
    assert services.patients.restore(doctor, pid).deleted is False
    actions = [e.action for e in audit_events(services.db, after_seq=start) if e.outcome == "ok"]
    assert actions == ["patient.delete", "patient.restore"]


def test_unknown_patients_are_a_clear_not_found(services: Services, users: Users) -> None:
    doctor = users[Role.DOCTOR]
    real = services.patients.create(doctor, patient_input()).patient.id
    for missing in ("no-such-id", "", real + "x", real[:-1]):
        with pytest.raises(NotFoundError, match="No patient"):
            services.patients.get(doctor, missing)
        with pytest.raises(NotFoundError):
            services.patients.delete(doctor, missing)
        with pytest.raises(NotFoundError):
            services.patients.update(doctor, missing, patient_input(), 1)


def test_a_stale_edit_is_refused_as_a_conflict(services: Services, users: Users) -> None:
    doctor = users[Role.DOCTOR]
    pid = services.patients.create(doctor, patient_input()).patient.id
    services.patients.update(doctor, pid, patient_input(phone="0600000009"), 1)
    with pytest.raises(ConflictError, match="Reload"):
        services.patients.update(doctor, pid, patient_input(phone="0600000010"), 1)
    assert services.patients.get(doctor, pid).summary.phone == "0600000009"


# --- duplicates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        {"given_name": "ELODIE", "family_name": "durand-lefevre"},
        {"given_name": "Elodie", "family_name": "Durand-Lefevre "},
        {"given_name": "élodie", "family_name": "DURAND-LEFÈVRE"},
        {"given_name": "E\u0301lodie", "family_name": "Durand-Lefe\u0300vre"},  # decomposed
    ],
    ids=["upper", "no-accents", "mixed", "decomposed"],
)
def test_the_same_name_and_birth_date_is_flagged_whatever_the_case_or_accents(
    services: Services, users: Users, variant: dict[str, str]
) -> None:
    doctor = users[Role.DOCTOR]
    first = services.patients.create(doctor, patient_input(mrn="", national_id=""))
    second = services.patients.create(
        doctor, patient_input(mrn="", national_id="", phone="", **variant)
    )
    assert [d.id for d in second.possible_duplicates] == [first.patient.id]
    # The duplicate is flagged, not refused: both records exist.
    assert scalar(services.db, "SELECT count(*) FROM patients") == 2
    events = [e for e in audit_events(services.db) if e.action == "patient.create"]
    assert events[-1].details == {"possible_duplicates": 1}


def test_the_same_mrn_or_national_id_is_flagged(services: Services, users: Users) -> None:
    doctor = users[Role.DOCTOR]
    first = services.patients.create(doctor, patient_input()).patient.id
    same_mrn = services.patients.create(
        doctor, patient_input(given_name="Other", birth_date="1990-01-01", national_id="")
    )
    same_national = services.patients.create(
        doctor, patient_input(given_name="Third", birth_date="1991-01-01", mrn="")
    )
    assert [d.id for d in same_mrn.possible_duplicates] == [first]
    assert [d.id for d in same_national.possible_duplicates] == [first]


def test_different_people_are_not_flagged(services: Services, users: Users) -> None:
    doctor = users[Role.DOCTOR]
    services.patients.create(doctor, patient_input())
    other_birth = services.patients.create(
        doctor, patient_input(birth_date="1984-03-10", mrn="MRN-2", national_id="X2")
    )
    other_name = services.patients.create(
        doctor, patient_input(given_name="Eloise", mrn="MRN-3", national_id="X3")
    )
    assert other_birth.possible_duplicates == []
    assert other_name.possible_duplicates == []


def test_deleted_patients_and_the_record_itself_are_not_duplicates(
    services: Services, users: Users
) -> None:
    doctor = users[Role.DOCTOR]
    first = services.patients.create(doctor, patient_input()).patient.id
    assert services.patients.possible_duplicates(doctor, patient_input(), exclude_id=first) == []
    services.patients.delete(doctor, first)
    assert services.patients.create(doctor, patient_input()).possible_duplicates == []


def test_the_duplicate_check_before_saving_is_audited(services: Services, users: Users) -> None:
    doctor = users[Role.DOCTOR]
    services.patients.create(doctor, patient_input())
    start = last_audit_seq(services.db)
    found = services.patients.possible_duplicates(doctor, patient_input())
    assert len(found) == 1
    events = audit_events(services.db, after_seq=start)
    assert [(e.action, e.details) for e in events] == [("patient.duplicate_check", {"results": 1})]


# --- deleted records ----------------------------------------------------------------------


def test_deleted_patients_are_hidden_unless_asked_for(services: Services, users: Users) -> None:
    doctor = users[Role.DOCTOR]
    kept = services.patients.create(doctor, patient_input()).patient.id
    gone = services.patients.create(
        doctor, patient_input(given_name="Gone", mrn="M-2", national_id="")
    ).patient.id
    services.patients.delete(doctor, gone)

    listed = services.patients.list(doctor)
    assert [p.id for p in listed.items] == [kept]
    assert listed.total == 1
    everyone = services.patients.list(doctor, include_deleted=True)
    assert {p.id for p in everyone.items} == {kept, gone}
    assert everyone.total == 2

    for query in ("Gone", "durand", "M-2"):
        assert gone not in [p.id for p in services.patients.search(doctor, query).items]
    found = services.patients.search(doctor, "Gone", include_deleted=True).items
    assert [(p.id, p.deleted) for p in found] == [(gone, True)]
    # The record itself stays readable (who looked is recorded), marked as deleted.
    assert services.patients.get(doctor, gone).summary.deleted


# --- roles and clinical fields ------------------------------------------------------------


def test_the_front_desk_never_sees_clinical_fields(services: Services, users: Users) -> None:
    pid = services.patients.create(
        users[Role.DOCTOR], patient_input(allergies="Latex", history_notes="Diabetes")
    ).patient.id
    seen = services.patients.get(users[Role.FRONT_DESK], pid)
    assert not seen.clinical_visible
    assert seen.allergies is None
    assert seen.history_notes is None
    nurse_view = services.patients.get(users[Role.NURSE], pid)
    assert (nurse_view.allergies, nurse_view.history_notes) == ("Latex", "Diabetes")


def test_the_front_desk_cannot_write_clinical_fields(services: Services, users: Users) -> None:
    desk = users[Role.FRONT_DESK]
    before = table_counts(services.db)
    with pytest.raises(PermissionDeniedError):
        services.patients.create(desk, patient_input(allergies="Peanuts"))
    with pytest.raises(PermissionDeniedError):
        services.patients.create(desk, patient_input(history_notes=""))
    after = table_counts(services.db)
    assert after["patients"] == before["patients"]
    assert after["outbox"] == before["outbox"]

    created = services.patients.create(desk, patient_input())
    assert created.patient.allergies is None
    pid = created.patient.id
    services.patients.update(users[Role.NURSE], pid, patient_input(allergies="Aspirin"), 1)
    with pytest.raises(PermissionDeniedError):
        services.patients.update(desk, pid, patient_input(allergies="None known"), 2)
    # An edit of the demographics by the desk leaves the clinical fields as they were.
    services.patients.update(desk, pid, patient_input(phone="0611111111"), 2)
    assert services.patients.get(users[Role.DOCTOR], pid).allergies == "Aspirin"


# --- primary doctor -----------------------------------------------------------------------


def test_the_primary_doctor_must_be_an_active_doctor(services: Services, users: Users) -> None:
    doctor, nurse, admin = users[Role.DOCTOR], users[Role.NURSE], users[Role.ADMIN]
    created = services.patients.create(doctor, patient_input(primary_doctor_id=doctor.id))
    assert created.patient.summary.primary_doctor_id == doctor.id

    before = table_counts(services.db)
    for not_a_doctor in (nurse.id, admin.id, "no-such-account", doctor.id + "-and-more"):
        with pytest.raises(ValidationError) as caught:
            services.patients.create(
                doctor, patient_input(mrn="", national_id="", primary_doctor_id=not_a_doctor)
            )
        assert "primary_doctor_id" in caught.value.field_errors
    assert table_counts(services.db)["patients"] == before["patients"]

    services.accounts.set_active(admin, USERNAMES[Role.DOCTOR], False)
    with pytest.raises(ValidationError, match="active doctor"):
        services.patients.update(
            nurse, created.patient.id, patient_input(primary_doctor_id=doctor.id), 1
        )


# --- listing ------------------------------------------------------------------------------


def test_the_list_sorts_and_pages(services: Services, users: Users) -> None:
    doctor = users[Role.DOCTOR]
    people = [
        ("Zoë", "Álvarez", "1950-01-01"),
        ("Ana", "Zapata", "2001-05-05"),
        ("Bo", "Ng", "1980-12-12"),
    ]
    for index, (given, family, birth) in enumerate(people):
        services.patients.create(
            doctor,
            patient_input(
                given_name=given,
                family_name=family,
                birth_date=birth,
                mrn=f"L-{index}",
                national_id="",
            ),
        )
    by_name = [p.family_name for p in services.patients.list(doctor).items]
    assert by_name == ["Álvarez", "Ng", "Zapata"]  # accents sort with their letter
    by_birth = [
        p.given_name for p in services.patients.list(doctor, sort=PatientSort.BIRTH_DATE).items
    ]
    assert by_birth == ["Zoë", "Bo", "Ana"]
    newest = services.patients.list(doctor, sort=PatientSort.UPDATED, descending=True)
    assert newest.items[0].given_name == "Bo"
    page = services.patients.list(doctor, limit=2, offset=2)
    assert [p.family_name for p in page.items] == ["Zapata"]
    assert page.total == 3


def test_today_is_injected_for_birth_date_checks(services: Services, users: Users) -> None:
    patients = PatientService(
        services.db,
        services.audit_log,
        services.authorizer,
        today=lambda: date(2000, 1, 1),
    )
    with pytest.raises(ValidationError, match="birth_date") as caught:
        patients.create(users[Role.DOCTOR], patient_input(birth_date="2000-01-02"))
    assert "future" in caught.value.field_errors["birth_date"]
    assert patients.create(users[Role.DOCTOR], patient_input(birth_date="2000-01-01"))
