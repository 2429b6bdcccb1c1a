"""Doctors' annotations on visits, records and attachments: append-only and signed.

The signature (see `signing`) covers the author, the time, the target and the SHA-256 of the
target's content as the doctor saw it. When someone other than the patient's primary doctor
annotates, the primary doctor gets an ANNOTATION_ADDED notice in the same transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic_app.notifications.models import NotificationKind
from clinic_app.notifications.service import post_notification
from clinic_app.patients.tables import PatientRow
from clinic_app.records.context import (
    RecordsContext,
    annotation_rows,
    attachment_row,
    parse_target,
    record_row,
    visit_row,
)
from clinic_app.records.models import Annotation, TargetType, VisitStatus
from clinic_app.records.signing import annotation_signature, visit_content_hash
from clinic_app.records.snapshots import annotation_of
from clinic_app.records.tables import AnnotationRow
from clinic_app.records.text_fields import require_text
from clinic_app.records.visit_assembly import live_codes, live_vitals
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser

RECORD_TYPE = "annotation"
TARGETS = (TargetType.VISIT, TargetType.RECORD, TargetType.ATTACHMENT)


def target_snapshot(session: Session, target: TargetType, target_id: str) -> tuple[str, str]:
    """(patient id, SHA-256 of the target's content now)."""
    if target is TargetType.VISIT:
        visit = visit_row(session, target_id)
        if visit.status == VisitStatus.SIGNED.value and visit.content_sha256:
            return visit.patient_id, visit.content_sha256
        digest = visit_content_hash(
            visit, live_vitals(session, visit.id), live_codes(session, visit.id)
        )
        return visit.patient_id, digest
    if target is TargetType.RECORD:
        record = record_row(session, target_id)
        return record.patient_id, record.content_sha256
    attachment = attachment_row(session, target_id)
    return attachment.patient_id, attachment.sha256


def write_annotation(
    ctx: RecordsContext,
    session: Session,
    user: AuthenticatedUser,
    target: TargetType,
    target_id: str,
    text: str,
) -> AnnotationRow:
    """Adds the annotation, its notice and its audit event to the caller's transaction."""
    patient_id, target_sha = target_snapshot(session, target, target_id)
    now = ctx.clock()
    row = AnnotationRow(
        target_type=target.value,
        target_id=target_id,
        patient_id=patient_id,
        author_id=user.id,
        annotated_at=now,
        target_sha256=target_sha,
        text=text,
        signature=annotation_signature(
            author_id=user.id,
            annotated_at=now,
            target_type=target.value,
            target_id=target_id,
            target_sha256=target_sha,
            text=text,
        ),
    )
    session.add(row)
    session.flush()
    patient = session.get(PatientRow, patient_id)
    doctor_id = patient.primary_doctor_id if patient is not None else None
    if doctor_id and doctor_id != user.id:
        post_notification(
            session,
            recipient_id=doctor_id,
            kind=NotificationKind.ANNOTATION_ADDED,
            title=f"New annotation on a {target.value} of your patient",
            body=f"Added by {user.display_name}.",
            record_type=target.value,
            record_id=target_id,
            patient_id=patient_id,
        )
    ctx.log(
        session,
        user,
        "annotation.add",
        RECORD_TYPE,
        row.id,
        {"target_type": target.value, "target_id": target_id, "notified": bool(doctor_id)},
    )
    return row


class AnnotationService:
    def __init__(self, ctx: RecordsContext) -> None:
        self._ctx = ctx

    def annotate(
        self, user: AuthenticatedUser, target_type: str | TargetType, target_id: str, text: str
    ) -> Annotation:
        target = parse_target(target_type, TARGETS)
        self._ctx.require(user, Action.ANNOTATE, RECORD_TYPE, target_id)
        clean = require_text(text, "text")
        with self._ctx.db.unit_of_work() as uow:
            row = write_annotation(self._ctx, uow.session, user, target, target_id, clean)
            uow.commit()
            return annotation_of(row)

    def list_annotations(
        self, user: AuthenticatedUser, target_type: str | TargetType, target_id: str
    ) -> list[Annotation]:
        target = parse_target(target_type, TARGETS)
        self._ctx.require(user, Action.VISIT_READ, RECORD_TYPE)
        with self._ctx.db.unit_of_work() as uow:
            target_snapshot(uow.session, target, target_id)  # exists?
            rows = [
                r
                for r in annotation_rows(uow.session, [target_id])
                if r.target_type == target.value
            ]
            self._ctx.log(
                uow.session,
                user,
                "annotation.list",
                RECORD_TYPE,
                None,
                {"target_type": target.value, "target_id": target_id, "results": len(rows)},
            )
            uow.commit()
            return [annotation_of(row) for row in rows]
