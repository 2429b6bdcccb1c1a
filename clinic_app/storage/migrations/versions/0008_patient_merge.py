"""patient merge: patients.merged_into_id, and frozen records may move from a tombstoned chart
to a live one (the only change of a signed or append-only row that keeps its content)

Merging a duplicate chart into its survivor re-points every row of the duplicate. The records
feature's triggers (0004) refuse any change of a signed visit's, a final record's or an
annotation's patient_id. Here each of those triggers is created again with one exception: the
patient_id may go from a patient that is deleted to one that is not. No service moves records
otherwise, and the exception needs no marker that sync does not carry: a workstation that pulls
the merge gets the duplicate's deletion first (it is pushed first), then the re-pointed rows.
A merged chart can't be brought back to life, not even by a pulled version.

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0004"
branch_labels = None
depends_on = None

# The content columns of 0004, as they were when these triggers were written (a migration keeps
# its own copy: the records feature may add columns later in a migration of its own).
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

_MOVED_TO_LIVE_CHART = (
    "(SELECT deleted_at FROM patients WHERE id = OLD.patient_id) IS NOT NULL "
    "AND (SELECT deleted_at FROM patients WHERE id = NEW.patient_id) IS NULL "
    "AND EXISTS (SELECT 1 FROM patients WHERE id = NEW.patient_id)"
)


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)


def _changed_unless_merged(columns: tuple[str, ...]) -> str:
    others = tuple(c for c in columns if c != "patient_id")
    return (
        f"(NEW.patient_id IS NOT OLD.patient_id AND NOT ({_MOVED_TO_LIVE_CHART})) "
        f"OR {_changed(others)}"
    )


def _triggers(check: Callable[[tuple[str, ...]], str]) -> dict[str, tuple[str, str]]:
    """0004's triggers with `_changed` as `check`; these with `_changed_unless_merged`."""
    return {
        "visits_signed_no_update": (
            f"BEFORE UPDATE ON visits WHEN OLD.status = 'signed' AND ({check(_VISIT_CONTENT)})",
            "a signed visit is immutable: add an addendum",
        ),
        "vital_signs_signed_no_update": (
            f"BEFORE UPDATE ON vital_signs WHEN {_SIGNED.format(ref='OLD')} AND "
            f"({check(_VITALS_CONTENT)})",
            "the visit is signed: add an addendum",
        ),
        "coded_entries_signed_no_update": (
            f"BEFORE UPDATE ON coded_entries WHEN {_SIGNED.format(ref='OLD')} AND "
            f"({check(_CODE_CONTENT)})",
            "the visit is signed: add an addendum",
        ),
        "clinical_records_no_update": (
            f"BEFORE UPDATE ON clinical_records WHEN {check(_RECORD_CONTENT)}",
            "a record is final: add an addendum",
        ),
        "addenda_no_update": (
            f"BEFORE UPDATE ON addenda WHEN {check(_ADDENDUM_CONTENT)}",
            "addenda are append-only",
        ),
        "attachments_no_update": (
            f"BEFORE UPDATE ON attachments WHEN {check(_ATTACHMENT_CONTENT)}",
            "an attachment is immutable",
        ),
        "annotations_no_update": (
            f"BEFORE UPDATE ON annotations WHEN {check(_ANNOTATION_CONTENT)}",
            "annotations are append-only",
        ),
    }


def _replace_triggers(check: Callable[[tuple[str, ...]], str]) -> None:
    for name, (condition, message) in _triggers(check).items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(
            f"CREATE TRIGGER {name} {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


# A merged chart stays deleted whoever asks: the restore service says so in words, and a
# version pulled from a workstation that kept editing it offline is held (sync quarantines a
# pulled change the database refuses) instead of bringing an empty twin back silently.
_MERGED_STAYS_DELETED = (
    "CREATE TRIGGER patients_merged_stay_deleted BEFORE UPDATE OF deleted_at ON patients "
    "WHEN OLD.merged_into_id IS NOT NULL AND NEW.deleted_at IS NULL BEGIN "
    "SELECT RAISE(ABORT, 'this chart was merged into another patient''s chart'); END"
)


def upgrade() -> None:
    op.add_column("patients", sa.Column("merged_into_id", sa.String(length=36), nullable=True))
    op.create_index(op.f("ix_patients_merged_into_id"), "patients", ["merged_into_id"])
    _replace_triggers(_changed_unless_merged)
    op.execute(_MERGED_STAYS_DELETED)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS patients_merged_stay_deleted")
    _replace_triggers(_changed)
    op.drop_index(op.f("ix_patients_merged_into_id"), table_name="patients")
    op.drop_column("patients", "merged_into_id")
