"""Visits through the real services on a real encrypted store: open, document, vitals, sign,
read, list; every permission; audit and outbox written with the change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from clinic_app.patients.models import PatientDetail
from clinic_app.records.models import (
    CodedEntryInput,
    Visit,
    VisitInput,
    VisitStatus,
    VitalsInput,
)
from clinic_app.records.services import Records
from clinic_app.records.vitals import parse_blood_pressure, parse_temperature, validate_vitals
from clinic_app.security.users import AuthenticatedUser

from tests.store_inspection import audit_events, last_audit_seq, outbox_entries, scalar

PNEUMONIA = CodedEntryInput("J18.9", "Pneumonia, unspecified organism", "ICD-10-CM 2026")


def test_a_doctor_opens_a_visit_with_notes_and_codes_in_one_transaction(
    services: Services, records: Records, doctor: AuthenticatedUser, patient: PatientDetail
) -> None:
    before = last_audit_seq(services.db)
    visit = records.visits.open_visit(
        doctor,
        patient.id,
        data=VisitInput(
            reason="Fever",
            symptoms="Fever and productive cough",
            assessment="Community-acquired pneumonia",
            plan="Amoxicillin, review in 48 h",
            diagnoses=(PNEUMONIA,),
            procedures=(CodedEntryInput("99213", "Office visit", "CPT 2026", system="CPT"),),
        ),
    )
    assert visit.status is VisitStatus.OPEN
    assert visit.version == 1
    assert visit.summary.clinician_id == doctor.id
    assert [d.code for d in visit.diagnoses] == ["J18.9"]
    assert visit.diagnoses[0].code_set_version == "ICD-10-CM 2026"
    assert [p.code for p in visit.procedures] == ["99213"]
    entries = outbox_entries(services.db, visit.id)
    assert [(e.entity_type, e.operation, e.entity_version) for e in entries] == [
        ("visits", "create", 1)
    ]
    events = audit_events(services.db, after_seq=before)
    assert [e.action for e in events] == ["visit.open"]
    assert events[0].record_id == visit.id
    assert "Fever" not in str(events[0].details)


def test_front_desk_opens_a_visit_at_check_in_but_sees_no_clinical_text(
    services: Services,
    records: Records,
    desk: AuthenticatedUser,
    doctor: AuthenticatedUser,
    patient: PatientDetail,
) -> None:
    visit = records.visits.open_visit(
        desk, patient.id, appointment_id="appt-1", clinician_id=doctor.id
    )
    assert not visit.clinical_visible
    assert visit.summary.reason is None
    again = records.visits.open_visit(
        desk, patient.id, appointment_id="appt-1", clinician_id=doctor.id
    )
    assert again.id == visit.id  # a repeated check-in does not open a second visit
    assert scalar(services.db, "SELECT count(*) FROM visits") == 1
    reopened = audit_events(services.db, after_seq=last_audit_seq(services.db) - 1)
    assert reopened[0].details["existing"] is True
    with pytest.raises(PermissionDeniedError):
        records.visits.get_visit(desk, visit.id)
    with pytest.raises(PermissionDeniedError):
        records.visits.open_visit(
            desk, patient.id, clinician_id=doctor.id, data=VisitInput(reason="chest pain")
        )
    with pytest.raises(ValidationError) as missing:
        records.visits.open_visit(desk, patient.id)
    assert "clinician_id" in missing.value.field_errors


def test_a_nurse_documents_intake_and_vitals_but_neither_assesses_nor_signs(
    records: Records, nurse: AuthenticatedUser, patient: PatientDetail
) -> None:
    visit = records.visits.open_visit(nurse, patient.id, data=VisitInput(symptoms="headache"))
    vitals = records.visits.record_vitals(
        nurse, visit.id, VitalsInput(temperature="101.3", temperature_unit="F", pulse="88")
    )
    assert vitals.temperature_c == 38.5
    assert vitals.recorded_by_id == nurse.id
    with pytest.raises(PermissionDeniedError):
        records.visits.update_visit(nurse, visit.id, VisitInput(plan="rest"), visit.version)
    with pytest.raises(PermissionDeniedError):
        records.visits.update_visit(
            nurse, visit.id, VisitInput(diagnoses=(PNEUMONIA,)), visit.version
        )
    with pytest.raises(PermissionDeniedError):
        records.visits.sign_visit(nurse, visit.id, visit.version)


def test_roles_without_clinical_access_can_not_read_or_write_visits(
    records: Records, desk: AuthenticatedUser, admin: AuthenticatedUser, open_visit: Visit
) -> None:
    for user in (desk, admin):
        with pytest.raises(PermissionDeniedError):
            records.visits.get_visit(user, open_visit.id)
        with pytest.raises(PermissionDeniedError):
            records.visits.list_visits(user, open_visit.summary.patient_id)
        with pytest.raises(PermissionDeniedError):
            records.visits.record_vitals(user, open_visit.id, VitalsInput(pulse=70))
    with pytest.raises(PermissionDeniedError):
        records.visits.open_visit(admin, open_visit.summary.patient_id)


def test_a_denied_read_is_audited(
    services: Services, records: Records, desk: AuthenticatedUser, open_visit: Visit
) -> None:
    before = last_audit_seq(services.db)
    with pytest.raises(PermissionDeniedError):
        records.visits.get_visit(desk, open_visit.id)
    events = audit_events(services.db, after_seq=before)
    assert [(e.action, e.outcome, e.record_id) for e in events] == [
        ("visit.read", "denied", open_visit.id)
    ]


def test_update_replaces_codes_and_bumps_the_version(
    services: Services, records: Records, doctor: AuthenticatedUser, open_visit: Visit
) -> None:
    first = records.visits.update_visit(
        doctor, open_visit.id, VisitInput(diagnoses=(PNEUMONIA,)), open_visit.version
    )
    asthma = CodedEntryInput("J45909", "Unspecified asthma, uncomplicated", "2026", primary=True)
    second = records.visits.update_visit(
        doctor,
        open_visit.id,
        VisitInput(examination="wheeze", diagnoses=(asthma,)),
        first.version,
    )
    assert [d.code for d in second.diagnoses] == ["J45.909"]  # dot inserted
    assert second.diagnoses[0].is_primary
    assert second.examination == "wheeze"
    assert second.symptoms == "dry cough, no fever"  # None leaves a field as it was
    assert second.version == first.version + 1
    removed = "SELECT count(*) FROM coded_entries WHERE deleted_at IS NOT NULL"
    assert scalar(services.db, removed) == 1
    with pytest.raises(ConflictError):
        records.visits.update_visit(doctor, open_visit.id, VisitInput(plan="x"), first.version)


def test_only_a_doctor_signs_and_signing_freezes_the_visit(
    records: Records, doctor: AuthenticatedUser, signed_visit: Visit
) -> None:
    assert signed_visit.status is VisitStatus.SIGNED
    assert signed_visit.signed_by_id == doctor.id
    assert signed_visit.content_sha256 is not None
    assert len(signed_visit.content_sha256) == 64
    with pytest.raises(ValidationError, match="addendum"):
        records.visits.update_visit(
            doctor, signed_visit.id, VisitInput(plan="changed"), signed_visit.version
        )
    with pytest.raises(ValidationError, match="addendum"):
        records.visits.record_vitals(doctor, signed_visit.id, VitalsInput(pulse=80))
    with pytest.raises(ValidationError, match="addendum"):
        records.visits.sign_visit(doctor, signed_visit.id, signed_visit.version)


def test_addenda_are_returned_with_the_visit_beside_the_field_they_correct(
    records: Records, nurse: AuthenticatedUser, doctor: AuthenticatedUser, signed_visit: Visit
) -> None:
    addendum = records.addenda.add_addendum(
        nurse, "visit", signed_visit.id, "Cough started 10 days ago, not 7.", field="symptoms"
    )
    visit = records.visits.get_visit(doctor, signed_visit.id)
    assert visit.addenda == (addendum,)
    assert visit.addenda_for("symptoms") == (addendum,)
    assert visit.symptoms == "dry cough, no fever"  # the signed text is unchanged
    with pytest.raises(ValidationError):
        records.addenda.add_addendum(nurse, "visit", signed_visit.id, "x", field="nonsense")
    with pytest.raises(ValidationError):
        records.addenda.add_addendum(nurse, "visit", signed_visit.id, "   ")


def test_an_open_visit_takes_edits_not_addenda(
    records: Records, doctor: AuthenticatedUser, open_visit: Visit
) -> None:
    with pytest.raises(ValidationError, match="still open"):
        records.addenda.add_addendum(doctor, "visit", open_visit.id, "note")


def test_visits_are_listed_newest_first_and_the_list_is_audited(
    services: Services, records: Records, doctor: AuthenticatedUser, patient: PatientDetail
) -> None:
    now = datetime.now(UTC)
    ids = [
        records.visits.open_visit(doctor, patient.id, started_at=now - timedelta(days=d)).id
        for d in (30, 1, 10)
    ]
    before = last_audit_seq(services.db)
    listed = records.visits.list_visits(doctor, patient.id)
    assert [v.id for v in listed] == [ids[1], ids[2], ids[0]]
    assert records.visits.list_visits(doctor, patient.id, limit=1, offset=1)[0].id == ids[2]
    assert [e.action for e in audit_events(services.db, after_seq=before)] == ["visit.list"] * 2
    with pytest.raises(ValidationError):
        records.visits.list_visits(doctor, patient.id, limit=0)


BAD_VISITS = [
    (VisitInput(symptoms="bad\x00byte"), "symptoms"),
    (VisitInput(reason="x" * 20_001), "reason"),
    (VisitInput(diagnoses=(CodedEntryInput("123", "Not a code", "2026"),)), "diagnoses[0].code"),
    (VisitInput(diagnoses=(CodedEntryInput("J18.9", "", "2026"),)), "diagnoses[0].description"),
    (
        VisitInput(diagnoses=(CodedEntryInput("J18.9", "Pneumonia", ""),)),
        "diagnoses[0].code_set_version",
    ),
    (
        VisitInput(procedures=(CodedEntryInput("J18.9", "Pneumonia", "2026"),)),
        "procedures[0].system",
    ),
    (VisitInput(diagnoses=(PNEUMONIA, PNEUMONIA)), "diagnoses[1].code"),
]


def test_bad_visit_input_names_the_field_and_writes_nothing(
    services: Services, records: Records, doctor: AuthenticatedUser, patient: PatientDetail
) -> None:
    for data, field in BAD_VISITS:
        with pytest.raises(ValidationError) as error:
            records.visits.open_visit(doctor, patient.id, data=data)
        assert field in error.value.field_errors, field
    assert scalar(services.db, "SELECT count(*) FROM visits") == 0


def test_unknown_ids_and_times_are_refused_clearly(
    records: Records, doctor: AuthenticatedUser, patient: PatientDetail
) -> None:
    with pytest.raises(NotFoundError):
        records.visits.open_visit(doctor, "no-such-patient")
    with pytest.raises(NotFoundError):
        records.visits.get_visit(doctor, "")
    with pytest.raises(ValidationError):
        records.visits.open_visit(doctor, patient.id, started_at=datetime(2026, 1, 1))
    with pytest.raises(ValidationError):
        records.visits.open_visit(
            doctor, patient.id, started_at=datetime.now(UTC) + timedelta(days=3)
        )


def test_vitals_readings_are_stored_in_si_units_with_bmi(
    services: Services, records: Records, nurse: AuthenticatedUser, open_visit: Visit
) -> None:
    vitals = records.visits.record_vitals(
        nurse,
        open_visit.id,
        VitalsInput(
            weight="154.3",
            weight_unit="lb",
            height="69",
            height_unit="in",
            systolic=128,
            diastolic=82,
            respiratory_rate=16,
            spo2=97,
        ),
    )
    assert vitals.weight_kg == 70.0
    assert vitals.height_cm == 175.3
    assert vitals.bmi == 22.8
    assert scalar(services.db, "SELECT bmi FROM vital_signs WHERE id = ?", vitals.id) == 22.8


@pytest.mark.parametrize(
    ("vitals", "field", "words"),
    [
        (VitalsInput(pulse=900), "pulse", "between 20 and 300"),
        (VitalsInput(temperature=80), "temperature", "between 25.0 and 45.0"),
        (VitalsInput(temperature=98.6), "temperature", "Fahrenheit"),
        (VitalsInput(spo2=101), "spo2", "between 50 and 100"),
        (VitalsInput(systolic=80, diastolic=120), "diastolic", "lower than systolic"),
        (VitalsInput(systolic=120), "diastolic", "both"),
        (VitalsInput(pulse="fast"), "pulse", "number"),
        (VitalsInput(pulse=float("nan")), "pulse", "finite"),
        (VitalsInput(pulse=True), "pulse", "number"),
        (VitalsInput(weight=70, weight_unit="stone"), "weight_unit", "kg or lb"),
        (VitalsInput(height=5000, height_unit="cm"), "height", "between 20.0 and 272.0"),
        (VitalsInput(), "vitals", "at least one"),
    ],
)
def test_implausible_vitals_are_field_errors(vitals: VitalsInput, field: str, words: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_vitals(vitals)
    assert words in error.value.field_errors[field]


def test_the_service_refuses_implausible_vitals_and_stores_none(
    services: Services, records: Records, nurse: AuthenticatedUser, open_visit: Visit
) -> None:
    with pytest.raises(ValidationError) as error:
        records.visits.record_vitals(nurse, open_visit.id, VitalsInput(pulse=900, spo2=97))
    assert set(error.value.field_errors) == {"pulse"}
    assert scalar(services.db, "SELECT count(*) FROM vital_signs") == 0


def test_blood_pressure_and_temperature_text_parse() -> None:
    assert parse_blood_pressure(" 120 / 80 ") == (120, 80)
    assert parse_temperature("101.3F") == ("101.3", "F")
    assert parse_temperature("38,5 °C") == ("38.5", "C")  # decimal comma
    for bad in ("120-80", "", "1200/80"):
        with pytest.raises(ValidationError):
            parse_blood_pressure(bad)
    with pytest.raises(ValidationError):
        parse_temperature("hot")
