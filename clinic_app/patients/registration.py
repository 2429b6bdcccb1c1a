"""Registering a patient and editing their details, with the possible-duplicate check both
use. Every call is checked against the permission table and audited in the same transaction as
its effect."""

from __future__ import annotations

import logging

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from clinic_app.errors import ConflictError, ValidationError
from clinic_app.patients.models import CreatedPatient, PatientDetail, PatientInput, PatientSummary
from clinic_app.patients.patient_rows import (
    RECORD_TYPE,
    apply_details,
    detail_of,
    patient_row,
    summary_of,
)
from clinic_app.patients.service_base import PatientServiceBase, is_whole_number
from clinic_app.patients.tables import PatientRow
from clinic_app.patients.validation import CleanPatient, fold, validate_patient
from clinic_app.security.permissions import Action, Role
from clinic_app.security.tables import UserRow
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.types import is_storable_text

log = logging.getLogger(__name__)

MAX_DUPLICATES = 20


class PatientRegistration(PatientServiceBase):
    def create(self, user: AuthenticatedUser, data: PatientInput) -> CreatedPatient:
        self._authz.require(user, Action.PATIENT_CREATE, record_type=RECORD_TYPE)
        _require_input(data)
        self._require_clinical_write_if_given(user, data)
        clean = validate_patient(data, self._today())
        with self._db.unit_of_work() as uow:
            check_doctor(uow.session, clean.primary_doctor_id)
            duplicates = _duplicates(uow.session, clean, exclude_id=None)
            row = PatientRow()
            apply_details(row, clean)
            uow.session.add(row)
            uow.flush()
            self._audit.append(
                uow.session,
                user.actor,
                "patient.create",
                record_type=RECORD_TYPE,
                record_id=row.id,
                details={"possible_duplicates": len(duplicates)},
            )
            uow.commit()
            log.info("patient created: id=%s duplicates=%d", row.id, len(duplicates))
            return CreatedPatient(
                detail_of(row, user.can(Action.PATIENT_READ_CLINICAL)), duplicates
            )

    def update(
        self, user: AuthenticatedUser, patient_id: str, data: PatientInput, expected_version: int
    ) -> PatientDetail:
        self._authz.require(
            user, Action.PATIENT_UPDATE, record_type=RECORD_TYPE, record_id=patient_id
        )
        _require_input(data)
        self._require_clinical_write_if_given(user, data, patient_id)
        if not is_whole_number(expected_version):
            raise ValidationError(
                "The version of the record being edited is missing.",
                {"expected_version": "A whole number."},
            )
        clean = validate_patient(data, self._today())
        with self._db.unit_of_work() as uow:
            row = patient_row(uow.session, patient_id)
            if row.deleted_at is not None:
                raise ValidationError("This patient is deleted; restore the record to edit it.")
            if row.version != expected_version:
                raise ConflictError(
                    "This patient was changed by someone else after you opened it. "
                    "Reload it and apply your changes again."
                )
            check_doctor(uow.session, clean.primary_doctor_id)
            apply_details(row, clean)
            uow.flush()
            self._audit.append(
                uow.session,
                user.actor,
                "patient.update",
                record_type=RECORD_TYPE,
                record_id=row.id,
                details={"version": row.version},
            )
            uow.commit()
            return detail_of(row, user.can(Action.PATIENT_READ_CLINICAL))

    def possible_duplicates(
        self, user: AuthenticatedUser, data: PatientInput, exclude_id: str | None = None
    ) -> list[PatientSummary]:
        """For the form's warning before saving; same rule as the flag set on create."""
        self._authz.require(user, Action.PATIENT_READ, record_type=RECORD_TYPE)
        _require_input(data)
        if exclude_id is not None and not is_storable_text(exclude_id):
            raise ValidationError("A patient id is text.", {"exclude_id": "Must be text."})
        clean = validate_patient(data, self._today())
        with self._db.unit_of_work(durable=False) as uow:
            found = _duplicates(uow.session, clean, exclude_id)
            # It shows other patients' names and birth dates: a read like any other.
            self._audit.append(
                uow.session,
                user.actor,
                "patient.duplicate_check",
                record_type=RECORD_TYPE,
                details={"results": len(found)},
            )
            uow.commit()
            return found

    def _require_clinical_write_if_given(
        self, user: AuthenticatedUser, data: PatientInput, patient_id: str | None = None
    ) -> None:
        if data.allergies is not None or data.history_notes is not None:
            self._authz.require(
                user,
                Action.PATIENT_UPDATE_CLINICAL,
                record_type=RECORD_TYPE,
                record_id=patient_id,
            )


def _require_input(data: object) -> None:
    if not isinstance(data, PatientInput):
        raise ValidationError("Patient details are missing.")


def check_doctor(session: Session, doctor_id: str | None) -> None:
    if doctor_id is None:
        return
    doctor = session.get(UserRow, doctor_id)
    if doctor is None or doctor.role != Role.DOCTOR.value or not doctor.active:
        raise ValidationError(
            "The primary doctor must be an active doctor account.",
            {"primary_doctor_id": "Choose an active doctor."},
        )


def _duplicates(
    session: Session, clean: CleanPatient, exclude_id: str | None
) -> list[PatientSummary]:
    """Live patients with the same name and birth date, or the same record number or
    national id."""
    same_person = (
        (PatientRow.family_fold == fold(clean.family_name))
        & (PatientRow.given_fold == fold(clean.given_name))
        & (PatientRow.birth_date == clean.birth_date)
    )
    conditions = [same_person]
    if clean.mrn:
        conditions.append(PatientRow.mrn == clean.mrn)
    if clean.national_id:
        conditions.append(PatientRow.national_id == clean.national_id)
    statement = select(PatientRow).where(or_(*conditions), PatientRow.deleted_at.is_(None))
    if exclude_id:
        statement = statement.where(PatientRow.id != exclude_id)
    return [summary_of(row) for row in session.scalars(statement.limit(MAX_DUPLICATES))]
