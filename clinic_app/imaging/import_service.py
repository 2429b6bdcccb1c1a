"""Importing images: first `scan` (what is there, whose it is, which clinic patients match),
then `import_files` into the patient a person confirmed. DICOM patients are never matched or
merged silently: the scan proposes (`patient_matching`), the caller decides.

Each file is stored in its own transaction (`instance_import`), so a crash or a cancel keeps
every file imported before it; a file that can't be read is listed with its reason and the
rest still import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.imaging.dicom_header import DicomHeader
from clinic_app.imaging.errors import ImagingError
from clinic_app.imaging.instance_import import MAX_FILE_BYTES, InstanceImporter, StoredFile
from clinic_app.imaging.media_scan import scan_media
from clinic_app.imaging.patient_matching import candidates, mismatches, new_patient_input
from clinic_app.imaging.study_queries import study_summaries
from clinic_app.imaging.summaries import (
    DicomPatientGroup,
    FileProblem,
    ImportReport,
    ImportScan,
)
from clinic_app.patients.tables import PatientRow
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

__all__ = ["MAX_FILE_BYTES", "ImagingImportService"]

log = logging.getLogger(__name__)


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
        self._files = InstanceImporter(db, audit, today)

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
        # Its only write is the audit event of a read: committed without an fsync.
        with self._db.unit_of_work(durable=False) as uow:
            groups = tuple(
                DicomPatientGroup(
                    key=key,
                    dicom=headers[0].patient,
                    file_count=len(headers),
                    candidates=candidates(uow.session, headers[0].patient),
                    new_patient=new_patient_input(headers[0].patient),
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
                warnings = mismatches(patient, group.dicom)
        tally = self._import_each(user, patient_id, files, px_per_mm, progress, cancel)
        with self._db.unit_of_work(write=False) as uow:
            studies = study_summaries(uow.session, tally.study_ids)
        log.info(
            "imaging import: imported=%d duplicates=%d problems=%d",
            tally.imported,
            tally.duplicates,
            len(tally.problems),
        )
        return ImportReport(
            patient_id,
            tuple(studies),
            tally.imported,
            tally.duplicates,
            (*scan.problems, *tally.problems),
            tuple(warnings),
            tuple(tally.instance_ids),
        )

    def _import_each(
        self,
        user: AuthenticatedUser,
        patient_id: str,
        files: list[tuple[Path, str]],
        px_per_mm: float | None,
        progress: ProgressReporter,
        cancel: CancelToken | None,
    ) -> _Tally:
        tally = _Tally()
        photo_study: str | None = None
        total = len(files)
        for index, (path, kind) in enumerate(files):
            progress.report(index, total, "Importing images")
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                if kind == "dicom":
                    outcome = self._files.dicom(user, patient_id, path)
                else:
                    outcome = self._files.photo(user, patient_id, path, photo_study, px_per_mm)
                    photo_study = outcome.study_id or photo_study
            except ImagingError as exc:
                tally.problems.append(FileProblem(str(path), str(exc)))
                continue
            tally.add(outcome)
        progress.report(total, total, "Import finished")
        return tally


@dataclass
class _Tally:
    imported: int = 0
    duplicates: int = 0
    problems: list[FileProblem] = field(default_factory=list)
    study_ids: list[str] = field(default_factory=list)
    instance_ids: list[str] = field(default_factory=list)

    def add(self, outcome: StoredFile) -> None:
        if outcome.stored:
            self.imported += 1
            if outcome.instance_id:
                self.instance_ids.append(outcome.instance_id)
        else:
            self.duplicates += 1
        if outcome.study_id and outcome.study_id not in self.study_ids:
            self.study_ids.append(outcome.study_id)
