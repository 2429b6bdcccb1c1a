"""Check-in opens the visit: the scheduling service records the arrival, then the records
service opens the encounter for the appointment's doctor. Scheduling must not import records,
so the two calls are chained here, in the GUI's task (plain Python, run on the database lane).

An appointment already checked in (say the visit could not be opened the first time) only gets
its visit opened; `open_visit` returns the visit already opened for an appointment.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinic_app.errors import ValidationError
from clinic_app.records.models import VisitSummary
from clinic_app.records.visit_service import VisitService
from clinic_app.scheduling.attendance_service import AttendanceService
from clinic_app.scheduling.models import AppointmentStatus, AppointmentSummary
from clinic_app.security.users import AuthenticatedUser


@dataclass(frozen=True)
class CheckedIn:
    appointment_id: str
    patient_id: str
    doctor_id: str
    visit: VisitSummary


def check_in_and_open_visit(
    attendance: AttendanceService,
    visits: VisitService,
    user: AuthenticatedUser,
    appointment: AppointmentSummary,
) -> CheckedIn:
    if appointment.status is AppointmentStatus.BOOKED:
        arrival = attendance.check_in(user, appointment.id)
        patient_id, doctor_id = arrival.patient_id, arrival.doctor_id
    elif appointment.status is AppointmentStatus.ARRIVED:
        patient_id, doctor_id = appointment.patient_id, appointment.doctor_id
    else:
        raise ValidationError("Only a booked appointment can be checked in.")
    visit = visits.open_visit(
        user, patient_id, appointment_id=appointment.id, clinician_id=doctor_id
    )
    return CheckedIn(appointment.id, patient_id, doctor_id, visit.summary)
