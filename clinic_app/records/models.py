"""What the records services take and return: plain frozen values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class VisitStatus(StrEnum):
    OPEN = "open"
    SIGNED = "signed"


class RecordType(StrEnum):
    LAB_RESULT = "lab_result"
    IMAGING_REPORT = "imaging_report"
    PRESCRIPTION = "prescription"
    REFERRAL = "referral"
    CLINICAL_NOTE = "clinical_note"
    OTHER = "other"


class TargetType(StrEnum):
    VISIT = "visit"
    RECORD = "record"
    ATTACHMENT = "attachment"


class CodeKind(StrEnum):
    DIAGNOSIS = "diagnosis"
    PROCEDURE = "procedure"


class CodeSystem(StrEnum):
    ICD10CM = "ICD-10-CM"
    HCPCS = "HCPCS"
    CPT = "CPT"


class ClinicalStatus(StrEnum):
    ACTIVE = "active"
    RESOLVED = "resolved"


class ReviewStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"


# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodedEntryInput:
    """One pick from a code picker: the code, the code set's version it came from and the
    description shown at the time (kept as a snapshot)."""

    code: str
    description: str
    code_set_version: str
    system: str = CodeSystem.ICD10CM.value
    status: str = ClinicalStatus.ACTIVE.value
    primary: bool = False


@dataclass(frozen=True)
class VisitInput:
    """The visit form. `None` leaves a field as it is; "" clears it. Diagnoses and procedures,
    when given, replace the visit's whole list."""

    reason: str | None = None
    symptoms: str | None = None
    history_medical: str | None = None
    history_medication: str | None = None
    history_allergy: str | None = None
    examination: str | None = None
    assessment: str | None = None
    plan: str | None = None
    diagnoses: tuple[CodedEntryInput, ...] | None = None
    procedures: tuple[CodedEntryInput, ...] | None = None


@dataclass(frozen=True)
class VitalsInput:
    """Raw readings from a form or the command line, with their units. A value may be a
    number or text ("38.2"); units: temperature C|F, weight kg|lb, height cm|in."""

    temperature: float | str | None = None
    temperature_unit: str = "C"
    pulse: float | str | None = None
    systolic: float | str | None = None
    diastolic: float | str | None = None
    respiratory_rate: float | str | None = None
    spo2: float | str | None = None
    weight: float | str | None = None
    weight_unit: str = "kg"
    height: float | str | None = None
    height_unit: str = "cm"
    measured_at: datetime | None = None


@dataclass(frozen=True)
class RecordInput:
    record_type: str
    title: str
    body: str
    recorded_at: datetime | None = None
    visit_id: str | None = None


# --- outputs ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Vitals:
    id: str
    visit_id: str
    measured_at: datetime
    recorded_by_id: str
    temperature_c: float | None
    pulse_bpm: int | None
    systolic_mmhg: int | None
    diastolic_mmhg: int | None
    respiratory_rate: int | None
    spo2_percent: int | None
    weight_kg: float | None
    height_cm: float | None
    bmi: float | None


@dataclass(frozen=True)
class CodedEntry:
    id: str
    kind: CodeKind
    system: str
    code: str
    code_set_version: str
    description: str
    clinical_status: ClinicalStatus
    is_primary: bool


@dataclass(frozen=True)
class Addendum:
    id: str
    target_type: TargetType
    target_id: str
    field: str | None  # the visit field it corrects, shown beside it
    text: str
    author_id: str
    created_at: datetime


@dataclass(frozen=True)
class AttachmentInfo:
    id: str
    patient_id: str
    owner_type: TargetType
    owner_id: str
    filename: str
    content_type: str
    declared_type: str | None
    type_mismatch: bool
    problems: tuple[str, ...]
    size_bytes: int
    sha256: str
    added_by_id: str
    created_at: datetime


@dataclass(frozen=True)
class Annotation:
    id: str
    target_type: TargetType
    target_id: str
    patient_id: str
    author_id: str
    annotated_at: datetime
    target_sha256: str
    text: str
    signature: str
    signature_valid: bool  # False when the stored row no longer matches its signature


@dataclass(frozen=True)
class VisitSummary:
    """What any role that may open visits sees; `reason` is None without clinical access."""

    id: str
    patient_id: str
    started_at: datetime
    clinician_id: str
    appointment_id: str | None
    status: VisitStatus
    reason: str | None
    version: int


@dataclass(frozen=True)
class Visit:
    summary: VisitSummary
    clinical_visible: bool
    symptoms: str | None
    history_medical: str | None
    history_medication: str | None
    history_allergy: str | None
    examination: str | None
    assessment: str | None
    plan: str | None
    signed_at: datetime | None
    signed_by_id: str | None
    content_sha256: str | None
    vitals: tuple[Vitals, ...]
    diagnoses: tuple[CodedEntry, ...]
    procedures: tuple[CodedEntry, ...]
    addenda: tuple[Addendum, ...]
    attachments: tuple[AttachmentInfo, ...]
    annotations: tuple[Annotation, ...]

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def status(self) -> VisitStatus:
        return self.summary.status

    @property
    def version(self) -> int:
        return self.summary.version

    def addenda_for(self, field: str) -> tuple[Addendum, ...]:
        """The corrections to show in place beside one field of the form."""
        return tuple(a for a in self.addenda if a.field == field)


@dataclass(frozen=True)
class ClinicalRecord:
    id: str
    patient_id: str
    visit_id: str | None
    record_type: RecordType
    title: str
    body: str
    recorded_at: datetime
    author_id: str
    content_sha256: str
    created_at: datetime
    addenda: tuple[Addendum, ...]
    attachments: tuple[AttachmentInfo, ...]
    annotations: tuple[Annotation, ...]


@dataclass(frozen=True)
class Assignment:
    id: str
    target_type: TargetType
    target_id: str
    patient_id: str
    assignee_id: str
    assigned_by_id: str
    status: ReviewStatus
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    annotation_id: str | None


@dataclass(frozen=True)
class WorklistItem:
    assignment: Assignment
    patient_name: str
    target_title: str  # the visit's reason or the record's title
    target_date: datetime
