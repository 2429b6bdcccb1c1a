"""Imaging rows: studies, series, instances (with their file bytes in 1 MiB chunks inside the
encrypted database), analysis results and the clinicians' reviews of them (append-only).

The people columns (`imported_by`, `run_by`, `actor_id`, `assigned_to`) hold user ids with no
foreign key, as the records tables do: accounts are local to each workstation and not synced,
so a row pulled from another workstation may name someone who has no account here (migration
0009 dropped the keys 0006 had). Readers show such an id as another workstation's user."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.storage.base import Base, SyncedRow
from clinic_app.storage.types import UtcDateTime, utcnow


class StudyRow(SyncedRow):
    __tablename__ = "imaging_studies"

    patient_id: Mapped[str] = mapped_column(String(36), ForeignKey("patients.id"))
    study_uid: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # "dicom" | "photo"
    study_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(200), default="")
    accession_number: Mapped[str] = mapped_column(String(64), default="")
    institution: Mapped[str] = mapped_column(String(200), default="")
    imported_by: Mapped[str] = mapped_column(String(36))

    __table_args__ = (
        Index("ix_imaging_studies_patient", "patient_id", "study_date"),
        Index("ix_imaging_studies_study_uid", "study_uid"),
    )


class SeriesRow(SyncedRow):
    __tablename__ = "imaging_series"

    study_id: Mapped[str] = mapped_column(String(36), ForeignKey("imaging_studies.id"), index=True)
    series_uid: Mapped[str] = mapped_column(String(64), index=True)
    series_number: Mapped[int | None] = mapped_column(Integer)
    modality: Mapped[str] = mapped_column(String(16), default="")
    description: Mapped[str] = mapped_column(String(200), default="")
    body_part: Mapped[str] = mapped_column(String(64), default="")


class InstanceRow(SyncedRow):
    __tablename__ = "imaging_instances"

    series_id: Mapped[str] = mapped_column(String(36), ForeignKey("imaging_series.id"), index=True)
    patient_id: Mapped[str] = mapped_column(String(36), ForeignKey("patients.id"), index=True)
    sop_instance_uid: Mapped[str] = mapped_column(String(64), index=True)
    sop_class_uid: Mapped[str] = mapped_column(String(64), default="")
    instance_number: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))  # "dicom" | "photo"
    content_type: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    chunk_count: Mapped[int] = mapped_column(Integer)
    transfer_syntax: Mapped[str] = mapped_column(String(64), default="")
    rows: Mapped[int] = mapped_column(Integer)
    columns: Mapped[int] = mapped_column(Integer)
    frames: Mapped[int] = mapped_column(Integer, default=1)
    photometric: Mapped[str] = mapped_column(String(32), default="")
    spacing_row_mm: Mapped[float | None] = mapped_column(Float)
    spacing_column_mm: Mapped[float | None] = mapped_column(Float)
    spacing_source: Mapped[str | None] = mapped_column(String(32))
    slice_position: Mapped[float | None] = mapped_column(Float)
    px_per_mm: Mapped[float | None] = mapped_column(Float)  # a photo's ruler calibration


class InstanceChunkRow(Base):
    """The imported file's bytes, 1 MiB per row. Content, not a synced entity: its instance
    row (with size and SHA-256) is what syncs."""

    __tablename__ = "imaging_file_chunks"

    instance_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("imaging_instances.id"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class AnalysisRow(SyncedRow):
    __tablename__ = "imaging_analyses"

    instance_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("imaging_instances.id"), index=True
    )
    patient_id: Mapped[str] = mapped_column(String(36), ForeignKey("patients.id"), index=True)
    frame_index: Mapped[int] = mapped_column(Integer, default=0)
    task: Mapped[str] = mapped_column(String(32))  # "classification" | "abcd"
    model_name: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(32))
    model_sha256: Mapped[str] = mapped_column(String(64))
    model_status: Mapped[str] = mapped_column(String(16))
    model_title: Mapped[str] = mapped_column(String(200))
    top_label: Mapped[str | None] = mapped_column(String(64))
    top_probability: Mapped[float | None] = mapped_column(Float)
    result_json: Mapped[str] = mapped_column(Text)
    heatmap_json: Mapped[str | None] = mapped_column(Text)
    run_by: Mapped[str] = mapped_column(String(36))
    run_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AnalysisReviewRow(SyncedRow):
    """Append-only: a decision (accepted, rejected) or a review request; the latest decision
    is the result's state."""

    __tablename__ = "imaging_analysis_reviews"

    analysis_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("imaging_analyses.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # "accepted" | "rejected" | "review_requested"
    comment: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[str] = mapped_column(String(36))
    assigned_to: Mapped[str | None] = mapped_column(String(36))
