"""The scheduling feature's services, built together by the composition root
(`Services.scheduling`). Every call takes the signed-in user and returns frozen values.

What the calendar GUI calls (all on the database lane of the TaskRunner):

- views:        `calendar.day_view(user, day, doctor_id=None)`, `calendar.week_view(user,
                monday, doctor_id=None)` → CalendarView (columns of DoctorDay, entries with
                slot status, block reason, appointment type/status: colour from those);
                `calendar.queue(user)` (today's arrivals), `calendar.day_list(user, day)`
                (printable), `calendar.reminder_calls(user)` (tomorrow, with phone numbers).
- booking:      `booking.find_earliest(user, SlotSearch(...))` → SlotView | None, then
                `booking.book(user, slot_id, BookingRequest(patient_id, type, link, note))`,
                or `booking.book_earliest(user, search, request)` in one step. A lost race
                raises SlotTakenError: show its message and offer `exc.next_slot`.
- drag to reschedule: drop an appointment on a slot →
                `booking.reschedule(user, appointment_id, slot_id, expected_version=version)`
                (ConflictError when it changed meanwhile; SlotTakenError when the slot is held).
- on the day:   `booking.walk_in`, `booking.cancel(user, id, reason)`,
                `attendance.check_in(user, id)` → CheckIn, `attendance.no_show`,
                `attendance.get(user, id)` (detail and status history).
- set-up:       `profiles.save_profile / set_hours / add_leave / remove_leave` return a
                ScheduleChange listing appointments now outside working time (to move);
                `slots.generate / add_slot / block / unblock`.

Check-in opens the visit: the records feature does that and scheduling must not import it.
The composition root (or the UI controller) chains `attendance.check_in(...)` and then
`visits.open_visit(user, c.patient_id, appointment_id=c.appointment_id)`.
`reminders.send_reminders()` runs periodically as the system (start-up and every 15 minutes).
"""

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
