"""Assignment and worklist: a visit or record sent to a doctor for review.

Assigning posts an ASSIGNED notice in the doctor's inbox (same transaction). The doctor's
worklist lists what waits for them, oldest first. Completing a review needs an annotation:
`complete_review` writes it (signed, like any annotation) and closes the assignment at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from clinic_app.errors import NotFoundError, PermissionDeniedError, ValidationError
from clinic_app.notifications.models import NotificationKind
from clinic_app.notifications.service import post_notification
from clinic_app.patients.tables import PatientRow
from clinic_app.records.annotation_service import target_snapshot, write_annotation
from clinic_app.records.context import (
    RecordsContext,
    active_doctor,
    check_page,
    parse_target,
)
from clinic_app.records.models import Assignment, ReviewStatus, TargetType, WorklistItem
from clinic_app.records.tables import ClinicalRecordRow, ReviewAssignmentRow, VisitRow
from clinic_app.records.text_fields import require_text
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser

RECORD_TYPE = "review_assignment"
_TARGETS = (TargetType.VISIT, TargetType.RECORD)


def assignment_of(row: ReviewAssignmentRow) -> Assignment:
    return Assignment(
        id=row.id,
        target_type=TargetType(row.target_type),
        target_id=row.target_id,
        patient_id=row.patient_id,
        assignee_id=row.assignee_id,
        assigned_by_id=row.assigned_by_id,
        status=ReviewStatus(row.status),
        created_at=row.created_at,
        due_at=row.due_at,
        completed_at=row.completed_at,
        annotation_id=row.annotation_id,
    )


class ReviewService:
    def __init__(self, ctx: RecordsContext) -> None:
        self._ctx = ctx

    def assign(
        self,
        user: AuthenticatedUser,
        target_type: str | TargetType,
        target_id: str,
        assignee_id: str,
        *,
        due_at: datetime | None = None,
    ) -> Assignment:
        """Idempotent: a review already pending for the same doctor is returned as it is."""
        target = parse_target(target_type, _TARGETS)
        self._ctx.require(user, Action.RECORD_ASSIGN, RECORD_TYPE, target_id)
        if due_at is not None and due_at.tzinfo is None:
            raise ValidationError(
                "Please correct: due_at.", {"due_at": "The time must carry a time zone."}
            )
        with self._ctx.db.unit_of_work() as uow:
            session = uow.session
            patient_id, _digest = target_snapshot(session, target, target_id)
            doctor = active_doctor(session, assignee_id, "assignee_id")
            existing = session.scalar(
                select(ReviewAssignmentRow).where(
                    ReviewAssignmentRow.target_id == target_id,
                    ReviewAssignmentRow.assignee_id == doctor.id,
                    ReviewAssignmentRow.status == ReviewStatus.PENDING.value,
                    ReviewAssignmentRow.deleted_at.is_(None),
                )
            )
            if existing is not None:
                return assignment_of(existing)
            row = ReviewAssignmentRow(
                target_type=target.value,
                target_id=target_id,
                patient_id=patient_id,
                assignee_id=doctor.id,
                assigned_by_id=user.id,
                status=ReviewStatus.PENDING.value,
                due_at=due_at,
            )
            session.add(row)
            uow.flush()
            post_notification(
                session,
                recipient_id=doctor.id,
                kind=NotificationKind.ASSIGNED,
                title=f"A {target.value} waits for your review",
                body=f"Assigned by {user.display_name}.",
                record_type=target.value,
                record_id=target_id,
                patient_id=patient_id,
            )
            self._ctx.log(
                session,
                user,
                "review.assign",
                RECORD_TYPE,
                row.id,
                {"target_type": target.value, "target_id": target_id, "assignee_id": doctor.id},
            )
            uow.commit()
            return assignment_of(row)

    def worklist(
        self,
        user: AuthenticatedUser,
        *,
        include_completed: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[WorklistItem]:
        """What waits for this user's review (their own list only), oldest first."""
        self._ctx.require(user, Action.VISIT_READ, RECORD_TYPE)
        check_page(limit, offset)
        query = select(ReviewAssignmentRow).where(
            ReviewAssignmentRow.assignee_id == user.id, ReviewAssignmentRow.deleted_at.is_(None)
        )
        if not include_completed:
            query = query.where(ReviewAssignmentRow.status == ReviewStatus.PENDING.value)
        with self._ctx.db.unit_of_work() as uow:
            session = uow.session
            rows = session.scalars(
                query.order_by(ReviewAssignmentRow.created_at, ReviewAssignmentRow.id)
                .limit(limit)
                .offset(offset)
            ).all()
            patients = {
                p.id: p
                for p in session.scalars(
                    select(PatientRow).where(PatientRow.id.in_({r.patient_id for r in rows}))
                )
            }
            visit_ids = [r.target_id for r in rows if r.target_type == TargetType.VISIT.value]
            record_ids = [r.target_id for r in rows if r.target_type == TargetType.RECORD.value]
            titles: dict[str, tuple[str, datetime]] = {}
            for visit in session.scalars(select(VisitRow).where(VisitRow.id.in_(visit_ids))):
                titles[visit.id] = (visit.reason or "Visit", visit.started_at)
            for record in session.scalars(
                select(ClinicalRecordRow).where(ClinicalRecordRow.id.in_(record_ids))
            ):
                titles[record.id] = (record.title, record.recorded_at)
            items = []
            for row in rows:
                patient = patients.get(row.patient_id)
                name = f"{patient.family_name}, {patient.given_name}" if patient else "?"
                title, when = titles.get(row.target_id, ("(removed)", row.created_at))
                items.append(WorklistItem(assignment_of(row), name, title, when))
            self._ctx.log(
                session, user, "worklist.list", RECORD_TYPE, None, {"results": len(items)}
            )
            uow.commit()
            return items

    def complete_review(
        self, user: AuthenticatedUser, assignment_id: str, annotation_text: str
    ) -> Assignment:
        """Only the assigned doctor completes; the annotation text is required."""
        self._ctx.require(user, Action.ANNOTATE, RECORD_TYPE, assignment_id)
        text = require_text(annotation_text, "annotation_text")
        with self._ctx.db.unit_of_work(write=False) as uow:
            assignee = uow.session.scalar(
                select(ReviewAssignmentRow.assignee_id).where(
                    ReviewAssignmentRow.id == assignment_id[:36]
                )
            )
        if assignee is not None and assignee != user.id:
            # Outside any write transaction: the refusal is recorded on its own.
            raise self._ctx.deny(
                user,
                "review.complete",
                RECORD_TYPE,
                assignment_id[:36],
                "Only the doctor it is assigned to can complete this review.",
            )
        with self._ctx.db.unit_of_work() as uow:
            session = uow.session
            row = session.get(ReviewAssignmentRow, assignment_id[:36]) if assignment_id else None
            if row is None or row.deleted_at is not None:
                raise NotFoundError("No review assignment with that id.")
            if row.assignee_id != user.id:  # reassigned meanwhile
                raise PermissionDeniedError(
                    "Only the doctor it is assigned to can complete this review."
                )
            if row.status != ReviewStatus.PENDING.value:
                raise ValidationError("This review is already completed.")
            annotation = write_annotation(
                self._ctx, session, user, TargetType(row.target_type), row.target_id, text
            )
            row.status = ReviewStatus.COMPLETED.value
            row.completed_at = annotation.annotated_at
            row.annotation_id = annotation.id
            uow.flush()
            self._ctx.log(
                session,
                user,
                "review.complete",
                RECORD_TYPE,
                row.id,
                {"annotation_id": annotation.id},
            )
            uow.commit()
            return assignment_of(row)
