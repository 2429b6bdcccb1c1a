"""Imports every table module so `metadata` is complete (for migrations and tests)."""

from __future__ import annotations

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

metadata = Base.metadata

__all__ = [
    "AnalysisReviewRow",
    "AnalysisRow",
    "AppointmentRow",
    "AppointmentStatusChangeRow",
    "AuditEventRow",
    "DoctorLeaveRow",
    "DoctorProfileRow",
    "InstanceChunkRow",
    "InstanceRow",
    "MetaRow",
    "NotificationRow",
    "OutboxRow",
    "PatientRow",
    "SeriesRow",
    "SlotRow",
    "StudyRow",
    "UserRow",
    "metadata",
]
