"""One imported file, one transaction: its study and series (found or made), the instance row,
the file's bytes in chunks, the outbox entry and the audit event are written together, so a
crash or a cancel keeps every file stored before it and never half of one.

The file is read once; its SHA-256 is computed once (duplicate photos are found by it, and
`read_file` checks it on every later read); a DICOM file's first frame is decoded once, to
refuse a file whose pixels can't be decoded before anything is stored.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.imaging.dicom_header import DicomHeader
from clinic_app.imaging.dicom_reader import read_dicom
from clinic_app.imaging.errors import ImagingError
from clinic_app.imaging.file_store import chunks_for, write_file
from clinic_app.imaging.photo_reader import read_photo
from clinic_app.imaging.tables import InstanceRow, SeriesRow, StudyRow
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database

MAX_FILE_BYTES = 1 << 30


@dataclass(frozen=True)
class StoredFile:
    """What became of one file: stored anew, or already there (a duplicate)."""

    stored: bool
    study_id: str | None
    instance_id: str | None


def read_source(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ImagingError(f"{path.name} is larger than {MAX_FILE_BYTES >> 20} MiB.")
        return path.read_bytes()
    except OSError as exc:
        raise ImagingError(f"{path.name} could not be read ({exc.strerror}).") from exc


def _new_uid() -> str:
    return f"2.25.{uuid.uuid4().int}"


class InstanceImporter:
    """Stores single files for `ImagingImportService` (which checks the role and the patient)."""

    def __init__(self, db: Database, audit: AuditLog, today: Callable[[], date]) -> None:
        self._db = db
        self._audit = audit
        self._today = today

    def dicom(self, user: AuthenticatedUser, patient_id: str, path: Path) -> StoredFile:
        data = read_source(path)
        header = read_dicom(data, name=path.name, first_frame_only=True).header
        with self._db.unit_of_work() as uow:
            session = uow.session
            existing = session.scalars(
                select(InstanceRow).where(
                    InstanceRow.sop_instance_uid == header.sop_instance_uid,
                    InstanceRow.deleted_at.is_(None),
                )
            ).first()
            if existing is not None:
                if existing.patient_id != patient_id:
                    raise ImagingError(
                        f"{path.name} was already imported for another patient; it was not "
                        "imported again."
                    )
                series = session.get(SeriesRow, existing.series_id)
                return StoredFile(False, series.study_id if series else None, existing.id)
            study = self._study(session, user, patient_id, header)
            series = self._series(session, study.id, header)
            row = _instance(series.id, patient_id, path.name, data, "dicom")
            row.sop_instance_uid = header.sop_instance_uid
            row.sop_class_uid = header.sop_class_uid
            row.instance_number = header.instance_number
            row.transfer_syntax = header.transfer_syntax_uid
            row.rows, row.columns, row.frames = header.rows, header.columns, header.frames
            row.photometric = header.photometric
            if header.pixel_spacing is not None:
                row.spacing_row_mm = header.pixel_spacing.row_mm
                row.spacing_column_mm = header.pixel_spacing.column_mm
                row.spacing_source = header.pixel_spacing.source
            row.slice_position = header.slice_position
            self._store(session, user, row, data)
            uow.commit()
            return StoredFile(True, study.id, row.id)

    def photo(
        self,
        user: AuthenticatedUser,
        patient_id: str,
        path: Path,
        study_id: str | None,
        px_per_mm: float | None,
    ) -> StoredFile:
        """A photo joins `study_id` (this import's photo study) or starts one."""
        data = read_source(path)
        photo = read_photo(data, name=path.name)
        row = _instance("", patient_id, path.name, data, "photo")
        with self._db.unit_of_work() as uow:
            session = uow.session
            duplicate = session.scalars(
                select(InstanceRow).where(
                    InstanceRow.sha256 == row.sha256,
                    InstanceRow.patient_id == patient_id,
                    InstanceRow.deleted_at.is_(None),
                )
            ).first()
            if duplicate is not None:
                return StoredFile(False, study_id, duplicate.id)
            if study_id is None:
                study = StudyRow(
                    patient_id=patient_id,
                    study_uid=_new_uid(),
                    source="photo",
                    study_date=self._today(),
                    description="Clinical photographs",
                    imported_by=user.id,
                )
                session.add(study)
                session.flush()
                series = SeriesRow(
                    study_id=study.id,
                    series_uid=_new_uid(),
                    modality="XC",
                    description="Photographs",
                )
                session.add(series)
                session.flush()
                study_id = study.id
            else:
                series = session.scalars(
                    select(SeriesRow).where(SeriesRow.study_id == study_id)
                ).one()
            row.series_id = series.id
            row.sop_instance_uid = _new_uid()
            row.content_type = photo.content_type
            row.rows, row.columns, row.frames = photo.rows, photo.columns, 1
            row.photometric = "RGB"
            if px_per_mm is not None and px_per_mm > 0:
                row.px_per_mm = px_per_mm
                row.spacing_row_mm = row.spacing_column_mm = 1.0 / px_per_mm
                row.spacing_source = "calibration"
            self._store(session, user, row, data)
            uow.commit()
            return StoredFile(True, study_id, row.id)

    def _study(
        self, session: Session, user: AuthenticatedUser, patient_id: str, header: DicomHeader
    ) -> StudyRow:
        uid = header.study_uid or _new_uid()
        study = session.scalars(
            select(StudyRow).where(
                StudyRow.study_uid == uid,
                StudyRow.patient_id == patient_id,
                StudyRow.deleted_at.is_(None),
            )
        ).first()
        if study is None:
            study = StudyRow(
                patient_id=patient_id,
                study_uid=uid,
                source="dicom",
                study_date=header.study_date,
                description=header.study_description,
                accession_number=header.accession_number,
                institution=header.institution,
                imported_by=user.id,
            )
            session.add(study)
            session.flush()
        return study

    @staticmethod
    def _series(session: Session, study_id: str, header: DicomHeader) -> SeriesRow:
        uid = header.series_uid or _new_uid()
        series = session.scalars(
            select(SeriesRow).where(SeriesRow.series_uid == uid, SeriesRow.study_id == study_id)
        ).first()
        if series is None:
            series = SeriesRow(
                study_id=study_id,
                series_uid=uid,
                series_number=header.series_number,
                modality=header.modality,
                description=header.series_description,
                body_part=header.body_part,
            )
            session.add(series)
            session.flush()
        return series

    def _store(
        self, session: Session, user: AuthenticatedUser, row: InstanceRow, data: bytes
    ) -> None:
        session.add(row)
        session.flush()  # the chunks refer to the instance row
        write_file(session, row.id, data)
        self._audit.append(
            session,
            user.actor,
            "imaging.import",
            record_type="imaging_instance",
            record_id=row.id,
            details={"kind": row.kind, "bytes": row.size_bytes, "patient_id": row.patient_id},
        )


def _instance(series_id: str, patient_id: str, name: str, data: bytes, kind: str) -> InstanceRow:
    return InstanceRow(
        series_id=series_id,
        patient_id=patient_id,
        kind=kind,
        content_type="application/dicom",
        file_name=name[:255],
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        chunk_count=chunks_for(len(data)),
        sop_class_uid="",
        transfer_syntax="",
        photometric="",
    )
