"""What the image viewer calls: a patient's studies, their series, a series' instances in stack
order, and decoded images ready for display. Every read of clinical images is audited."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.imaging.dicom_header import PixelSpacing
from clinic_app.imaging.dicom_reader import read_dicom
from clinic_app.imaging.display import DisplayImage, display_dicom, display_photo
from clinic_app.imaging.file_store import read_file
from clinic_app.imaging.photo_reader import read_photo
from clinic_app.imaging.study_queries import instance_summary, series_summaries, study_summaries
from clinic_app.imaging.summaries import InstanceSummary, SeriesSummary, StudySummary
from clinic_app.imaging.tables import InstanceRow, SeriesRow, StudyRow
from clinic_app.imaging.thumbnails import DEFAULT_SIZE, MAX_SIZE, middle_frame, thumbnail_pixels
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database

MAX_PX_PER_MM = 1000.0


def instance_row(session: Session, instance_id: str) -> InstanceRow:
    row = session.get(InstanceRow, instance_id[:36]) if instance_id else None
    if row is None or row.deleted_at is not None:
        raise NotFoundError("No such image.")
    return row


def decode_instance(session: Session, row: InstanceRow, frame: int | None = None) -> DisplayImage:
    """The stored file decoded for display: all frames, or only `frame` (the image then holds
    that one). Raises ImagingError subclasses."""
    data = read_file(session, row.id, row.chunk_count, row.sha256)
    if row.kind == "photo":
        return display_photo(read_photo(data, name=row.file_name), row.px_per_mm)
    return display_dicom(read_dicom(data, name=row.file_name, frame=frame))


class ImagingService:
    def __init__(self, db: Database, audit: AuditLog, authorizer: Authorizer) -> None:
        self._db = db
        self._audit = audit
        self._authz = authorizer

    def studies(self, user: AuthenticatedUser, patient_id: str) -> list[StudySummary]:
        self._authz.require(user, Action.IMAGING_VIEW, record_type="patient", record_id=patient_id)
        # Reads: the only write is the audit event, committed without an fsync.
        with self._db.unit_of_work(durable=False) as uow:
            ids = uow.session.scalars(
                select(StudyRow.id)
                .where(StudyRow.patient_id == patient_id, StudyRow.deleted_at.is_(None))
                .order_by(StudyRow.study_date.desc(), StudyRow.created_at.desc())
            ).all()
            studies = study_summaries(uow.session, list(ids))
            self._audit.append(
                uow.session,
                user.actor,
                "imaging.list",
                record_type="patient",
                record_id=patient_id,
                details={"studies": len(studies)},
            )
            uow.commit()
            return studies

    def series(self, user: AuthenticatedUser, study_id: str) -> list[SeriesSummary]:
        self._authz.require(user, Action.IMAGING_VIEW, record_type="imaging_study")
        with self._db.unit_of_work(write=False) as uow:
            study = uow.session.get(StudyRow, study_id[:36]) if study_id else None
            if study is None or study.deleted_at is not None:
                raise NotFoundError("No such study.")
            return series_summaries(uow.session, [study.id])

    def instances(self, user: AuthenticatedUser, series_id: str) -> list[InstanceSummary]:
        """In stack order: slice position, then instance number, then import order."""
        self._authz.require(user, Action.IMAGING_VIEW, record_type="imaging_series")
        with self._db.unit_of_work(write=False) as uow:
            if uow.session.get(SeriesRow, series_id[:36] if series_id else "") is None:
                raise NotFoundError("No such series.")
            rows = uow.session.scalars(
                select(InstanceRow).where(
                    InstanceRow.series_id == series_id, InstanceRow.deleted_at.is_(None)
                )
            ).all()
            ordered = sorted(
                rows,
                key=lambda r: (
                    r.slice_position is None,
                    r.slice_position or 0.0,
                    r.instance_number is None,
                    r.instance_number or 0,
                    r.created_at,
                ),
            )
            return [instance_summary(r) for r in ordered]

    def load_image(self, user: AuthenticatedUser, instance_id: str) -> DisplayImage:
        """Decoded frames, window presets, pixel spacing and overlay text for the viewer."""
        self._authz.require(
            user, Action.IMAGING_VIEW, record_type="imaging_instance", record_id=instance_id
        )
        with self._db.unit_of_work(durable=False) as uow:
            row = instance_row(uow.session, instance_id)
            image = decode_instance(uow.session, row)
            self._audit.append(
                uow.session,
                user.actor,
                "imaging.view",
                record_type="imaging_instance",
                record_id=row.id,
                details={"patient_id": row.patient_id},
            )
            uow.commit()
            return image

    def thumbnail(
        self,
        user: AuthenticatedUser,
        instance_id: str,
        frame: int | None = None,
        size: int = DEFAULT_SIZE,
    ) -> NDArray[np.uint8]:
        """A small rendering of one frame (the middle one by default) for the series list;
        a view of the image like `load_image`, audited as such."""
        self._authz.require(
            user, Action.IMAGING_VIEW, record_type="imaging_instance", record_id=instance_id
        )
        if not 1 <= size <= MAX_SIZE:
            raise ValidationError(f"A thumbnail is 1 to {MAX_SIZE} pixels across.")
        with self._db.unit_of_work(durable=False) as uow:
            row = instance_row(uow.session, instance_id)
            frames = max(row.frames or 1, 1)
            index = middle_frame(frames) if frame is None else frame
            if not 0 <= index < frames:
                raise ValidationError(f"The image has {frames} frame(s); frame {index} is not one.")
            # Only that frame is decoded: a long cine's thumbnail costs one frame, not all.
            pixels = thumbnail_pixels(decode_instance(uow.session, row, index), 0, size)
            self._audit.append(
                uow.session,
                user.actor,
                "imaging.view",
                record_type="imaging_instance",
                record_id=row.id,
                details={"patient_id": row.patient_id, "thumbnail": True},
            )
            uow.commit()
            return pixels

    def calibrate(
        self, user: AuthenticatedUser, instance_id: str, px_per_mm: float
    ) -> InstanceSummary:
        """Records a photo's scale from its ruler (pixels per millimetre)."""
        self._authz.require(
            user, Action.IMAGING_IMPORT, record_type="imaging_instance", record_id=instance_id
        )
        if not 0 < px_per_mm <= MAX_PX_PER_MM:
            raise ValidationError(f"Pixels per mm must be between 0 and {MAX_PX_PER_MM:g}.")
        with self._db.unit_of_work() as uow:
            row = instance_row(uow.session, instance_id)
            if row.kind != "photo":
                raise ValidationError("Only photos are calibrated; DICOM images carry spacing.")
            spacing = PixelSpacing(1 / px_per_mm, 1 / px_per_mm, "calibration")
            row.px_per_mm = px_per_mm
            row.spacing_row_mm, row.spacing_column_mm = spacing.row_mm, spacing.column_mm
            row.spacing_source = spacing.source
            uow.flush()
            self._audit.append(
                uow.session,
                user.actor,
                "imaging.calibrate",
                record_type="imaging_instance",
                record_id=row.id,
            )
            uow.commit()
            return instance_summary(row)
