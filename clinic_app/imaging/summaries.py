"""What the imaging services return: plain frozen values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from clinic_app.imaging.dicom_header import DicomPatient, PixelSpacing
from clinic_app.imaging.heatmap import Heatmap
from clinic_app.imaging.inference import ModelInfo, decision_support_label
from clinic_app.patients.models import PatientInput, PatientSummary

# Accounts are local to each workstation and not synced: a study, result or review pulled from
# another workstation may name someone who has no account here.
OTHER_WORKSTATION_USER = "another workstation's user"


@dataclass(frozen=True)
class StudySummary:
    id: str
    patient_id: str
    study_uid: str
    source: str  # "dicom" | "photo"
    study_date: date | None
    description: str
    accession_number: str
    institution: str
    modalities: tuple[str, ...]
    series_count: int
    instance_count: int


@dataclass(frozen=True)
class SeriesSummary:
    id: str
    study_id: str
    series_uid: str
    series_number: int | None
    modality: str
    description: str
    body_part: str
    instance_count: int


@dataclass(frozen=True)
class InstanceSummary:
    id: str
    series_id: str
    patient_id: str
    sop_instance_uid: str
    instance_number: int | None
    kind: str  # "dicom" | "photo"
    content_type: str
    file_name: str
    size_bytes: int
    sha256: str
    rows: int
    columns: int
    frames: int
    photometric: str
    pixel_spacing: PixelSpacing | None
    slice_position: float | None
    px_per_mm: float | None


@dataclass(frozen=True)
class FileProblem:
    path: str
    reason: str


@dataclass(frozen=True)
class PatientCandidate:
    patient: PatientSummary
    reasons: tuple[str, ...]  # e.g. "MRN equals the DICOM patient ID"


@dataclass(frozen=True)
class DicomPatientGroup:
    """The files of one DICOM patient, the clinic's patients that may be the same person, and
    the record to create if none is. The caller (a person) decides; nothing is merged here."""

    key: str
    dicom: DicomPatient
    file_count: int
    candidates: tuple[PatientCandidate, ...]
    new_patient: PatientInput


@dataclass(frozen=True)
class ImportScan:
    dicom_files: tuple[tuple[str, str], ...]  # (path, group key)
    photo_files: tuple[str, ...]
    groups: tuple[DicomPatientGroup, ...]
    problems: tuple[FileProblem, ...]

    @property
    def file_count(self) -> int:
        return len(self.dicom_files) + len(self.photo_files)


@dataclass(frozen=True)
class ImportReport:
    patient_id: str
    studies: tuple[StudySummary, ...]
    imported: int
    duplicates: int
    problems: tuple[FileProblem, ...]
    warnings: tuple[str, ...]
    instance_ids: tuple[str, ...] = ()  # the images this import stored, in import order


@dataclass(frozen=True)
class ReviewEvent:
    kind: str  # "accepted" | "rejected" | "review_requested"
    actor_id: str
    at: datetime
    comment: str
    assigned_to: str | None


@dataclass(frozen=True)
class AnalysisResult:
    """A model's answer on one image, with who ran it, and the clinicians' decisions.

    `status`: "pending" until a doctor accepts or rejects it (the latest decision counts).
    Only an accepted result may be copied into a visit's assessment (`can_copy_to_assessment`).
    """

    id: str
    instance_id: str
    patient_id: str
    frame_index: int
    task: str  # "classification" | "abcd"
    model: ModelInfo
    probabilities: dict[str, float]
    label_names: dict[str, str]
    top_label: str | None
    top_probability: float | None
    measurements: dict[str, Any] | None
    heatmap: Heatmap | None
    run_by: str
    run_at: datetime
    events: tuple[ReviewEvent, ...] = field(default=())
    # Display names of the people it names (who ran it, reviewers, assignees) who have an
    # account on this workstation.
    people: dict[str, str] = field(default_factory=dict)

    def person(self, user_id: str) -> str:
        """The display name of a user it names, or what to call one from elsewhere."""
        return self.people.get(user_id, OTHER_WORKSTATION_USER)

    @property
    def status(self) -> str:
        decisions = [e for e in self.events if e.kind in ("accepted", "rejected")]
        return decisions[-1].kind if decisions else "pending"

    @property
    def can_copy_to_assessment(self) -> bool:
        return self.status == "accepted"

    @property
    def label(self) -> str:
        return decision_support_label(self.model, self.top_probability)
