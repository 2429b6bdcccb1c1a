"""Reading and writing `PatientRow`s inside a unit of work: find one by its exact id, turn rows
into the frozen records the services return, write validated details onto a row."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.patients.models import PatientDetail, PatientSummary, Sex
from clinic_app.patients.tables import PatientRow
from clinic_app.patients.validation import CleanPatient, fold
from clinic_app.storage.types import is_storable_text

RECORD_TYPE = "patient"


def summary_of(row: PatientRow) -> PatientSummary:
    return PatientSummary(
        id=row.id,
        given_name=row.given_name,
        family_name=row.family_name,
        sex=Sex(row.sex),
        birth_date=row.birth_date,
        phone=row.phone,
        mrn=row.mrn,
        national_id=row.national_id,
        primary_doctor_id=row.primary_doctor_id,
        version=row.version,
        deleted=row.deleted_at is not None,
    )


def detail_of(row: PatientRow, clinical_visible: bool) -> PatientDetail:
    return PatientDetail(
        summary=summary_of(row),
        other_names=row.other_names,
        email=row.email,
        address=row.address,
        created_at=row.created_at,
        updated_at=row.updated_at,
        allergies=row.allergies if clinical_visible else None,
        history_notes=row.history_notes if clinical_visible else None,
        clinical_visible=clinical_visible,
    )


def patient_row(session: Session, patient_id: str) -> PatientRow:
    if not isinstance(patient_id, str):
        raise ValidationError("A patient id is text.", {"patient_id": "Must be text."})
    # Exact ids only: a longer string must not find the patient its first 36 characters name.
    row = session.get(PatientRow, patient_id) if is_storable_text(patient_id) else None
    if row is None:
        raise NotFoundError("No patient with that id.")
    return row


def summaries_in_order(session: Session, ids: list[str]) -> list[PatientSummary]:
    """The patients of `ids`, in that order (ids no longer found are left out)."""
    if not ids:
        return []
    rows = {
        row.id: row for row in session.scalars(select(PatientRow).where(PatientRow.id.in_(ids)))
    }
    return [summary_of(rows[i]) for i in ids if i in rows]


def apply_details(row: PatientRow, clean: CleanPatient) -> None:
    row.given_name = clean.given_name
    row.family_name = clean.family_name
    row.given_fold = fold(clean.given_name)
    row.family_fold = fold(clean.family_name)
    row.other_names = clean.other_names
    row.sex = clean.sex.value
    row.birth_date = clean.birth_date
    row.phone = clean.phone
    row.phone_digits = clean.phone_digits
    row.phone_search = clean.phone_search
    row.email = clean.email
    row.address = clean.address
    row.mrn = clean.mrn
    row.national_id = clean.national_id
    row.primary_doctor_id = clean.primary_doctor_id
    # None means "leave as it is": a role that can't see clinical fields never sends them.
    if clean.allergies is not None:
        row.allergies = clean.allergies
    if clean.history_notes is not None:
        row.history_notes = clean.history_notes
