"""records: visits, vitals, coded entries, addenda, stand-alone records, attachments (content
in chunks inside the encrypted database), annotations, review assignments, triage results

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _synced() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.String(length=64), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
    ]


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)


_VISIT_CONTENT = (
    "patient_id", "started_at", "clinician_id", "appointment_id", "status", "reason",
    "symptoms", "history_medical", "history_medication", "history_allergy", "examination",
    "assessment", "plan", "signed_at", "signed_by_id", "content_sha256", "deleted_at",
)
_VITALS_CONTENT = (
    "visit_id", "patient_id", "measured_at", "recorded_by_id", "temperature_c", "pulse_bpm",
    "systolic_mmhg", "diastolic_mmhg", "respiratory_rate", "spo2_percent", "weight_kg",
    "height_cm", "bmi", "deleted_at",
)
_CODE_CONTENT = (
    "visit_id", "patient_id", "kind", "system", "code", "code_set_version", "description",
    "clinical_status", "is_primary", "position", "deleted_at",
)
_RECORD_CONTENT = (
    "patient_id", "visit_id", "record_type", "title", "body", "recorded_at", "author_id",
    "content_sha256",
)
_ADDENDUM_CONTENT = ("target_type", "target_id", "patient_id", "field", "text", "author_id")
_ATTACHMENT_CONTENT = (
    "patient_id", "owner_type", "owner_id", "filename", "content_type", "declared_type",
    "type_mismatch", "problems", "size_bytes", "sha256", "chunk_count", "added_by_id",
)
_ANNOTATION_CONTENT = (
    "target_type", "target_id", "patient_id", "author_id", "annotated_at", "target_sha256",
    "text", "signature",
)
_SIGNED = "(SELECT status FROM visits WHERE id = {ref}.visit_id) = 'signed'"

# Sync may still stamp version_id (and bump version) on these rows: only content is frozen.
_TRIGGERS = {
    "visits_signed_no_update": (
        "BEFORE UPDATE ON visits WHEN OLD.status = 'signed' AND "
        f"({_changed(_VISIT_CONTENT)})",
        "a signed visit is immutable: add an addendum",
    ),
    "visits_signed_no_delete": (
        "BEFORE DELETE ON visits WHEN OLD.status = 'signed'",
        "a signed visit is immutable: add an addendum",
    ),
    "vital_signs_signed_no_insert": (
        f"BEFORE INSERT ON vital_signs WHEN {_SIGNED.format(ref='NEW')}",
        "the visit is signed: add an addendum",
    ),
    "vital_signs_signed_no_update": (
        f"BEFORE UPDATE ON vital_signs WHEN {_SIGNED.format(ref='OLD')} AND "
        f"({_changed(_VITALS_CONTENT)})",
        "the visit is signed: add an addendum",
    ),
    "coded_entries_signed_no_insert": (
        f"BEFORE INSERT ON coded_entries WHEN {_SIGNED.format(ref='NEW')}",
        "the visit is signed: add an addendum",
    ),
    "coded_entries_signed_no_update": (
        f"BEFORE UPDATE ON coded_entries WHEN {_SIGNED.format(ref='OLD')} AND "
        f"({_changed(_CODE_CONTENT)})",
        "the visit is signed: add an addendum",
    ),
    "clinical_records_no_update": (
        f"BEFORE UPDATE ON clinical_records WHEN {_changed(_RECORD_CONTENT)}",
        "a record is final: add an addendum",
    ),
    "addenda_no_update": (
        f"BEFORE UPDATE ON addenda WHEN {_changed(_ADDENDUM_CONTENT)}",
        "addenda are append-only",
    ),
    "attachments_no_update": (
        f"BEFORE UPDATE ON attachments WHEN {_changed(_ATTACHMENT_CONTENT)}",
        "an attachment is immutable",
    ),
    "attachment_chunks_no_update": (
        "BEFORE UPDATE ON attachment_chunks",
        "an attachment is immutable",
    ),
    "annotations_no_update": (
        f"BEFORE UPDATE ON annotations WHEN {_changed(_ANNOTATION_CONTENT)}",
        "annotations are append-only",
    ),
}


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("clinician_id", sa.String(length=36), nullable=False),
        sa.Column("appointment_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("symptoms", sa.Text(), nullable=True),
        sa.Column("history_medical", sa.Text(), nullable=True),
        sa.Column("history_medication", sa.Text(), nullable=True),
        sa.Column("history_allergy", sa.Text(), nullable=True),
        sa.Column("examination", sa.Text(), nullable=True),
        sa.Column("assessment", sa.Text(), nullable=True),
        sa.Column("plan", sa.Text(), nullable=True),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("signed_by_id", sa.String(length=36), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        *_synced(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_index("ix_visits_patient", "visits", ["patient_id", "started_at"])
    op.create_index(op.f("ix_visits_appointment_id"), "visits", ["appointment_id"])

    op.create_table(
        "vital_signs",
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("measured_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.String(length=36), nullable=False),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("pulse_bpm", sa.Integer(), nullable=True),
        sa.Column("systolic_mmhg", sa.Integer(), nullable=True),
        sa.Column("diastolic_mmhg", sa.Integer(), nullable=True),
        sa.Column("respiratory_rate", sa.Integer(), nullable=True),
        sa.Column("spo2_percent", sa.Integer(), nullable=True),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("height_cm", sa.Float(), nullable=True),
        sa.Column("bmi", sa.Float(), nullable=True),
        *_synced(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vital_signs")),
    )
    op.create_index("ix_vital_signs_patient", "vital_signs", ["patient_id", "measured_at"])
    op.create_index(op.f("ix_vital_signs_visit_id"), "vital_signs", ["visit_id"])

    op.create_table(
        "coded_entries",
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("system", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("code_set_version", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("clinical_status", sa.String(length=16), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_synced(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coded_entries")),
    )
    op.create_index("ix_coded_entries_patient", "coded_entries", ["patient_id", "kind"])
    op.create_index(op.f("ix_coded_entries_visit_id"), "coded_entries", ["visit_id"])

    op.create_table(
        "addenda",
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        *_synced(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addenda")),
    )
    op.create_index(op.f("ix_addenda_target_id"), "addenda", ["target_id"])

    op.create_table(
        "clinical_records",
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=True),
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        *_synced(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinical_records")),
    )
    op.create_index(
        "ix_clinical_records_patient", "clinical_records", ["patient_id", "recorded_at"]
    )

    op.create_table(
        "attachments",
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("owner_type", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("declared_type", sa.String(length=100), nullable=True),
        sa.Column("type_mismatch", sa.Boolean(), nullable=False),
        sa.Column("problems", sa.String(length=500), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.String(length=36), nullable=False),
        *_synced(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index(op.f("ix_attachments_owner_id"), "attachments", ["owner_id"])
    op.create_index(op.f("ix_attachments_patient_id"), "attachments", ["patient_id"])

    op.create_table(
        "attachment_chunks",
        sa.Column("attachment_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("attachment_id", "seq", name=op.f("pk_attachment_chunks")),
    )

    op.create_table(
        "annotations",
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("annotated_at", sa.DateTime(), nullable=False),
        sa.Column("target_sha256", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        *_synced(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotations")),
    )
    op.create_index(op.f("ix_annotations_patient_id"), "annotations", ["patient_id"])
    op.create_index(op.f("ix_annotations_target_id"), "annotations", ["target_id"])

    op.create_table(
        "review_assignments",
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("assignee_id", sa.String(length=36), nullable=False),
        sa.Column("assigned_by_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("annotation_id", sa.String(length=36), nullable=True),
        *_synced(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assignments")),
    )
    op.create_index(
        "ix_review_assignments_assignee",
        "review_assignments",
        ["assignee_id", "status", "created_at"],
    )
    op.create_index("ix_review_assignments_target", "review_assignments", ["target_id"])

    op.create_table(
        "triage_assessments",
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("performed_by_id", sa.String(length=36), nullable=False),
        sa.Column("performed_at", sa.DateTime(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("rules_version", sa.String(length=40), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("online_json", sa.Text(), nullable=True),
        *_synced(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_assessments")),
    )
    op.create_index(
        op.f("ix_triage_assessments_visit_id"), "triage_assessments", ["visit_id"]
    )

    for name, (condition, message) in _TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def downgrade() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index(op.f("ix_triage_assessments_visit_id"), table_name="triage_assessments")
    op.drop_table("triage_assessments")
    op.drop_index("ix_review_assignments_target", table_name="review_assignments")
    op.drop_index("ix_review_assignments_assignee", table_name="review_assignments")
    op.drop_table("review_assignments")
    op.drop_index(op.f("ix_annotations_target_id"), table_name="annotations")
    op.drop_index(op.f("ix_annotations_patient_id"), table_name="annotations")
    op.drop_table("annotations")
    op.drop_table("attachment_chunks")
    op.drop_index(op.f("ix_attachments_patient_id"), table_name="attachments")
    op.drop_index(op.f("ix_attachments_owner_id"), table_name="attachments")
    op.drop_table("attachments")
    op.drop_index("ix_clinical_records_patient", table_name="clinical_records")
    op.drop_table("clinical_records")
    op.drop_index(op.f("ix_addenda_target_id"), table_name="addenda")
    op.drop_table("addenda")
    op.drop_index(op.f("ix_coded_entries_visit_id"), table_name="coded_entries")
    op.drop_index("ix_coded_entries_patient", table_name="coded_entries")
    op.drop_table("coded_entries")
    op.drop_index(op.f("ix_vital_signs_visit_id"), table_name="vital_signs")
    op.drop_index("ix_vital_signs_patient", table_name="vital_signs")
    op.drop_table("vital_signs")
    op.drop_index(op.f("ix_visits_appointment_id"), table_name="visits")
    op.drop_index("ix_visits_patient", table_name="visits")
    op.drop_table("visits")
