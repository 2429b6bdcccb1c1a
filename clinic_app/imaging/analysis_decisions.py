"""The clinicians' side of an AI result: a doctor's accept/reject (every decision kept, the
latest counts), a request for a doctor's review (an ASSIGNED notice in their inbox), and the
labelled text an accepted result contributes to a visit's assessment.

Functions over an open unit of work: `AnalysisService` checks the role, opens the transaction
and commits; these write the rows, the notice and the audit event inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.imaging.summaries import AnalysisResult
from clinic_app.imaging.tables import AnalysisReviewRow, AnalysisRow
from clinic_app.notifications.models import NotificationKind
from clinic_app.notifications.service import post_notification
from clinic_app.security.permissions import Role
from clinic_app.security.tables import UserRow
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog

RECORD_TYPE = "imaging_analysis"
MAX_COMMENT = 2000


@dataclass(frozen=True)
class AssessmentEntry:
    """An accepted result's text for a visit's assessment, and whose result it is."""

    analysis_id: str
    patient_id: str
    text: str


def comment_text(text: str) -> str:
    """One line, at most MAX_COMMENT characters (a comment is shown in a table cell)."""
    return " ".join(str(text or "").split())[:MAX_COMMENT]


def analysis_row(session: Session, analysis_id: str) -> AnalysisRow:
    row = session.get(AnalysisRow, analysis_id[:36]) if analysis_id else None
    if row is None or row.deleted_at is not None:
        raise NotFoundError("No such analysis result.")
    return row


def record_decision(
    session: Session,
    audit: AuditLog,
    user: AuthenticatedUser,
    row: AnalysisRow,
    *,
    accept: bool,
    comment: str,
) -> None:
    kind = "accepted" if accept else "rejected"
    session.add(
        AnalysisReviewRow(
            analysis_id=row.id, kind=kind, comment=comment_text(comment), actor_id=user.id
        )
    )
    session.flush()
    audit.append(session, user.actor, f"ai.{kind}", record_type=RECORD_TYPE, record_id=row.id)


def record_review_request(
    session: Session,
    audit: AuditLog,
    user: AuthenticatedUser,
    row: AnalysisRow,
    doctor_id: str,
    note: str,
) -> None:
    doctor = session.get(UserRow, doctor_id[:36]) if doctor_id else None
    if doctor is None or doctor.role != Role.DOCTOR.value or not doctor.active:
        raise ValidationError("Reviews go to an active doctor account.")
    session.add(
        AnalysisReviewRow(
            analysis_id=row.id,
            kind="review_requested",
            comment=comment_text(note),
            actor_id=user.id,
            assigned_to=doctor.id,
        )
    )
    post_notification(
        session,
        recipient_id=doctor.id,
        kind=NotificationKind.ASSIGNED,
        title="Review an AI result",
        body=(
            f"{row.model_name} {row.model_version} ({row.model_status}) analysed an "
            "image; accept or reject the result. " + comment_text(note)
        ),
        record_type=RECORD_TYPE,
        record_id=row.id,
        patient_id=row.patient_id,
    )
    audit.append(
        session,
        user.actor,
        "ai.request_review",
        record_type=RECORD_TYPE,
        record_id=row.id,
        details={"assigned_to": doctor.id},
    )


def accepting_clinician(session: Session, result: AnalysisResult) -> str:
    """The display name of the doctor whose acceptance counts now (the latest decision).
    Raises ValidationError unless the result is accepted."""
    if not result.can_copy_to_assessment:
        raise ValidationError(
            "Only a result a doctor has accepted can be copied into a visit's assessment "
            f"(this one is {result.status})."
        )
    decision = [e for e in result.events if e.kind == "accepted"][-1]
    person = session.get(UserRow, decision.actor_id)
    # Accepted on another workstation, by a doctor who has no account here.
    return person.display_name if person is not None else "a doctor on another workstation"


def assessment_line(result: AnalysisResult, accepted_by: str) -> str:
    """What an accepted result adds to a visit's assessment: labelled as decision support,
    with the model, its version and status, the confidence, and who accepted it."""
    confidence = ""
    if result.task == "abcd" and result.measurements is not None:
        m = result.measurements
        score = m.get("tds") if m.get("tds") is not None else m.get("tds_range")
        finding = f"ABCD rule: A {m['asymmetry']}, B {m['border']}, C {m['colours']}, TDS {score}"
    else:
        name = result.label_names.get(result.top_label or "", result.top_label)
        finding = str(name)
        if result.top_probability is not None:
            confidence = f", confidence {result.top_probability * 100:.0f}%"
    model = result.model
    return (
        f"AI decision support: {model.name} {model.version} ({model.status}){confidence}, "
        f"accepted by {accepted_by}: {finding}. Not a diagnosis."
    )
