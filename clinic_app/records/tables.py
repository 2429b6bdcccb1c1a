"""Clinical rows: visits (encounters), vitals, coded entries, addenda, stand-alone records,
attachments and their content chunks, annotations and review assignments.

Like the scheduling tables there are no foreign keys between synced tables (rows may arrive
from the server in any order); the services check references. What a signed visit, a record,
an addendum or an annotation says can't change afterwards: SQLite triggers in migration 0004
refuse such updates even from raw SQL, while still letting sync stamp `version_id`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.storage.base import Base, SyncedRow
from clinic_app.storage.types import UtcDateTime


class VisitRow(SyncedRow):
    __tablename__ = "visits"

    patient_id: Mapped[str] = mapped_column(String(36))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    clinician_id: Mapped[str] = mapped_column(String(36))
    appointment_id: Mapped[str | None] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | signed
    reason: Mapped[str | None] = mapped_column(Text)
    symptoms: Mapped[str | None] = mapped_column(Text)
    history_medical: Mapped[str | None] = mapped_column(Text)
    history_medication: Mapped[str | None] = mapped_column(Text)
    history_allergy: Mapped[str | None] = mapped_column(Text)
    examination: Mapped[str | None] = mapped_column(Text)
    assessment: Mapped[str | None] = mapped_column(Text)
    plan: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    signed_by_id: Mapped[str | None] = mapped_column(String(36))
    # SHA-256 of the visit's content as signed (see records.signing).
    content_sha256: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_visits_patient", "patient_id", "started_at"),)


class VitalSignsRow(SyncedRow):
    """One set of readings, stored in SI units (°C, kg, cm); BMI is computed on write."""

    __tablename__ = "vital_signs"

    visit_id: Mapped[str] = mapped_column(String(36), index=True)
    patient_id: Mapped[str] = mapped_column(String(36))
    measured_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by_id: Mapped[str] = mapped_column(String(36))
    temperature_c: Mapped[float | None] = mapped_column(Float)
    pulse_bpm: Mapped[int | None] = mapped_column(Integer)
    systolic_mmhg: Mapped[int | None] = mapped_column(Integer)
    diastolic_mmhg: Mapped[int | None] = mapped_column(Integer)
    respiratory_rate: Mapped[int | None] = mapped_column(Integer)
    spo2_percent: Mapped[int | None] = mapped_column(Integer)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    height_cm: Mapped[float | None] = mapped_column(Float)
    bmi: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_vital_signs_patient", "patient_id", "measured_at"),)


class CodedEntryRow(SyncedRow):
    """A diagnosis (ICD-10-CM) or a procedure (HCPCS/CPT) coded on a visit.

    The description and the code-set version are snapshots: a later code-set release never
    changes what the clinician chose.
    """

    __tablename__ = "coded_entries"

    visit_id: Mapped[str] = mapped_column(String(36), index=True)
    patient_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))  # diagnosis | procedure
    system: Mapped[str] = mapped_column(String(16))  # ICD-10-CM | HCPCS | CPT
    code: Mapped[str] = mapped_column(String(16))
    code_set_version: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(500))
    clinical_status: Mapped[str] = mapped_column(String(16), default="active")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_coded_entries_patient", "patient_id", "kind"),)


class AddendumRow(SyncedRow):
    """A correction or addition to a signed visit or a record: append-only."""

    __tablename__ = "addenda"

    target_type: Mapped[str] = mapped_column(String(16))  # visit | record
    target_id: Mapped[str] = mapped_column(String(36), index=True)
    patient_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str | None] = mapped_column(String(32))  # what it corrects, if one field
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(String(36))


class ClinicalRecordRow(SyncedRow):
    """A stand-alone record (lab result, imaging report, …): final once written."""

    __tablename__ = "clinical_records"

    patient_id: Mapped[str] = mapped_column(String(36))
    visit_id: Mapped[str | None] = mapped_column(String(36))
    record_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    author_id: Mapped[str] = mapped_column(String(36))
    content_sha256: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_clinical_records_patient", "patient_id", "recorded_at"),)


class AttachmentRow(SyncedRow):
    """An attachment's metadata; its bytes are in `attachment_chunks` (see attachment_store)."""

    __tablename__ = "attachments"

    patient_id: Mapped[str] = mapped_column(String(36), index=True)
    owner_type: Mapped[str] = mapped_column(String(16))  # visit | record
    owner_id: Mapped[str] = mapped_column(String(36), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))  # sniffed from the bytes
    declared_type: Mapped[str | None] = mapped_column(String(100))  # from the extension
    type_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    problems: Mapped[str | None] = mapped_column(String(500))  # e.g. "truncated PDF"
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    chunk_count: Mapped[int] = mapped_column(Integer)
    added_by_id: Mapped[str] = mapped_column(String(36))


class AttachmentChunkRow(Base):
    """Content in 1 MiB pieces, inside the encrypted database. Not synced on its own: the
    attachment's metadata row is the synced entity. No update is allowed (trigger)."""

    __tablename__ = "attachment_chunks"

    attachment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class AnnotationRow(SyncedRow):
    """A doctor's note on a visit, record or attachment: append-only and signed (the
    signature covers author, time, target, the target's content hash and the text)."""

    __tablename__ = "annotations"

    target_type: Mapped[str] = mapped_column(String(16))  # visit | record | attachment
    target_id: Mapped[str] = mapped_column(String(36), index=True)
    patient_id: Mapped[str] = mapped_column(String(36), index=True)
    author_id: Mapped[str] = mapped_column(String(36))
    annotated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    target_sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(64))


class ReviewAssignmentRow(SyncedRow):
    """A visit or record waiting for a doctor's review; done when an annotation closes it."""

    __tablename__ = "review_assignments"

    target_type: Mapped[str] = mapped_column(String(16))  # visit | record
    target_id: Mapped[str] = mapped_column(String(36))
    patient_id: Mapped[str] = mapped_column(String(36))
    assignee_id: Mapped[str] = mapped_column(String(36))
    assigned_by_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | completed
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    annotation_id: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (
        Index("ix_review_assignments_assignee", "assignee_id", "status", "created_at"),
        Index("ix_review_assignments_target", "target_id"),
    )
