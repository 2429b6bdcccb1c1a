"""Reads a visit with everything shown on it: vitals, coded entries, addenda in place,
attachments and annotations (on the visit and on its attachments)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.records.context import addenda_rows, annotation_rows, attachment_rows
from clinic_app.records.models import CodeKind, Visit
from clinic_app.records.snapshots import (
    addendum_of,
    annotation_of,
    attachment_of,
    coded_of,
    visit_summary_of,
    vitals_of,
)
from clinic_app.records.tables import CodedEntryRow, VisitRow, VitalSignsRow


def live_vitals(session: Session, visit_id: str) -> list[VitalSignsRow]:
    return list(
        session.scalars(
            select(VitalSignsRow)
            .where(VitalSignsRow.visit_id == visit_id, VitalSignsRow.deleted_at.is_(None))
            .order_by(VitalSignsRow.measured_at, VitalSignsRow.id)
        )
    )


def live_codes(session: Session, visit_id: str) -> list[CodedEntryRow]:
    return list(
        session.scalars(
            select(CodedEntryRow)
            .where(CodedEntryRow.visit_id == visit_id, CodedEntryRow.deleted_at.is_(None))
            .order_by(CodedEntryRow.kind, CodedEntryRow.position, CodedEntryRow.id)
        )
    )


def hidden_visit(row: VisitRow) -> Visit:
    """What a role without clinical access gets back (e.g. the desk at check-in)."""
    return Visit(
        summary=visit_summary_of(row, clinical_visible=False),
        clinical_visible=False,
        symptoms=None,
        history_medical=None,
        history_medication=None,
        history_allergy=None,
        examination=None,
        assessment=None,
        plan=None,
        signed_at=row.signed_at,
        signed_by_id=row.signed_by_id,
        content_sha256=None,
        vitals=(),
        diagnoses=(),
        procedures=(),
        addenda=(),
        attachments=(),
        annotations=(),
    )


def load_visit(session: Session, row: VisitRow) -> Visit:
    codes = [coded_of(c) for c in live_codes(session, row.id)]
    attachments = attachment_rows(session, [row.id])
    annotation_targets = [row.id] + [a.id for a in attachments]
    return Visit(
        summary=visit_summary_of(row, clinical_visible=True),
        clinical_visible=True,
        symptoms=row.symptoms,
        history_medical=row.history_medical,
        history_medication=row.history_medication,
        history_allergy=row.history_allergy,
        examination=row.examination,
        assessment=row.assessment,
        plan=row.plan,
        signed_at=row.signed_at,
        signed_by_id=row.signed_by_id,
        content_sha256=row.content_sha256,
        vitals=tuple(vitals_of(v) for v in live_vitals(session, row.id)),
        diagnoses=tuple(c for c in codes if c.kind is CodeKind.DIAGNOSIS),
        procedures=tuple(c for c in codes if c.kind is CodeKind.PROCEDURE),
        addenda=tuple(addendum_of(a) for a in addenda_rows(session, [row.id])),
        attachments=tuple(attachment_of(a) for a in attachments),
        annotations=tuple(annotation_of(a) for a in annotation_rows(session, annotation_targets)),
    )
