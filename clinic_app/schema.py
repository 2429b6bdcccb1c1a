"""Imports every table module so `metadata` is complete (for migrations and tests)."""

from __future__ import annotations

from clinic_app.codes.tables import CodeNoteRow, CodeRow, CodeSetRow
from clinic_app.imaging.tables import (
    AnalysisReviewRow,
    AnalysisRow,
    InstanceChunkRow,
    InstanceRow,
    SeriesRow,
    StudyRow,
)
from clinic_app.notifications.tables import NotificationRow
from clinic_app.patients.tables import PatientRow
from clinic_app.records.tables import (
    AddendumRow,
    AnnotationRow,
    AttachmentChunkRow,
    AttachmentRow,
    ClinicalRecordRow,
    CodedEntryRow,
    ReviewAssignmentRow,
    VisitRow,
    VitalSignsRow,
)
from clinic_app.scheduling.tables import (
    AppointmentRow,
    AppointmentStatusChangeRow,
    DoctorLeaveRow,
    DoctorProfileRow,
    SlotRow,
)
from clinic_app.security.tables import UserRow
from clinic_app.storage.audit import AuditEventRow
from clinic_app.storage.base import Base
from clinic_app.storage.meta import MetaRow
from clinic_app.storage.outbox import OutboxRow
from clinic_app.sync.tables import (
    SyncBinaryRow,
    SyncConflictRow,
    SyncInboxRow,
    SyncLogRow,
    SyncQuarantineRow,
    SyncStateRow,
)
from clinic_app.triage.tables import TriageAssessmentRow

metadata = Base.metadata

__all__ = [
    "AddendumRow",
    "AnalysisReviewRow",
    "AnalysisRow",
    "AnnotationRow",
    "AppointmentRow",
    "AppointmentStatusChangeRow",
    "AttachmentChunkRow",
    "AttachmentRow",
    "AuditEventRow",
    "ClinicalRecordRow",
    "CodeNoteRow",
    "CodeRow",
    "CodeSetRow",
    "CodedEntryRow",
    "DoctorLeaveRow",
    "DoctorProfileRow",
    "InstanceChunkRow",
    "InstanceRow",
    "MetaRow",
    "NotificationRow",
    "OutboxRow",
    "PatientRow",
    "ReviewAssignmentRow",
    "SeriesRow",
    "SlotRow",
    "StudyRow",
    "SyncBinaryRow",
    "SyncConflictRow",
    "SyncInboxRow",
    "SyncLogRow",
    "SyncQuarantineRow",
    "SyncStateRow",
    "TriageAssessmentRow",
    "UserRow",
    "VisitRow",
    "VitalSignsRow",
    "metadata",
]
