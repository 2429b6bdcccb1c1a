"""Clinical data for the GUI tests, made through the real services (never by writing rows)."""

from __future__ import annotations

from datetime import timedelta

from clinic_app.bootstrap import Services
from clinic_app.patients.models import PatientDetail, PatientInput
from clinic_app.records.models import (
    ClinicalRecord,
    CodedEntryInput,
    RecordInput,
    Visit,
    VisitInput,
    VitalsInput,
)
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.types import utcnow

from tests.ui.records.clinical_store import EXCERPT_VERSION

DIABETES = CodedEntryInput(
    "E11.9", "Type 2 diabetes mellitus without complications", EXCERPT_VERSION
)
HYPERTENSION = CodedEntryInput(
    "I10", "Essential (primary) hypertension", EXCERPT_VERSION, primary=True
)


def make_patient(
    services: Services,
    doctor: AuthenticatedUser,
    *,
    given: str = "Amara",
    family: str = "Okafor",
    allergies: str = "Penicillin (rash)",
) -> PatientDetail:
    data = PatientInput(
        given_name=given,
        family_name=family,
        sex="female",
        birth_date="1968-03-12",
        mrn="MRN-10021",
        primary_doctor_id=doctor.id,
        allergies=allergies,
    )
    return services.patients.create(doctor, data).patient


def make_history(
    services: Services, doctor: AuthenticatedUser, patient_id: str, visits: int = 4
) -> list[Visit]:
    """`visits` signed visits a month apart, each with vitals; codes on the later ones; a lab
    result between them."""
    made = []
    start = utcnow() - timedelta(days=30 * visits)
    for index in range(visits):
        when = start + timedelta(days=30 * index)
        visit = services.records.visits.open_visit(
            doctor,
            patient_id,
            started_at=when,
            data=VisitInput(
                reason=f"Follow-up {index + 1}: blood pressure and sugar",
                symptoms="Tired in the afternoons; no chest pain.",
                assessment="Hypertension, type 2 diabetes.",
                plan="Continue metformin; recheck in a month.",
                diagnoses=(HYPERTENSION, DIABETES) if index >= 1 else (HYPERTENSION,),
            ),
        )
        services.records.visits.record_vitals(
            doctor,
            visit.id,
            VitalsInput(
                systolic=150 - 4 * index,
                diastolic=95 - 2 * index,
                pulse=80 - index,
                temperature=36.6 + index / 10,
                spo2=97,
                weight=84 - index,
                height=168,
                measured_at=when + timedelta(minutes=5),
            ),
        )
        current = services.records.visits.get_visit(doctor, visit.id)
        made.append(services.records.visits.sign_visit(doctor, visit.id, current.version))
    return made


def make_lab_result(
    services: Services, doctor: AuthenticatedUser, patient_id: str
) -> ClinicalRecord:
    return services.records.clinical_records.create_record(
        doctor,
        patient_id,
        RecordInput(
            record_type="lab_result",
            title="HbA1c 7.4 %",
            body="HbA1c 7.4 % (57 mmol/mol). Fasting glucose 8.1 mmol/L.",
            recorded_at=utcnow() - timedelta(days=20),
        ),
    )
