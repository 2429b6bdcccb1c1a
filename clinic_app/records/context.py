"""What every records service shares: the database, the audit log, the permission check, the
clock, and the lookups that turn an id into a live row (or a clear "not found")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.errors import NotFoundError, PermissionDeniedError, ValidationError
from clinic_app.patients.tables import PatientRow
from clinic_app.records.models import TargetType
from clinic_app.records.tables import (
    AddendumRow,
    AnnotationRow,
    AttachmentRow,
    ClinicalRecordRow,
    VisitRow,
)
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action, Role
from clinic_app.security.tables import UserRow
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog, Outcome
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow

MAX_PAGE = 500


@dataclass(frozen=True)
class RecordsContext:
    db: Database
    audit: AuditLog
    authz: Authorizer
    clock: Callable[[], datetime] = utcnow

    def require(
        self,
        user: AuthenticatedUser,
        action: Action,
        record_type: str,
        record_id: str | None = None,
    ) -> None:
        self.authz.require(user, action, record_type=record_type, record_id=record_id)

    def deny(
        self,
        user: AuthenticatedUser,
        action: str,
        record_type: str,
        record_id: str | None,
        message: str,
    ) -> PermissionDeniedError:
        """Records a refusal the permission table can't express (e.g. "not your review") in
        its own transaction, like the Authorizer does, and returns the error to raise. Call it
        outside any open write unit of work (it takes the write lock)."""
        with self.db.unit_of_work() as uow:
            self.audit.append(
                uow.session,
                user.actor,
                action,
                record_type=record_type,
                record_id=record_id,
                outcome=Outcome.DENIED,
            )
            uow.commit()
        return PermissionDeniedError(message)

    def log(
        self,
        session: Session,
        user: AuthenticatedUser,
        action: str,
        record_type: str,
        record_id: str | None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """An audit event in the caller's transaction: ids and counts, never clinical text."""
        self.audit.append(
            session,
            user.actor,
            action,
            record_type=record_type,
            record_id=record_id,
            details=details,
        )


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"The limit must be between 1 and {MAX_PAGE}.")
    if offset < 0:
        raise ValidationError("The offset must not be negative.")


def live_patient(session: Session, patient_id: str) -> PatientRow:
    row = session.get(PatientRow, patient_id[:36]) if patient_id else None
    if row is None:
        raise NotFoundError("No patient with that id.")
    if row.deleted_at is not None:
        raise ValidationError("This patient is deleted; restore the record first.")
    return row


def any_patient(session: Session, patient_id: str) -> PatientRow:
    row = session.get(PatientRow, patient_id[:36]) if patient_id else None
    if row is None:
        raise NotFoundError("No patient with that id.")
    return row


def visit_row(session: Session, visit_id: str) -> VisitRow:
    row = session.get(VisitRow, visit_id[:36]) if visit_id else None
    if row is None or row.deleted_at is not None:
        raise NotFoundError("No visit with that id.")
    return row


def record_row(session: Session, record_id: str) -> ClinicalRecordRow:
    row = session.get(ClinicalRecordRow, record_id[:36]) if record_id else None
    if row is None or row.deleted_at is not None:
        raise NotFoundError("No record with that id.")
    return row


def attachment_row(session: Session, attachment_id: str) -> AttachmentRow:
    row = session.get(AttachmentRow, attachment_id[:36]) if attachment_id else None
    if row is None or row.deleted_at is not None:
        raise NotFoundError("No attachment with that id.")
    return row


def target_patient_id(session: Session, target_type: TargetType, target_id: str) -> str:
    """The patient a visit, record or attachment belongs to (checks that it exists)."""
    if target_type is TargetType.VISIT:
        return visit_row(session, target_id).patient_id
    if target_type is TargetType.RECORD:
        return record_row(session, target_id).patient_id
    return attachment_row(session, target_id).patient_id


def parse_target(value: str | TargetType, allowed: tuple[TargetType, ...]) -> TargetType:
    try:
        target = TargetType(value)
    except ValueError:
        target = None
    if target is None or target not in allowed:
        names = ", ".join(t.value for t in allowed)
        raise ValidationError(
            "Please correct: target_type.", {"target_type": f"Use one of: {names}."}
        )
    return target


def active_doctor(session: Session, user_id: str, field: str) -> UserRow:
    row = session.get(UserRow, user_id[:36]) if user_id else None
    if row is None or row.role != Role.DOCTOR.value or not row.active:
        raise ValidationError(f"Please correct: {field}.", {field: "Choose an active doctor."})
    return row


def addenda_rows(session: Session, target_ids: list[str]) -> list[AddendumRow]:
    if not target_ids:
        return []
    return list(
        session.scalars(
            select(AddendumRow)
            .where(AddendumRow.target_id.in_(target_ids), AddendumRow.deleted_at.is_(None))
            .order_by(AddendumRow.created_at, AddendumRow.id)
        )
    )


def attachment_rows(session: Session, owner_ids: list[str]) -> list[AttachmentRow]:
    if not owner_ids:
        return []
    return list(
        session.scalars(
            select(AttachmentRow)
            .where(AttachmentRow.owner_id.in_(owner_ids), AttachmentRow.deleted_at.is_(None))
            .order_by(AttachmentRow.created_at, AttachmentRow.id)
        )
    )


def annotation_rows(session: Session, target_ids: list[str]) -> list[AnnotationRow]:
    if not target_ids:
        return []
    return list(
        session.scalars(
            select(AnnotationRow)
            .where(AnnotationRow.target_id.in_(target_ids), AnnotationRow.deleted_at.is_(None))
            .order_by(AnnotationRow.annotated_at, AnnotationRow.id)
        )
    )
