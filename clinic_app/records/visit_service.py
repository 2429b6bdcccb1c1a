"""Visits (encounters): open, document, record vitals, sign, read, list.

Every call checks the permission table and writes its audit event in the same transaction as
its effect. A signed visit is immutable: this service refuses edits, and triggers in the
database refuse them too (migration 0004); corrections are addenda (addendum_service).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.errors import ConflictError, ValidationError
from clinic_app.records.coding import CleanCodedEntry, validate_entries
from clinic_app.records.context import (
    RecordsContext,
    any_patient,
    check_page,
    live_patient,
    visit_row,
)
from clinic_app.records.models import (
    CodeKind,
    Visit,
    VisitInput,
    VisitStatus,
    VisitSummary,
    Vitals,
    VitalsInput,
)
from clinic_app.records.signing import VISIT_TEXT_FIELDS, visit_content_hash
from clinic_app.records.snapshots import visit_summary_of, vitals_of
from clinic_app.records.tables import CodedEntryRow, VisitRow, VitalSignsRow
from clinic_app.records.text_fields import clean_multiline, raise_if_errors
from clinic_app.records.visit_assembly import hidden_visit, live_codes, live_vitals, load_visit
from clinic_app.records.vitals import validate_vitals
from clinic_app.security.permissions import Action, Role
from clinic_app.security.tables import UserRow
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.database import UnitOfWork
from clinic_app.storage.types import new_id

log = logging.getLogger(__name__)

RECORD_TYPE = "visit"
ASSESS_FIELDS = ("assessment", "plan")
INTAKE_FIELDS = tuple(f for f in VISIT_TEXT_FIELDS if f not in ASSESS_FIELDS)
MAX_FUTURE = timedelta(days=1)


def _changed_text(data: VisitInput) -> dict[str, str]:
    given = {name: getattr(data, name) for name in VISIT_TEXT_FIELDS}
    return {name: value for name, value in given.items() if value is not None}


class VisitService:
    def __init__(self, ctx: RecordsContext) -> None:
        self._ctx = ctx

    # --- writes -------------------------------------------------------------------------

    def open_visit(
        self,
        user: AuthenticatedUser,
        patient_id: str,
        *,
        appointment_id: str | None = None,
        clinician_id: str | None = None,
        started_at: datetime | None = None,
        data: VisitInput | None = None,
    ) -> Visit:
        """Opens an encounter. Scheduling's check-in calls this with the appointment id (and
        its doctor as clinician); a second call for the same appointment returns the visit
        already opened. Clinical text needs the clinical permissions."""
        self._ctx.require(user, Action.VISIT_OPEN, RECORD_TYPE)
        data = data or VisitInput()
        self._require_for_input(user, data, None)
        when = self._check_time(started_at)
        with self._ctx.db.unit_of_work() as uow:
            session = uow.session
            live_patient(session, patient_id)
            if appointment_id:
                existing = session.scalar(
                    select(VisitRow).where(
                        VisitRow.appointment_id == appointment_id[:36],
                        VisitRow.deleted_at.is_(None),
                    )
                )
                if existing is not None:
                    if existing.patient_id != patient_id:
                        raise ValidationError(
                            "That appointment already has a visit for another patient."
                        )
                    self._ctx.log(
                        session,
                        user,
                        "visit.open",
                        RECORD_TYPE,
                        existing.id,
                        {
                            "patient_id": patient_id,
                            "appointment_id": appointment_id,
                            "existing": True,
                        },
                    )
                    uow.commit()
                    return self._result(user, session, existing)
            clinician = self._clinician(session, user, clinician_id)
            row = VisitRow(
                id=new_id(),
                patient_id=patient_id,
                started_at=when,
                clinician_id=clinician,
                appointment_id=appointment_id[:36] if appointment_id else None,
                status=VisitStatus.OPEN.value,
            )
            session.add(row)
            self._apply(uow, row, data)  # one flush: created at version 1 with its content
            self._ctx.log(
                session,
                user,
                "visit.open",
                RECORD_TYPE,
                row.id,
                {"patient_id": patient_id, "appointment_id": appointment_id},
            )
            uow.commit()
            log.info("visit opened: id=%s", row.id)
            return self._result(user, session, row)

    def update_visit(
        self, user: AuthenticatedUser, visit_id: str, data: VisitInput, expected_version: int
    ) -> Visit:
        self._ctx.require(user, Action.VISIT_WRITE, RECORD_TYPE, visit_id)
        self._require_for_input(user, data, visit_id)
        with self._ctx.db.unit_of_work() as uow:
            row = self._open_row(uow, visit_id)
            if row.version != expected_version:
                raise ConflictError(
                    "This visit was changed by someone else after you opened it. "
                    "Reload it and apply your changes again."
                )
            changed = self._apply(uow, row, data)
            self._ctx.log(
                uow.session,
                user,
                "visit.update",
                RECORD_TYPE,
                row.id,
                {"fields": len(changed), "version": row.version},
            )
            uow.commit()
            return load_visit(uow.session, row)

    def record_vitals(self, user: AuthenticatedUser, visit_id: str, data: VitalsInput) -> Vitals:
        self._ctx.require(user, Action.VITALS_WRITE, RECORD_TYPE, visit_id)
        clean = validate_vitals(data)
        with self._ctx.db.unit_of_work() as uow:
            row = self._open_row(uow, visit_id)
            vitals = VitalSignsRow(
                visit_id=row.id,
                patient_id=row.patient_id,
                measured_at=clean.measured_at or self._ctx.clock(),
                recorded_by_id=user.id,
                temperature_c=clean.temperature_c,
                pulse_bpm=clean.pulse_bpm,
                systolic_mmhg=clean.systolic_mmhg,
                diastolic_mmhg=clean.diastolic_mmhg,
                respiratory_rate=clean.respiratory_rate,
                spo2_percent=clean.spo2_percent,
                weight_kg=clean.weight_kg,
                height_cm=clean.height_cm,
                bmi=clean.bmi,
            )
            uow.session.add(vitals)
            uow.flush()
            self._ctx.log(
                uow.session,
                user,
                "vitals.record",
                "vital_signs",
                vitals.id,
                {"visit_id": row.id},
            )
            uow.commit()
            return vitals_of(vitals)

    def sign_visit(self, user: AuthenticatedUser, visit_id: str, expected_version: int) -> Visit:
        """Only a doctor signs. The content hash covers text, vitals and codes as signed."""
        self._ctx.require(user, Action.VISIT_SIGN, RECORD_TYPE, visit_id)
        with self._ctx.db.unit_of_work() as uow:
            row = self._open_row(uow, visit_id)
            if row.version != expected_version:
                raise ConflictError(
                    "This visit was changed after you opened it. Review it again before signing."
                )
            row.content_sha256 = visit_content_hash(
                row, live_vitals(uow.session, row.id), live_codes(uow.session, row.id)
            )
            row.status = VisitStatus.SIGNED.value
            row.signed_at = self._ctx.clock()
            row.signed_by_id = user.id
            uow.flush()
            self._ctx.log(uow.session, user, "visit.sign", RECORD_TYPE, row.id)
            uow.commit()
            return load_visit(uow.session, row)

    # --- reads --------------------------------------------------------------------------

    def get_visit(self, user: AuthenticatedUser, visit_id: str) -> Visit:
        """The visit with its vitals, codes, addenda (to show in place), attachments and
        annotations."""
        self._ctx.require(user, Action.VISIT_READ, RECORD_TYPE, visit_id)
        with self._ctx.db.unit_of_work() as uow:
            row = visit_row(uow.session, visit_id)
            visit = load_visit(uow.session, row)
            self._ctx.log(uow.session, user, "visit.read", RECORD_TYPE, row.id)
            uow.commit()
            return visit

    def list_visits(
        self, user: AuthenticatedUser, patient_id: str, *, limit: int = 100, offset: int = 0
    ) -> list[VisitSummary]:
        """Newest first."""
        self._ctx.require(user, Action.VISIT_READ, RECORD_TYPE)
        check_page(limit, offset)
        with self._ctx.db.unit_of_work() as uow:
            any_patient(uow.session, patient_id)
            rows = uow.session.scalars(
                select(VisitRow)
                .where(VisitRow.patient_id == patient_id, VisitRow.deleted_at.is_(None))
                .order_by(VisitRow.started_at.desc(), VisitRow.id)
                .limit(limit)
                .offset(offset)
            ).all()
            self._ctx.log(
                uow.session,
                user,
                "visit.list",
                RECORD_TYPE,
                None,
                {"patient_id": patient_id, "results": len(rows)},
            )
            uow.commit()
            return [visit_summary_of(row, clinical_visible=True) for row in rows]

    # --- helpers ------------------------------------------------------------------------

    def _require_for_input(
        self, user: AuthenticatedUser, data: VisitInput, visit_id: str | None
    ) -> None:
        if any(getattr(data, name) is not None for name in INTAKE_FIELDS):
            self._ctx.require(user, Action.VISIT_WRITE, RECORD_TYPE, visit_id)
        if (
            any(getattr(data, name) is not None for name in ASSESS_FIELDS)
            or data.diagnoses is not None
            or data.procedures is not None
        ):
            self._ctx.require(user, Action.VISIT_ASSESS, RECORD_TYPE, visit_id)

    def _check_time(self, started_at: datetime | None) -> datetime:
        now = self._ctx.clock()
        if started_at is None:
            return now
        if started_at.tzinfo is None:
            raise ValidationError(
                "Please correct: started_at.", {"started_at": "The time must carry a time zone."}
            )
        if started_at > now + MAX_FUTURE:
            raise ValidationError(
                "Please correct: started_at.", {"started_at": "Can't be in the future."}
            )
        return started_at

    @staticmethod
    def _clinician(session: Session, user: AuthenticatedUser, clinician_id: str | None) -> str:
        if not clinician_id:
            if user.role in (Role.DOCTOR, Role.NURSE):
                return user.id
            raise ValidationError(
                "Please correct: clinician_id.", {"clinician_id": "Choose the clinician."}
            )
        row = session.get(UserRow, clinician_id[:36])
        if row is None or not row.active or row.role not in (Role.DOCTOR, Role.NURSE):
            raise ValidationError(
                "Please correct: clinician_id.",
                {"clinician_id": "Choose an active doctor or nurse."},
            )
        return row.id

    def _open_row(self, uow: UnitOfWork, visit_id: str) -> VisitRow:
        row = visit_row(uow.session, visit_id)
        if row.status != VisitStatus.OPEN.value:
            raise ValidationError(
                "This visit is signed and can't be changed; add an addendum to correct it."
            )
        return row

    def _result(self, user: AuthenticatedUser, session: Session, row: VisitRow) -> Visit:
        if user.can(Action.VISIT_READ):
            return load_visit(session, row)
        return hidden_visit(row)

    def _apply(self, uow: UnitOfWork, row: VisitRow, data: VisitInput) -> list[str]:
        errors: dict[str, str] = {}
        text = {
            name: clean_multiline(value, name, errors)
            for name, value in _changed_text(data).items()
        }
        entries: dict[CodeKind, list[CleanCodedEntry]] = {}
        for kind, given, field in (
            (CodeKind.DIAGNOSIS, data.diagnoses, "diagnoses"),
            (CodeKind.PROCEDURE, data.procedures, "procedures"),
        ):
            if given is not None:
                try:
                    entries[kind] = validate_entries(kind, tuple(given), field)
                except ValidationError as exc:
                    errors.update(exc.field_errors)
        raise_if_errors(errors)
        changed = [name for name, value in text.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, text[name])
        for kind, clean in entries.items():
            if self._replace_codes(uow, row, kind, clean):
                changed.append(kind.value)
        uow.flush()
        return changed

    def _replace_codes(
        self, uow: UnitOfWork, visit: VisitRow, kind: CodeKind, clean: list[CleanCodedEntry]
    ) -> bool:
        existing = {
            (c.system, c.code): c for c in live_codes(uow.session, visit.id) if c.kind == kind
        }
        changed = False
        wanted = {(e.system.value, e.code) for e in clean}
        for key, old in existing.items():
            if key not in wanted:
                old.deleted_at = self._ctx.clock()
                changed = True
        for position, entry in enumerate(clean):
            row = existing.get((entry.system.value, entry.code))
            if row is None:
                row = CodedEntryRow(
                    visit_id=visit.id,
                    patient_id=visit.patient_id,
                    kind=kind.value,
                    system=entry.system.value,
                    code=entry.code,
                )
                uow.session.add(row)
                changed = True
            values = {
                "code_set_version": entry.code_set_version,
                "description": entry.description,
                "clinical_status": entry.status.value,
                "is_primary": entry.primary,
                "position": position,
            }
            for name, value in values.items():
                if getattr(row, name, None) != value:
                    setattr(row, name, value)
                    changed = True
        return changed
