"""On the day: check-in (arrival), no-show; reading one appointment with its history.

Check-in records the arrival and returns a `CheckIn` with what opening the visit needs
(patient, doctor, appointment ids). Opening the visit belongs to the records feature; this
package must not import it, so the composition root (bootstrap / UI controller) chains
`attendance.check_in(...)` then `visits.open_visit(user, c.patient_id, appointment_id=c.id)`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from clinic_app.errors import ValidationError
from clinic_app.scheduling import references
from clinic_app.scheduling.access import RECORD_TYPE_APPOINTMENT
from clinic_app.scheduling.appointment_rules import check_transition, record_change, release
from clinic_app.scheduling.local_time import local_today, zone
from clinic_app.scheduling.models import (
    AppointmentDetail,
    AppointmentStatus,
    AppointmentSummary,
    CheckIn,
)
from clinic_app.scheduling.summaries import (
    appointment_summaries,
    appointment_summary,
    patient_name,
    status_change_of,
)
from clinic_app.scheduling.tables import AppointmentRow, AppointmentStatusChangeRow
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow

MAX_HISTORY = 200


class AttendanceService:
    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        authorizer: Authorizer,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._audit = audit
        self._authz = authorizer
        self._clock = clock

    def check_in(self, user: AuthenticatedUser, appointment_id: str) -> CheckIn:
        self._authz.require(
            user,
            Action.APPOINTMENT_CHECK_IN,
            record_type=RECORD_TYPE_APPOINTMENT,
            record_id=appointment_id,
        )
        now = self._clock()
        with self._db.unit_of_work() as uow:
            row = references.appointment(uow.session, appointment_id)
            previous = check_transition(row, AppointmentStatus.ARRIVED)
            tz = zone(references.profile(uow.session, row.doctor_id).time_zone)
            if row.local_date != local_today(now, tz):
                raise ValidationError(
                    f"This appointment is on {row.local_date.isoformat()}, not today."
                )
            row.status = AppointmentStatus.ARRIVED.value
            row.arrived_at = now
            uow.flush()
            record_change(uow.session, row, previous, AppointmentStatus.ARRIVED, user.id, now)
            self._audit_write(uow.session, user, "appointment.check_in", row)
            summary = self._summary(uow.session, row)
            uow.commit()
            return CheckIn(summary, row.patient_id, row.doctor_id, row.id, now)

    def no_show(self, user: AuthenticatedUser, appointment_id: str) -> AppointmentSummary:
        self._authz.require(
            user,
            Action.APPOINTMENT_CHECK_IN,
            record_type=RECORD_TYPE_APPOINTMENT,
            record_id=appointment_id,
        )
        now = self._clock()
        with self._db.unit_of_work() as uow:
            row = references.appointment(uow.session, appointment_id)
            previous = check_transition(row, AppointmentStatus.NO_SHOW)
            if row.starts_at > now:
                raise ValidationError("This appointment has not started yet.")
            row.status = AppointmentStatus.NO_SHOW.value
            release(uow.session, row.slot_id)
            uow.flush()
            record_change(uow.session, row, previous, AppointmentStatus.NO_SHOW, user.id, now)
            self._audit_write(uow.session, user, "appointment.no_show", row)
            uow.commit()
            return self._summary(uow.session, row)

    def get(self, user: AuthenticatedUser, appointment_id: str) -> AppointmentDetail:
        """One appointment with its status history (a doctor: their own only)."""
        self._require_read(user)
        with self._db.unit_of_work() as uow:
            row = references.appointment(uow.session, appointment_id)
            doctor_id = row.doctor_id
            if self._may_read(user, doctor_id):
                history = uow.session.scalars(
                    select(AppointmentStatusChangeRow)
                    .where(AppointmentStatusChangeRow.appointment_id == row.id)
                    # Same instant (one clock tick): insertion order, which rowid keeps.
                    .order_by(AppointmentStatusChangeRow.changed_at, literal_column("rowid"))
                    .limit(MAX_HISTORY)
                )
                detail = AppointmentDetail(
                    appointment=self._summary(uow.session, row),
                    note=row.note,
                    cancel_reason=row.cancel_reason,
                    history=[status_change_of(change) for change in history],
                )
                self._audit_read(uow.session, user, "appointment.view", row.id, 1)
                uow.commit()
                return detail
        # Refused outside the unit of work: the Authorizer audits the refusal in its own.
        self._authz.require(
            user, Action.SCHEDULE_READ, record_type=RECORD_TYPE_APPOINTMENT, record_id=doctor_id
        )
        raise AssertionError("unreachable: the doctor may not read this appointment")

    def patient_appointments(
        self, user: AuthenticatedUser, patient_id: str, *, limit: int = 100
    ) -> list[AppointmentSummary]:
        """A patient's appointments, latest first (a doctor sees those with them only)."""
        self._require_read(user)
        if not 1 <= limit <= 500:
            raise ValidationError("The limit must be between 1 and 500.")
        query = select(AppointmentRow).where(
            AppointmentRow.patient_id == patient_id, AppointmentRow.deleted_at.is_(None)
        )
        if not user.can(Action.SCHEDULE_READ):
            query = query.where(AppointmentRow.doctor_id == user.id)
        with self._db.unit_of_work() as uow:
            rows = list(
                uow.session.scalars(query.order_by(AppointmentRow.starts_at.desc()).limit(limit))
            )
            result = appointment_summaries(uow.session, rows)
            self._audit_read(uow.session, user, "appointment.list_patient", patient_id, len(rows))
            uow.commit()
            return result

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    def _may_read(user: AuthenticatedUser, doctor_id: str | None) -> bool:
        if user.can(Action.SCHEDULE_READ):
            return True
        return user.can(Action.SCHEDULE_READ_OWN) and doctor_id in (None, user.id)

    def _require_read(self, user: AuthenticatedUser) -> None:
        """Some calendar right, checked against the stored account (a doctor's own is enough
        here; which appointments they may see is narrowed afterwards)."""
        action = (
            Action.SCHEDULE_READ if user.can(Action.SCHEDULE_READ) else Action.SCHEDULE_READ_OWN
        )
        self._authz.require(user, action, record_type=RECORD_TYPE_APPOINTMENT)

    def _summary(self, session: Session, row: AppointmentRow) -> AppointmentSummary:
        patient = references.patient(session, row.patient_id)
        tz = zone(references.profile(session, row.doctor_id).time_zone)
        return appointment_summary(row, patient_name(patient.family_name, patient.given_name), tz)

    def _audit_write(
        self, session: Session, user: AuthenticatedUser, action: str, row: AppointmentRow
    ) -> None:
        self._audit.append(
            session,
            user.actor,
            action,
            record_type=RECORD_TYPE_APPOINTMENT,
            record_id=row.id,
            details={"patient_id": row.patient_id},
        )

    def _audit_read(
        self, session: Session, user: AuthenticatedUser, action: str, record_id: str, count: int
    ) -> None:
        self._audit.append(
            session,
            user.actor,
            action,
            record_type=RECORD_TYPE_APPOINTMENT,
            record_id=record_id,
            details={"results": count},
        )


def mark_confirmed(session: Session, appointment_id: str, server_version: str | None) -> bool:
    """For the sync engine: the server accepted this booking. Returns False when unknown."""
    row = session.get(AppointmentRow, appointment_id)
    if row is None:
        return False
    row.confirmed = True
    if server_version is not None:
        row.version_id = server_version
    return True
