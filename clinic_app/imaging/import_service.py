"""Importing images: first `scan` (what is there, whose it is, which clinic patients match),
then `import_files` into the patient a person confirmed. DICOM patients are never matched or
merged silently: the scan proposes, the caller decides.

Each file is stored in its own transaction (instance row, file chunks, outbox, audit event),
so a crash or a cancel keeps every file imported before it; a file that can't be read is listed
with its reason and the rest still import.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.imaging.dicom_header import DicomHeader, DicomPatient
from clinic_app.imaging.dicom_reader import read_dicom
from clinic_app.imaging.errors import ImagingError
from clinic_app.imaging.file_store import chunks_for, write_file
from clinic_app.imaging.media_scan import scan_media
from clinic_app.imaging.photo_reader import read_photo
from clinic_app.imaging.study_queries import study_summaries
from clinic_app.imaging.summaries import (
    DicomPatientGroup,
    FileProblem,
    ImportReport,
    ImportScan,
    PatientCandidate,
)
from clinic_app.imaging.tables import InstanceRow, SeriesRow, StudyRow
from clinic_app.patients.models import PatientInput
from clinic_app.patients.service import summary_of
from clinic_app.patients.tables import PatientRow
from clinic_app.patients.validation import fold
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1 << 30


def _candidates(session: Session, patient: DicomPatient) -> tuple[PatientCandidate, ...]:
    conditions = []
    if patient.patient_id:
        conditions += [PatientRow.mrn == patient.patient_id]
        conditions += [PatientRow.national_id == patient.patient_id]
    if patient.family_name and patient.birth_date:
        conditions.append(
            (PatientRow.family_fold == fold(patient.family_name))
            & (PatientRow.given_fold == fold(patient.given_name))
            & (PatientRow.birth_date == patient.birth_date)
        )
    if not conditions:
        return ()
    rows = session.scalars(
        select(PatientRow).where(or_(*conditions), PatientRow.deleted_at.is_(None)).limit(20)
    )
    found = []
    for row in rows:
        reasons = []
        if patient.patient_id and row.mrn == patient.patient_id:
            reasons.append("MRN equals the DICOM patient ID")
        if patient.patient_id and row.national_id == patient.patient_id:
            reasons.append("national ID equals the DICOM patient ID")
        if row.birth_date == patient.birth_date and row.family_fold == fold(patient.family_name):
            reasons.append("same name and birth date")
        found.append(PatientCandidate(summary_of(row), tuple(reasons)))
    return tuple(found)


def _new_patient(patient: DicomPatient) -> PatientInput:
    return PatientInput(
        given_name=patient.given_name,
        family_name=patient.family_name,
        sex=patient.sex,
        birth_date=patient.birth_date.isoformat() if patient.birth_date else "",
        mrn=patient.patient_id,
    )


def _mismatches(row: PatientRow, patient: DicomPatient) -> list[str]:
    warnings = []
    if patient.birth_date and patient.birth_date != row.birth_date:
        warnings.append("The DICOM birth date differs from the chosen patient's.")
    if patient.family_name and fold(patient.family_name) != row.family_fold:
        warnings.append("The DICOM family name differs from the chosen patient's.")
    return warnings


class ImagingImportService:
    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        authorizer: Authorizer,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._db = db
        self._audit = audit
        self._authz = authorizer
        self._today = today

    def scan(
        self,
        user: AuthenticatedUser,
        paths: Iterable[Path],
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> ImportScan:
        """What the paths hold, grouped by DICOM patient, with the clinic's matching patients."""
        self._authz.require(user, Action.IMAGING_IMPORT, record_type="imaging_study")
        media = scan_media(list(paths), progress, cancel)
        by_key: dict[str, list[DicomHeader]] = {}
        for item in media.dicom:
            by_key.setdefault(item.header.patient.key, []).append(item.header)
        with self._db.unit_of_work() as uow:
            groups = tuple(
                DicomPatientGroup(
                    key=key,
                    dicom=headers[0].patient,
                    file_count=len(headers),
                    candidates=_candidates(uow.session, headers[0].patient),
                    new_patient=_new_patient(headers[0].patient),
                )
                for key, headers in by_key.items()
            )
            self._audit.append(
                uow.session,
                user.actor,
                "imaging.scan",
                record_type="imaging_study",
                details={
                    "dicom": len(media.dicom),
                    "photos": len(media.photos),
                    "problems": len(media.problems),
                    "dicom_patients": len(groups),
                },
            )
            uow.commit()
        return ImportScan(
            dicom_files=tuple((str(item.path), item.header.patient.key) for item in media.dicom),
            photo_files=tuple(str(path) for path in media.photos),
            groups=groups,
            problems=media.problems,
        )

    def import_files(
        self,
        user: AuthenticatedUser,
        scan: ImportScan,
        patient_id: str,
        *,
        group_key: str | None = None,
        include_photos: bool = True,
        px_per_mm: float | None = None,
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> ImportReport:
        """Stores the scanned files of one DICOM patient (`group_key`; may be omitted when the
        scan found only one) and the photos, for the patient the user confirmed."""
        self._authz.require(
            user, Action.IMAGING_IMPORT, record_type="patient", record_id=patient_id
        )
        progress = progress or NullProgress()
        keys = {group.key for group in scan.groups}
        if group_key is None and len(keys) > 1:
            raise ValidationError(
                f"The files belong to {len(keys)} different patients in their DICOM headers; "
                "import each patient's files separately."
            )
        chosen = group_key if group_key is not None else next(iter(keys), None)
        if chosen is not None and chosen not in keys:
            raise ValidationError("That DICOM patient is not in this scan.")
        files = [(Path(p), "dicom") for p, key in scan.dicom_files if key == chosen]
        if include_photos:
            files += [(Path(p), "photo") for p in scan.photo_files]
        warnings: list[str] = []
        with self._db.unit_of_work(write=False) as uow:
            patient = uow.session.get(PatientRow, patient_id[:36]) if patient_id else None
            if patient is None or patient.deleted_at is not None:
                raise NotFoundError("No such patient (or the record is deleted).")
            group = next((g for g in scan.groups if g.key == chosen), None)
            if group is not None:
                warnings = _mismatches(patient, group.dicom)
        imported, duplicates, problems, study_ids = self._import_each(
            user, patient_id, files, px_per_mm, progress, cancel
        )
        with self._db.unit_of_work(write=False) as uow:
            studies = study_summaries(uow.session, study_ids)
        log.info(
            "imaging import: imported=%d duplicates=%d problems=%d",
            imported,
            duplicates,
            len(problems),
        )
        return ImportReport(
            patient_id,
            tuple(studies),
            imported,
            duplicates,
            (*scan.problems, *problems),
            tuple(warnings),
        )

    def _import_each(
        self,
        user: AuthenticatedUser,
        patient_id: str,
        files: list[tuple[Path, str]],
        px_per_mm: float | None,
        progress: ProgressReporter,
        cancel: CancelToken | None,
    ) -> tuple[int, int, list[FileProblem], list[str]]:
        problems: list[FileProblem] = []
        imported = duplicates = 0
        study_ids: list[str] = []
        photo_study: str | None = None
        total = len(files)
        for index, (path, kind) in enumerate(files):
            progress.report(index, total, "Importing images")
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                if kind == "dicom":
                    outcome = self._import_dicom(user, patient_id, path)
                else:
                    outcome = self._import_photo(user, patient_id, path, photo_study, px_per_mm)
                    photo_study = outcome[1] or photo_study
            except ImagingError as exc:
                problems.append(FileProblem(str(path), str(exc)))
                continue
            stored, study_id = outcome
            if stored:
                imported += 1
            else:
                duplicates += 1
            if study_id and study_id not in study_ids:
                study_ids.append(study_id)
        progress.report(total, total, "Import finished")
        return imported, duplicates, problems, study_ids

    # --- one file, one transaction ------------------------------------------------------

    def _read(self, path: Path) -> bytes:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ImagingError(f"{path.name} is larger than {MAX_FILE_BYTES >> 20} MiB.")
            return path.read_bytes()
        except OSError as exc:
            raise ImagingError(f"{path.name} could not be read ({exc.strerror}).") from exc

    def _import_dicom(
        self, user: AuthenticatedUser, patient_id: str, path: Path
    ) -> tuple[bool, str | None]:
        data = self._read(path)
        image = read_dicom(data, name=path.name, first_frame_only=True)
        header = image.header
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
                return False, series.study_id if series else None
            study = self._study(session, user, patient_id, header)
            series = self._series(session, study.id, header)
            row = self._instance(series.id, patient_id, path.name, data, "dicom")
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
            self._store(uow.session, user, row, data)
            uow.commit()
            return True, study.id

    def _import_photo(
        self,
        user: AuthenticatedUser,
        patient_id: str,
        path: Path,
        study_id: str | None,
        px_per_mm: float | None,
    ) -> tuple[bool, str | None]:
        data = self._read(path)
        photo = read_photo(data, name=path.name)
        digest = hashlib.sha256(data).hexdigest()
        with self._db.unit_of_work() as uow:
            session = uow.session
            duplicate = session.scalars(
                select(InstanceRow).where(
                    InstanceRow.sha256 == digest,
                    InstanceRow.patient_id == patient_id,
                    InstanceRow.deleted_at.is_(None),
                )
            ).first()
            if duplicate is not None:
                return False, study_id
            if study_id is None:
                uid = f"2.25.{uuid.uuid4().int}"
                study = StudyRow(
                    patient_id=patient_id,
                    study_uid=uid,
                    source="photo",
                    study_date=self._today(),
                    description="Clinical photographs",
                    imported_by=user.id,
                )
                session.add(study)
                session.flush()
                series = SeriesRow(
                    study_id=study.id,
                    series_uid=f"2.25.{uuid.uuid4().int}",
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
            row = self._instance(series.id, patient_id, path.name, data, "photo")
            row.sop_instance_uid = f"2.25.{uuid.uuid4().int}"
            row.content_type = photo.content_type
            row.rows, row.columns, row.frames = photo.rows, photo.columns, 1
            row.photometric = "RGB"
            if px_per_mm is not None and px_per_mm > 0:
                row.px_per_mm = px_per_mm
                row.spacing_row_mm = row.spacing_column_mm = 1.0 / px_per_mm
                row.spacing_source = "calibration"
            self._store(uow.session, user, row, data)
            uow.commit()
            return True, study_id

    def _study(
        self, session: Session, user: AuthenticatedUser, patient_id: str, header: DicomHeader
    ) -> StudyRow:
        uid = header.study_uid or f"2.25.{uuid.uuid4().int}"
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
        uid = header.series_uid or f"2.25.{uuid.uuid4().int}"
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

    @staticmethod
    def _instance(
        series_id: str, patient_id: str, name: str, data: bytes, kind: str
    ) -> InstanceRow:
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
