"""Which clinic patients a DICOM patient may be: proposals with their reasons, never a
silent match. The import wizard (or the CLI) shows them; a person decides."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from clinic_app.imaging.dicom_header import DicomPatient
from clinic_app.imaging.summaries import PatientCandidate
from clinic_app.patients.models import PatientInput
from clinic_app.patients.service import summary_of
from clinic_app.patients.tables import PatientRow
from clinic_app.patients.validation import fold


def candidates(session: Session, patient: DicomPatient) -> tuple[PatientCandidate, ...]:
    conditions = []
    if patient.patient_id:
        conditions += [PatientRow.mrn == patient.patient_id]
        conditions += [PatientRow.national_id == patient.patient_id]
    if patient.family_name and patient.birth_date:
        conditions.append(
            (PatientRow.family_fold == fold(patient.family_name))
            & (PatientRow.given_fold == fold(patient.given_name))
            & (PatientRow.birth_date == patient.birth_date)
        )
    if not conditions:
        return ()
    rows = session.scalars(
        select(PatientRow).where(or_(*conditions), PatientRow.deleted_at.is_(None)).limit(20)
    )
    found = []
    for row in rows:
        reasons = []
        if patient.patient_id and row.mrn == patient.patient_id:
            reasons.append("MRN equals the DICOM patient ID")
        if patient.patient_id and row.national_id == patient.patient_id:
            reasons.append("national ID equals the DICOM patient ID")
        if row.birth_date == patient.birth_date and row.family_fold == fold(patient.family_name):
            reasons.append("same name and birth date")
        found.append(PatientCandidate(summary_of(row), tuple(reasons)))
    return tuple(found)


def new_patient_input(patient: DicomPatient) -> PatientInput:
    return PatientInput(
        given_name=patient.given_name,
        family_name=patient.family_name,
        sex=patient.sex,
        birth_date=patient.birth_date.isoformat() if patient.birth_date else "",
        mrn=patient.patient_id,
    )


def mismatches(row: PatientRow, patient: DicomPatient) -> list[str]:
    warnings = []
    if patient.birth_date and patient.birth_date != row.birth_date:
        warnings.append("The DICOM birth date differs from the chosen patient's.")
    if patient.family_name and fold(patient.family_name) != row.family_fold:
        warnings.append("The DICOM family name differs from the chosen patient's.")
    return warnings
