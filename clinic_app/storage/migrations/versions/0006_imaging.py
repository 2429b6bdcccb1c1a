"""imaging: studies, series, instances (file bytes in chunks), analyses and their reviews

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
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


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "imaging_studies",
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("study_uid", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("study_date", sa.Date(), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("accession_number", sa.String(length=64), nullable=False),
        sa.Column("institution", sa.String(length=200), nullable=False),
        sa.Column("imported_by", sa.String(length=36), nullable=False),
        *_synced(),
        _fk("imaging_studies", "imported_by", "users"),
        _fk("imaging_studies", "patient_id", "patients"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imaging_studies")),
    )
    op.create_index(
        "ix_imaging_studies_patient", "imaging_studies", ["patient_id", "study_date"]
    )
    op.create_index("ix_imaging_studies_study_uid", "imaging_studies", ["study_uid"])

    op.create_table(
        "imaging_series",
        sa.Column("study_id", sa.String(length=36), nullable=False),
        sa.Column("series_uid", sa.String(length=64), nullable=False),
        sa.Column("series_number", sa.Integer(), nullable=True),
        sa.Column("modality", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("body_part", sa.String(length=64), nullable=False),
        *_synced(),
        _fk("imaging_series", "study_id", "imaging_studies"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imaging_series")),
    )
    op.create_index(op.f("ix_imaging_series_series_uid"), "imaging_series", ["series_uid"])
    op.create_index(op.f("ix_imaging_series_study_id"), "imaging_series", ["study_id"])

    op.create_table(
        "imaging_instances",
        sa.Column("series_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("sop_instance_uid", sa.String(length=64), nullable=False),
        sa.Column("sop_class_uid", sa.String(length=64), nullable=False),
        sa.Column("instance_number", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("transfer_syntax", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("columns", sa.Integer(), nullable=False),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("photometric", sa.String(length=32), nullable=False),
        sa.Column("spacing_row_mm", sa.Float(), nullable=True),
        sa.Column("spacing_column_mm", sa.Float(), nullable=True),
        sa.Column("spacing_source", sa.String(length=32), nullable=True),
        sa.Column("slice_position", sa.Float(), nullable=True),
        sa.Column("px_per_mm", sa.Float(), nullable=True),
        *_synced(),
        _fk("imaging_instances", "patient_id", "patients"),
        _fk("imaging_instances", "series_id", "imaging_series"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imaging_instances")),
    )
    for column in ("patient_id", "series_id", "sha256", "sop_instance_uid"):
        op.create_index(
            op.f(f"ix_imaging_instances_{column}"), "imaging_instances", [column]
        )

    op.create_table(
        "imaging_file_chunks",
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _fk("imaging_file_chunks", "instance_id", "imaging_instances"),
        sa.PrimaryKeyConstraint("instance_id", "seq", name=op.f("pk_imaging_file_chunks")),
    )

    op.create_table(
        "imaging_analyses",
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("frame_index", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=32), nullable=False),
        sa.Column("model_name", sa.String(length=64), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("model_sha256", sa.String(length=64), nullable=False),
        sa.Column("model_status", sa.String(length=16), nullable=False),
        sa.Column("model_title", sa.String(length=200), nullable=False),
        sa.Column("top_label", sa.String(length=64), nullable=True),
        sa.Column("top_probability", sa.Float(), nullable=True),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("heatmap_json", sa.Text(), nullable=True),
        sa.Column("run_by", sa.String(length=36), nullable=False),
        sa.Column("run_at", sa.DateTime(), nullable=False),
        *_synced(),
        _fk("imaging_analyses", "instance_id", "imaging_instances"),
        _fk("imaging_analyses", "patient_id", "patients"),
        _fk("imaging_analyses", "run_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imaging_analyses")),
    )
    op.create_index(op.f("ix_imaging_analyses_instance_id"), "imaging_analyses", ["instance_id"])
    op.create_index(op.f("ix_imaging_analyses_patient_id"), "imaging_analyses", ["patient_id"])

    op.create_table(
        "imaging_analysis_reviews",
        sa.Column("analysis_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=False),
        sa.Column("assigned_to", sa.String(length=36), nullable=True),
        *_synced(),
        _fk("imaging_analysis_reviews", "actor_id", "users"),
        _fk("imaging_analysis_reviews", "analysis_id", "imaging_analyses"),
        _fk("imaging_analysis_reviews", "assigned_to", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imaging_analysis_reviews")),
    )
    op.create_index(
        op.f("ix_imaging_analysis_reviews_analysis_id"),
        "imaging_analysis_reviews",
        ["analysis_id"],
    )
    # Reviews are append-only and stored file bytes never change.
    op.execute(
        "CREATE TRIGGER imaging_file_chunks_no_update BEFORE UPDATE ON imaging_file_chunks "
        "BEGIN SELECT RAISE(ABORT, 'stored image bytes are immutable'); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS imaging_file_chunks_no_update")
    op.drop_index(
        op.f("ix_imaging_analysis_reviews_analysis_id"), table_name="imaging_analysis_reviews"
    )
    op.drop_table("imaging_analysis_reviews")
    op.drop_index(op.f("ix_imaging_analyses_patient_id"), table_name="imaging_analyses")
    op.drop_index(op.f("ix_imaging_analyses_instance_id"), table_name="imaging_analyses")
    op.drop_table("imaging_analyses")
    op.drop_table("imaging_file_chunks")
    for column in ("sop_instance_uid", "sha256", "series_id", "patient_id"):
        op.drop_index(op.f(f"ix_imaging_instances_{column}"), table_name="imaging_instances")
    op.drop_table("imaging_instances")
    op.drop_index(op.f("ix_imaging_series_study_id"), table_name="imaging_series")
    op.drop_index(op.f("ix_imaging_series_series_uid"), table_name="imaging_series")
    op.drop_table("imaging_series")
    op.drop_index("ix_imaging_studies_study_uid", table_name="imaging_studies")
    op.drop_index("ix_imaging_studies_patient", table_name="imaging_studies")
    op.drop_table("imaging_studies")
