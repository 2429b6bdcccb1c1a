"""Rows → the frozen values services return. Pure functions; nothing here touches a session."""

from __future__ import annotations

from clinic_app.records.models import (
    Addendum,
    Annotation,
    AttachmentInfo,
    ClinicalStatus,
    CodedEntry,
    CodeKind,
    TargetType,
    VisitStatus,
    VisitSummary,
    Vitals,
)
from clinic_app.records.signing import annotation_signature_ok
from clinic_app.records.tables import (
    AddendumRow,
    AnnotationRow,
    AttachmentRow,
    CodedEntryRow,
    VisitRow,
    VitalSignsRow,
)


def visit_summary_of(row: VisitRow, clinical_visible: bool) -> VisitSummary:
    return VisitSummary(
        id=row.id,
        patient_id=row.patient_id,
        started_at=row.started_at,
        clinician_id=row.clinician_id,
        appointment_id=row.appointment_id,
        status=VisitStatus(row.status),
        reason=row.reason if clinical_visible else None,
        version=row.version,
    )


def vitals_of(row: VitalSignsRow) -> Vitals:
    return Vitals(
        id=row.id,
        visit_id=row.visit_id,
        measured_at=row.measured_at,
        recorded_by_id=row.recorded_by_id,
        temperature_c=row.temperature_c,
        pulse_bpm=row.pulse_bpm,
        systolic_mmhg=row.systolic_mmhg,
        diastolic_mmhg=row.diastolic_mmhg,
        respiratory_rate=row.respiratory_rate,
        spo2_percent=row.spo2_percent,
        weight_kg=row.weight_kg,
        height_cm=row.height_cm,
        bmi=row.bmi,
    )


def coded_of(row: CodedEntryRow) -> CodedEntry:
    return CodedEntry(
        id=row.id,
        kind=CodeKind(row.kind),
        system=row.system,
        code=row.code,
        code_set_version=row.code_set_version,
        description=row.description,
        clinical_status=ClinicalStatus(row.clinical_status),
        is_primary=row.is_primary,
    )


def addendum_of(row: AddendumRow) -> Addendum:
    return Addendum(
        id=row.id,
        target_type=TargetType(row.target_type),
        target_id=row.target_id,
        field=row.field,
        text=row.text,
        author_id=row.author_id,
        created_at=row.created_at,
    )


def attachment_of(row: AttachmentRow) -> AttachmentInfo:
    return AttachmentInfo(
        id=row.id,
        patient_id=row.patient_id,
        owner_type=TargetType(row.owner_type),
        owner_id=row.owner_id,
        filename=row.filename,
        content_type=row.content_type,
        declared_type=row.declared_type,
        type_mismatch=row.type_mismatch,
        problems=tuple(p for p in (row.problems or "").split("\n") if p),
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        added_by_id=row.added_by_id,
        created_at=row.created_at,
    )


def annotation_of(row: AnnotationRow) -> Annotation:
    return Annotation(
        id=row.id,
        target_type=TargetType(row.target_type),
        target_id=row.target_id,
        patient_id=row.patient_id,
        author_id=row.author_id,
        annotated_at=row.annotated_at,
        target_sha256=row.target_sha256,
        text=row.text,
        signature=row.signature,
        signature_valid=annotation_signature_ok(row),
    )
