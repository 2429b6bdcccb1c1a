"""The scheduling feature's services, built together by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from clinic_app.scheduling.attendance_service import AttendanceService
from clinic_app.scheduling.booking_service import BookingService
from clinic_app.scheduling.calendar_service import CalendarService
from clinic_app.scheduling.profile_service import DoctorProfileService
from clinic_app.scheduling.reminders import ReminderService
from clinic_app.scheduling.slot_service import SlotService
from clinic_app.security.authorization import Authorizer
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow


@dataclass(frozen=True)
class Scheduling:
    profiles: DoctorProfileService
    slots: SlotService
    booking: BookingService
    attendance: AttendanceService
    calendar: CalendarService
    reminders: ReminderService


def build_scheduling(
    db: Database,
    audit: AuditLog,
    authorizer: Authorizer,
    clock: Callable[[], datetime] = utcnow,
) -> Scheduling:
    return Scheduling(
        profiles=DoctorProfileService(db, audit, authorizer, clock),
        slots=SlotService(db, audit, authorizer, clock),
        booking=BookingService(db, audit, authorizer, clock),
        attendance=AttendanceService(db, audit, authorizer, clock),
        calendar=CalendarService(db, audit, authorizer, clock),
        reminders=ReminderService(db, audit, clock),
    )
