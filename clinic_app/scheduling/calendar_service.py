"""Calendar reads for the GUI and the CLI: day and week views per doctor or for the whole
clinic, today's queue, the printable day list and tomorrow's reminder calls.

Views read with plain column queries (no ORM identity map) on the `local_date` indexes: a busy
clinic's week is a few thousand slots and appointments. Every call that shows patients writes
one audit event (counts only).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_app.errors import ValidationError
from clinic_app.scheduling.access import RECORD_TYPE_APPOINTMENT, require_calendar
from clinic_app.scheduling.calendar_models import (
    CalendarEntry,
    CalendarView,
    DayListRow,
    DoctorDay,
    QueueEntry,
    ReminderCall,
)
from clinic_app.scheduling.calendar_rows import (
    SLOT_STATUSES,
    AppointmentRecord,
    Doctor,
    RowReader,
    day_row,
    frozen,
    paused_gc,
)
from clinic_app.scheduling.local_time import local_today, zone
from clinic_app.scheduling.models import (
    ACTIVE_STATUSES,
    AppointmentStatus,
)
from clinic_app.scheduling.tables import DoctorProfileRow
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.tables import UserRow
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow

MAX_VIEW_DAYS = 31
MAX_VIEW_DOCTORS = 500
_SHOWN = [s.value for s in (*ACTIVE_STATUSES, AppointmentStatus.NO_SHOW)]
_ACTIVE = {s.value for s in ACTIVE_STATUSES}


class CalendarService:
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

    # --- views --------------------------------------------------------------------------

    def day_view(
        self, user: AuthenticatedUser, day: date, doctor_id: str | None = None
    ) -> CalendarView:
        return self.range_view(user, day, day, doctor_id)

    def week_view(
        self, user: AuthenticatedUser, week_start: date, doctor_id: str | None = None
    ) -> CalendarView:
        """Seven days from `week_start` (the GUI passes its Monday)."""
        return self.range_view(user, week_start, week_start + timedelta(days=6), doctor_id)

    def range_view(
        self,
        user: AuthenticatedUser,
        date_from: date,
        date_to: date,
        doctor_id: str | None = None,
        *,
        include_cancelled: bool = False,
        doctor_ids: Sequence[str] | None = None,
    ) -> CalendarView:
        """`doctor_id`: one doctor's calendar; `doctor_ids`: the doctors whose columns are on
        screen (a clinic's week is ~16,000 entries for 50 doctors: load what is shown);
        neither: the whole clinic."""
        wanted = [doctor_id] if doctor_id is not None else list(doctor_ids or []) or None
        if wanted is not None and len(wanted) > MAX_VIEW_DOCTORS:
            raise ValidationError(f"A calendar view shows at most {MAX_VIEW_DOCTORS} doctors.")
        own = wanted[0] if wanted is not None and len(set(wanted)) == 1 else None
        require_calendar(self._authz, user, own)
        if date_to < date_from or (date_to - date_from).days >= MAX_VIEW_DAYS:
            raise ValidationError(f"A calendar view spans 1 to {MAX_VIEW_DAYS} days.")
        with self._db.unit_of_work() as uow:
            doctors = self._doctors(uow.session, wanted)
            ids = [d.id for d in doctors]
            with paused_gc():
                columns, shown = self._columns(
                    uow.session, doctors, date_from, date_to, ids, include_cancelled
                )
            self._audit_read(uow.session, user, "schedule.view", own, shown)
            uow.commit()
        return CalendarView(date_from, date_to, columns)

    def queue(
        self, user: AuthenticatedUser, day: date | None = None, doctor_id: str | None = None
    ) -> list[QueueEntry]:
        """The day's active appointments in time order, with arrivals and waiting time."""
        require_calendar(self._authz, user, doctor_id)
        now = self._clock()
        with self._db.unit_of_work() as uow:
            doctors = {d.id: d for d in self._doctors(uow.session, doctor_id)}
            the_day = day or self._clinic_today(uow.session, now)
            rows = self._appointments(uow.session, the_day, the_day, doctors, False)
            entries = []
            for r in rows:
                if r.status not in {AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED}:
                    continue
                doctor = doctors[r.doctor_id]
                waiting = None
                if r.status == AppointmentStatus.ARRIVED and r.arrived_at is not None:
                    waiting = max(0, int((now - r.arrived_at).total_seconds() // 60))
                entries.append(
                    QueueEntry(
                        appointment=RowReader.summary(r),
                        doctor_name=doctor.name,
                        room=doctor.room,
                        arrived=r.arrived_at is not None,
                        waiting_minutes=waiting,
                    )
                )
            self._audit_read(uow.session, user, "schedule.queue", doctor_id, len(entries))
            uow.commit()
        return entries

    def day_list(
        self, user: AuthenticatedUser, day: date, doctor_id: str | None = None
    ) -> list[DayListRow]:
        """The printable list: every active appointment of the day, by doctor then time."""
        require_calendar(self._authz, user, doctor_id)
        with self._db.unit_of_work() as uow:
            doctors = {d.id: d for d in self._doctors(uow.session, doctor_id)}
            rows = self._appointments(uow.session, day, day, doctors, False)
            result = [day_row(r, doctors[r.doctor_id]) for r in rows]
            result.sort(key=lambda row: (row.doctor_name, row.local_start))
            self._audit_read(uow.session, user, "schedule.day_list", doctor_id, len(result))
            uow.commit()
        return result

    def reminder_calls(
        self, user: AuthenticatedUser, day: date | None = None
    ) -> list[ReminderCall]:
        """Tomorrow's (or `day`'s) booked appointments with the patients' phone numbers."""
        self._authz.require(user, Action.SCHEDULE_READ, record_type=RECORD_TYPE_APPOINTMENT)
        self._authz.require(user, Action.PATIENT_READ, record_type="patient")
        with self._db.unit_of_work() as uow:
            doctors = {d.id: d for d in self._doctors(uow.session, None)}
            the_day = day or self._clinic_today(uow.session, self._clock()) + timedelta(days=1)
            rows = self._appointments(uow.session, the_day, the_day, doctors, False)
            calls = [
                ReminderCall(
                    appointment_id=r.id,
                    local_start=r.starts_at.astimezone(doctors[r.doctor_id].tz),
                    doctor_name=doctors[r.doctor_id].name,
                    patient_id=r.patient_id,
                    patient_name=f"{r.family_name}, {r.given_name}",
                    phone=r.phone,
                    confirmed=r.confirmed,
                )
                for r in rows
                if r.status == AppointmentStatus.BOOKED
            ]
            calls.sort(key=lambda call: (call.local_start, call.patient_name))
            self._audit_read(uow.session, user, "schedule.reminder_calls", None, len(calls))
            uow.commit()
        return calls

    # --- helpers ------------------------------------------------------------------------

    def _columns(
        self,
        session: Session,
        doctors: list[Doctor],
        date_from: date,
        date_to: date,
        ids: list[str],
        include_cancelled: bool,
    ) -> tuple[list[DoctorDay], int]:
        by_id = {d.id: d for d in doctors}
        reader = RowReader()
        zones = {d.id: d.tz for d in doctors}
        entries: dict[tuple[str, date], list[CalendarEntry]] = defaultdict(list)
        slot_rows = reader.slots(session, date_from, date_to, zones)
        appointments = self._appointments(
            session, date_from, date_to, by_id, include_cancelled, reader
        )
        holding = {r.slot_id: r for r in appointments if r.slot_id and r.status in _ACTIVE}
        placed: set[str] = set()
        for s in slot_rows:
            held = holding.get(s.id)
            if held is not None:
                placed.add(held.id)
            entries[(s.doctor_id, s.local_date)].append(
                frozen(
                    CalendarEntry,
                    starts_at=s.starts_at,
                    ends_at=s.ends_at,
                    local_start=s.local_start,
                    local_end=s.local_end,
                    slot_id=s.id,
                    slot_status=SLOT_STATUSES[s.status],
                    block_reason=s.block_reason,
                    slot_version=s.version,
                    appointment=reader.summary(held) if held is not None else None,
                )
            )
        # Walk-ins, no-shows and cancellations: appointments not drawn inside a slot.
        for r in appointments:
            if r.id in placed:
                continue
            summary = reader.summary(r)
            entries[(r.doctor_id, r.local_date)].append(
                frozen(
                    CalendarEntry,
                    starts_at=r.starts_at,
                    ends_at=r.ends_at,
                    local_start=summary.local_start,
                    local_end=summary.local_end,
                    slot_id=None,
                    slot_status=None,
                    block_reason=None,
                    slot_version=None,
                    appointment=summary,
                )
            )
        columns = []
        for doctor in doctors:
            day = date_from
            while day <= date_to:
                items = entries.get((doctor.id, day), [])
                items.sort(key=lambda entry: entry.starts_at)
                columns.append(
                    DoctorDay(
                        doctor.id,
                        doctor.name,
                        doctor.specialisation,
                        doctor.room,
                        doctor.time_zone,
                        day,
                        items,
                    )
                )
                day += timedelta(days=1)
        return columns, len(appointments)

    @staticmethod
    def _appointments(
        session: Session,
        date_from: date,
        date_to: date,
        doctors: Mapping[str, Doctor],
        cancelled: bool,
        reader: RowReader | None = None,
    ) -> list[AppointmentRecord]:
        statuses = [*_SHOWN, AppointmentStatus.CANCELLED.value] if cancelled else _SHOWN
        zones = {doctor_id: doctor.tz for doctor_id, doctor in doctors.items()}
        return (reader or RowReader()).appointments(session, date_from, date_to, zones, statuses)

    @staticmethod
    def _doctors(session: Session, doctor_ids: str | list[str] | None) -> list[Doctor]:
        query = (
            select(
                UserRow.id,
                UserRow.display_name,
                DoctorProfileRow.specialisation,
                DoctorProfileRow.room,
                DoctorProfileRow.time_zone,
            )
            .join(DoctorProfileRow, DoctorProfileRow.user_id == UserRow.id)
            .where(DoctorProfileRow.deleted_at.is_(None))
            .order_by(UserRow.display_name, UserRow.id)
        )
        if isinstance(doctor_ids, str):
            query = query.where(UserRow.id == doctor_ids)
        elif doctor_ids is not None:
            query = query.where(UserRow.id.in_(doctor_ids))
        return [
            Doctor(i, name, spec, room, tz_name, zone(tz_name))
            for i, name, spec, room, tz_name in session.execute(query)
        ]

    @staticmethod
    def _clinic_today(session: Session, now: datetime) -> date:
        """Today in the clinic's zone: the zone most doctor profiles use (UTC when none)."""
        name = session.scalar(
            select(DoctorProfileRow.time_zone)
            .where(DoctorProfileRow.deleted_at.is_(None))
            .group_by(DoctorProfileRow.time_zone)
            .order_by(func.count().desc(), DoctorProfileRow.time_zone)
            .limit(1)
        )
        return local_today(now, zone(name or "UTC"))

    def _audit_read(
        self,
        session: Session,
        user: AuthenticatedUser,
        action: str,
        doctor_id: str | None,
        count: int,
    ) -> None:
        self._audit.append(
            session,
            user.actor,
            action,
            record_type=RECORD_TYPE_APPOINTMENT,
            record_id=doctor_id,
            details={"results": count},
        )
