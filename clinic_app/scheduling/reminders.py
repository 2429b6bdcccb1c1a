"""Appointment reminders in the inbox: the doctor gets one per appointment in the coming day;
the front desk also gets one while the booking is still unconfirmed (so they can call).

`send_reminders(now)` is idempotent: an appointment is reminded once (`reminder_sent_at`), and a
rescheduled appointment is reminded again for its new time. The app calls it periodically
(e.g. every 15 minutes and at start-up); it runs as the system, with no user.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from clinic_app.notifications.models import NotificationKind
from clinic_app.notifications.service import post_notification
from clinic_app.scheduling.access import RECORD_TYPE_APPOINTMENT
from clinic_app.scheduling.models import AppointmentStatus, AppointmentType
from clinic_app.scheduling.summaries import doctor_zones
from clinic_app.scheduling.tables import AppointmentRow
from clinic_app.security.permissions import Role
from clinic_app.security.tables import UserRow
from clinic_app.storage.audit import SYSTEM_ACTOR, AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow

log = logging.getLogger(__name__)

DEFAULT_LEAD = timedelta(hours=24)
MAX_PER_RUN = 2000


class ReminderService:
    def __init__(
        self, db: Database, audit: AuditLog, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._db = db
        self._audit = audit
        self._clock = clock

    def send_reminders(self, now: datetime | None = None, lead: timedelta = DEFAULT_LEAD) -> int:
        """Posts reminders for booked appointments starting within `lead`; returns how many
        appointments were reminded in this run."""
        at = now or self._clock()
        with self._db.unit_of_work() as uow:
            session = uow.session
            rows = list(
                session.scalars(
                    select(AppointmentRow)
                    .where(
                        AppointmentRow.status == AppointmentStatus.BOOKED.value,
                        AppointmentRow.deleted_at.is_(None),
                        AppointmentRow.reminder_sent_at.is_(None),
                        AppointmentRow.starts_at > at,
                        AppointmentRow.starts_at <= at + lead,
                    )
                    .order_by(AppointmentRow.starts_at)
                    .limit(MAX_PER_RUN)
                )
            )
            if not rows:
                return 0
            users = dict(
                session.execute(
                    select(UserRow.id, UserRow.role).where(UserRow.active.is_(True))
                ).all()
            )
            desk = sorted(uid for uid, role in users.items() if role == Role.FRONT_DESK.value)
            zones = doctor_zones(session, {row.doctor_id for row in rows})
            for row in rows:
                local = row.starts_at.astimezone(zones[row.doctor_id])
                kind = AppointmentType(row.appointment_type).value.replace("_", " ")
                title = f"Appointment {local:%a %d %b %H:%M} ({kind})"
                recipients = [row.doctor_id] if users.get(row.doctor_id) == Role.DOCTOR else []
                if not row.confirmed:
                    recipients += desk
                for recipient in recipients:
                    post_notification(
                        session,
                        recipient_id=recipient,
                        kind=NotificationKind.APPOINTMENT_REMINDER,
                        title=title,
                        body="Not yet confirmed by the server." if not row.confirmed else "",
                        record_type=RECORD_TYPE_APPOINTMENT,
                        record_id=row.id,
                        patient_id=row.patient_id,
                    )
                row.reminder_sent_at = at
            uow.flush()
            self._audit.append(
                session,
                SYSTEM_ACTOR,
                "appointment.remind",
                record_type=RECORD_TYPE_APPOINTMENT,
                details={"appointments": len(rows)},
            )
            uow.commit()
        log.info("appointment reminders posted: %d", len(rows))
        return len(rows)
