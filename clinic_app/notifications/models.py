"""Inbox values returned to the UI and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class NotificationKind(StrEnum):
    ASSIGNED = "assigned"  # a record or visit waits for your review
    ANNOTATION_ADDED = "annotation_added"  # someone annotated your patient's record
    APPOINTMENT_REMINDER = "appointment_reminder"
    SYNC_CONFLICT = "sync_conflict"
    SYSTEM = "system"


@dataclass(frozen=True)
class Notification:
    id: str
    kind: NotificationKind
    title: str
    body: str
    record_type: str | None
    record_id: str | None
    patient_id: str | None
    created_at: datetime
    read: bool
