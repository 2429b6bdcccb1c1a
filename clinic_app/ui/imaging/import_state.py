"""What the import wizard's pages share: the scan, the DICOM patient being imported, the
patient the user confirmed, and the outcome. Plain Python; the pages fill it in turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from clinic_app.imaging.summaries import DicomPatientGroup, ImportReport, ImportScan
from clinic_app.patients.models import PatientSummary


class ImportPageId(IntEnum):
    SOURCE = 0
    MATCH = 1
    PROGRESS = 2
    RESULT = 3


@dataclass
class ImportState:
    current_patient: PatientSummary | None = None  # open in the viewer, if any
    scan: ImportScan | None = None
    group_key: str | None = None
    patient: PatientSummary | None = None  # the one the user confirmed
    include_photos: bool = True
    report: ImportReport | None = None
    stopped: bool = False
    imported_keys: set[str] = field(default_factory=set)

    @property
    def group(self) -> DicomPatientGroup | None:
        if self.scan is None:
            return None
        return next((g for g in self.scan.groups if g.key == self.group_key), None)

    @property
    def remaining_groups(self) -> list[DicomPatientGroup]:
        if self.scan is None:
            return []
        return [g for g in self.scan.groups if g.key not in self.imported_keys]

    @property
    def has_importable(self) -> bool:
        return self.scan is not None and self.scan.file_count > 0

    def files_for_group(self) -> int:
        group = self.group
        photos = len(self.scan.photo_files) if self.scan and self.include_photos else 0
        return (group.file_count if group else 0) + photos
