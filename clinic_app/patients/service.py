"""Patient use cases: create, read, edit, soft-delete, restore, search. Every call is checked
against the permission table and audited in the same transaction as its effect."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from clinic_app.errors import ConflictError, NotFoundError, ValidationError
from clinic_app.patients.models import (
    CreatedPatient,
    PatientDetail,
    PatientInput,
    PatientPage,
    PatientSummary,
    Sex,
)
from clinic_app.patients.search import parse_query, search_ids
from clinic_app.patients.tables import PatientRow
from clinic_app.patients.validation import CleanPatient, fold, validate_patient
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action, Role
from clinic_app.security.tables import UserRow
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import is_storable_text, utcnow

log = logging.getLogger(__name__)

MAX_PAGE = 500
MAX_OFFSET = 1_000_000_000
RECORD_TYPE = "patient"


class PatientSort(StrEnum):
    NAME = "name"
    BIRTH_DATE = "birth_date"
    UPDATED = "updated"


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


def _detail(row: PatientRow, clinical_visible: bool) -> PatientDetail:
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


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_page(limit: int, offset: int, include_deleted: bool) -> None:
    if not _is_int(limit) or not 1 <= limit <= MAX_PAGE:
        raise ValidationError(
            f"The limit must be a whole number between 1 and {MAX_PAGE}.",
            {"limit": f"1 to {MAX_PAGE}."},
        )
    # Bounded so it fits SQLite's integers (a larger one fails inside the query).
    if not _is_int(offset) or not 0 <= offset <= MAX_OFFSET:
        raise ValidationError(
            f"The offset must be a whole number between 0 and {MAX_OFFSET:,}.",
            {"offset": f"0 to {MAX_OFFSET:,}."},
        )
    if not isinstance(include_deleted, bool):
        raise ValidationError("Say whether deleted patients are included (true or false).")


def _require_input(data: object) -> None:
    if not isinstance(data, PatientInput):
        raise ValidationError("Patient details are missing.")


class PatientService:
    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        authorizer: Authorizer,
        today: Callable[[], date] = date.today,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._audit = audit
        self._authz = authorizer
        self._today = today
        self._clock = clock

    # --- writes -------------------------------------------------------------------------

    def create(self, user: AuthenticatedUser, data: PatientInput) -> CreatedPatient:
        self._authz.require(user, Action.PATIENT_CREATE, record_type=RECORD_TYPE)
        _require_input(data)
        self._require_clinical_write_if_given(user, data)
        clean = validate_patient(data, self._today())
        with self._db.unit_of_work() as uow:
            self._check_doctor(uow.session, clean.primary_doctor_id)
            duplicates = self._duplicates(uow.session, clean, exclude_id=None)
            row = PatientRow()
            self._apply(row, clean)
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
            return CreatedPatient(_detail(row, user.can(Action.PATIENT_READ_CLINICAL)), duplicates)

    def update(
        self, user: AuthenticatedUser, patient_id: str, data: PatientInput, expected_version: int
    ) -> PatientDetail:
        self._authz.require(
            user, Action.PATIENT_UPDATE, record_type=RECORD_TYPE, record_id=patient_id
        )
        _require_input(data)
        self._require_clinical_write_if_given(user, data, patient_id)
        if not _is_int(expected_version):
            raise ValidationError(
                "The version of the record being edited is missing.",
                {"expected_version": "A whole number."},
            )
        clean = validate_patient(data, self._today())
        with self._db.unit_of_work() as uow:
            row = self._row(uow.session, patient_id)
            if row.deleted_at is not None:
                raise ValidationError("This patient is deleted; restore the record to edit it.")
            if row.version != expected_version:
                raise ConflictError(
                    "This patient was changed by someone else after you opened it. "
                    "Reload it and apply your changes again."
                )
            self._check_doctor(uow.session, clean.primary_doctor_id)
            self._apply(row, clean)
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
            return _detail(row, user.can(Action.PATIENT_READ_CLINICAL))

    def delete(self, user: AuthenticatedUser, patient_id: str) -> PatientSummary:
        self._authz.require(
            user, Action.PATIENT_DELETE, record_type=RECORD_TYPE, record_id=patient_id
        )
        with self._db.unit_of_work() as uow:
            row = self._row(uow.session, patient_id)
            if row.deleted_at is None:
                row.deleted_at = self._clock()
                uow.flush()
                self._audit.append(
                    uow.session,
                    user.actor,
                    "patient.delete",
                    record_type=RECORD_TYPE,
                    record_id=row.id,
                )
            uow.commit()
            return summary_of(row)

    def restore(self, user: AuthenticatedUser, patient_id: str) -> PatientSummary:
        self._authz.require(
            user, Action.PATIENT_RESTORE, record_type=RECORD_TYPE, record_id=patient_id
        )
        with self._db.unit_of_work() as uow:
            row = self._row(uow.session, patient_id)
            if row.deleted_at is not None:
                row.deleted_at = None
                uow.flush()
                self._audit.append(
                    uow.session,
                    user.actor,
                    "patient.restore",
                    record_type=RECORD_TYPE,
                    record_id=row.id,
                )
            uow.commit()
            return summary_of(row)

    # --- reads --------------------------------------------------------------------------

    def get(self, user: AuthenticatedUser, patient_id: str) -> PatientDetail:
        self._authz.require(
            user, Action.PATIENT_READ, record_type=RECORD_TYPE, record_id=patient_id
        )
        clinical = user.can(Action.PATIENT_READ_CLINICAL)
        with self._db.unit_of_work(durable=False) as uow:
            row = self._row(uow.session, patient_id)
            self._audit.append(
                uow.session,
                user.actor,
                "patient.view",
                record_type=RECORD_TYPE,
                record_id=row.id,
                details={"clinical": clinical},
            )
            uow.commit()
            return _detail(row, clinical)

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
            found = self._duplicates(uow.session, clean, exclude_id)
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

    def search(
        self,
        user: AuthenticatedUser,
        query: str,
        *,
        limit: int = 50,
        offset: int = 0,
        include_deleted: bool = False,
    ) -> PatientPage:
        self._authz.require(user, Action.PATIENT_READ, record_type=RECORD_TYPE)
        _check_page(limit, offset, include_deleted)
        if not is_storable_text(query):
            raise ValidationError("Type the search as text.", {"query": "Must be text."})
        parsed = parse_query(query)
        with self._db.unit_of_work(durable=False) as uow:
            ids = search_ids(
                uow.session, parsed, limit=limit, offset=offset, include_deleted=include_deleted
            )
            items = self._summaries(uow.session, ids)
            # The query text may hold a name: only its size and the result count are recorded.
            self._audit.append(
                uow.session,
                user.actor,
                "patient.search",
                record_type=RECORD_TYPE,
                details={"results": len(items), "query_length": len(query)},
            )
            uow.commit()
            return PatientPage(items=items, total=None)

    def list(
        self,
        user: AuthenticatedUser,
        *,
        sort: PatientSort = PatientSort.NAME,
        descending: bool = False,
        limit: int = 100,
        offset: int = 0,
        include_deleted: bool = False,
    ) -> PatientPage:
        self._authz.require(user, Action.PATIENT_READ, record_type=RECORD_TYPE)
        _check_page(limit, offset, include_deleted)
        try:
            sort = PatientSort(sort)
        except ValueError as exc:
            choices = ", ".join(choice.value for choice in PatientSort)
            raise ValidationError(f"Sort by one of: {choices}.", {"sort": choices}) from exc
        columns = {
            PatientSort.NAME: (PatientRow.family_fold, PatientRow.given_fold),
            PatientSort.BIRTH_DATE: (PatientRow.birth_date, PatientRow.family_fold),
            PatientSort.UPDATED: (PatientRow.updated_at, PatientRow.family_fold),
        }[sort]
        order = [column.desc() if descending else column for column in columns]
        statement = select(PatientRow)
        count = select(func.count()).select_from(PatientRow)
        if not include_deleted:
            statement = statement.where(PatientRow.deleted_at.is_(None))
            count = count.where(PatientRow.deleted_at.is_(None))
        with self._db.unit_of_work(durable=False) as uow:
            rows = uow.session.scalars(
                statement.order_by(*order, PatientRow.id).limit(limit).offset(offset)
            ).all()
            total = uow.session.scalar(count) or 0
            self._audit.append(
                uow.session,
                user.actor,
                "patient.list",
                record_type=RECORD_TYPE,
                details={"results": len(rows), "offset": offset},
            )
            uow.commit()
            return PatientPage(items=[summary_of(row) for row in rows], total=total)

    # --- helpers ------------------------------------------------------------------------

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

    @staticmethod
    def _row(session: Session, patient_id: str) -> PatientRow:
        if not isinstance(patient_id, str):
            raise ValidationError("A patient id is text.", {"patient_id": "Must be text."})
        # Exact ids only: a longer string must not find the patient its first 36 characters name.
        row = session.get(PatientRow, patient_id) if is_storable_text(patient_id) else None
        if row is None:
            raise NotFoundError("No patient with that id.")
        return row

    @staticmethod
    def _summaries(session: Session, ids: list[str]) -> list[PatientSummary]:
        if not ids:
            return []
        rows = {
            row.id: row for row in session.scalars(select(PatientRow).where(PatientRow.id.in_(ids)))
        }
        return [summary_of(rows[i]) for i in ids if i in rows]

    @staticmethod
    def _check_doctor(session: Session, doctor_id: str | None) -> None:
        if doctor_id is None:
            return
        doctor = session.get(UserRow, doctor_id)
        if doctor is None or doctor.role != Role.DOCTOR.value or not doctor.active:
            raise ValidationError(
                "The primary doctor must be an active doctor account.",
                {"primary_doctor_id": "Choose an active doctor."},
            )

    @staticmethod
    def _duplicates(
        session: Session, clean: CleanPatient, exclude_id: str | None
    ) -> list[PatientSummary]:
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
        return [summary_of(row) for row in session.scalars(statement.limit(20))]

    @staticmethod
    def _apply(row: PatientRow, clean: CleanPatient) -> None:
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
        if clean.allergies is not None:
            row.allergies = clean.allergies
        if clean.history_notes is not None:
            row.history_notes = clean.history_notes
