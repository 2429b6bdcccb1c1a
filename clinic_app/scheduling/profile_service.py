"""Doctor profiles: specialisation, consultation length, time zone, room, weekly hours and
breaks, days off and leave. Changing any of them re-applies the rules to the doctor's future
slots (see slot_layout): nothing booked is deleted; bookings now outside working time are
returned for the desk to move."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.scheduling import references
from clinic_app.scheduling.access import RECORD_TYPE_PROFILE, require_calendar
from clinic_app.scheduling.earliest import fold_specialisation
from clinic_app.scheduling.hours import check_weekly, to_json
from clinic_app.scheduling.local_time import zone
from clinic_app.scheduling.models import (
    DoctorProfile,
    DoctorProfileInput,
    Leave,
    LeaveKind,
    ScheduleChange,
    WeeklyHours,
)
from clinic_app.scheduling.slot_layout import apply_rules
from clinic_app.scheduling.summaries import appointment_summaries, leave_of, profile_of
from clinic_app.scheduling.tables import AppointmentRow, DoctorLeaveRow, DoctorProfileRow
from clinic_app.scheduling.validation import (
    MAX_CONSULTATION,
    MAX_REASON,
    MAX_ROOM,
    MAX_SPECIALISATION,
    MIN_CONSULTATION,
    check_range,
    clean_text,
)
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.tables import UserRow
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow

log = logging.getLogger(__name__)


def _check_profile(data: DoctorProfileInput) -> tuple[str, str | None]:
    specialisation = clean_text(
        data.specialisation, "specialisation", MAX_SPECIALISATION, required=True
    )
    assert specialisation is not None
    if "\n" in specialisation:
        raise ValidationError("The specialisation is one line.", {"specialisation": "One line."})
    if not isinstance(data.consultation_minutes, int) or not (
        MIN_CONSULTATION <= data.consultation_minutes <= MAX_CONSULTATION
    ):
        raise ValidationError(
            f"A consultation lasts {MIN_CONSULTATION} to {MAX_CONSULTATION} minutes.",
            {"consultation_minutes": f"{MIN_CONSULTATION}–{MAX_CONSULTATION}."},
        )
    zone(data.time_zone)
    room = clean_text(data.room, "room", MAX_ROOM)
    return specialisation, room


class DoctorProfileService:
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

    # --- writes -------------------------------------------------------------------------

    def save_profile(
        self, user: AuthenticatedUser, doctor_id: str, data: DoctorProfileInput
    ) -> tuple[DoctorProfile, ScheduleChange]:
        """Creates or replaces a doctor's profile, then re-applies it to future slots."""
        self._authz.require(
            user, Action.SCHEDULE_MANAGE, record_type=RECORD_TYPE_PROFILE, record_id=doctor_id
        )
        specialisation, room = _check_profile(data)
        hours = check_weekly(data.weekly_hours)
        breaks = check_weekly(data.breaks, "breaks")
        with self._db.unit_of_work() as uow:
            doctor = references.doctor_user(uow.session, doctor_id)
            row = uow.session.scalar(
                select(DoctorProfileRow).where(DoctorProfileRow.user_id == doctor.id)
            )
            if row is None:
                row = DoctorProfileRow(user_id=doctor.id, active=True)
                uow.session.add(row)
            row.deleted_at = None
            row.specialisation = specialisation
            row.specialisation_fold = fold_specialisation(specialisation)
            row.consultation_minutes = data.consultation_minutes
            row.time_zone = data.time_zone.strip()
            row.room = room
            row.weekly_hours = to_json(hours)
            row.breaks = to_json(breaks)
            uow.flush()
            change = self._reapply(uow.session, row, user, "schedule.profile_save")
            uow.commit()
            return profile_of(row, doctor.display_name), change

    def set_hours(
        self,
        user: AuthenticatedUser,
        doctor_id: str,
        weekly_hours: WeeklyHours,
        breaks: WeeklyHours | None = None,
    ) -> ScheduleChange:
        self._authz.require(
            user, Action.SCHEDULE_MANAGE, record_type=RECORD_TYPE_PROFILE, record_id=doctor_id
        )
        hours = check_weekly(weekly_hours)
        clean_breaks = check_weekly(breaks, "breaks") if breaks is not None else None
        with self._db.unit_of_work() as uow:
            references.doctor_user(uow.session, doctor_id)
            row = references.profile(uow.session, doctor_id)
            row.weekly_hours = to_json(hours)
            if clean_breaks is not None:
                row.breaks = to_json(clean_breaks)
            uow.flush()
            change = self._reapply(uow.session, row, user, "schedule.hours_set")
            uow.commit()
            return change

    def add_leave(
        self,
        user: AuthenticatedUser,
        doctor_id: str,
        start: date,
        end: date,
        kind: LeaveKind | str = LeaveKind.LEAVE,
        reason: str | None = None,
    ) -> tuple[Leave, ScheduleChange]:
        self._authz.require(
            user, Action.SCHEDULE_MANAGE, record_type=RECORD_TYPE_PROFILE, record_id=doctor_id
        )
        check_range(start, end)
        try:
            leave_kind = LeaveKind(kind)
        except ValueError as exc:
            raise ValidationError(
                "Leave is a day_off or leave.", {"kind": "day_off|leave"}
            ) from exc
        clean_reason = clean_text(reason, "reason", MAX_REASON)
        with self._db.unit_of_work() as uow:
            references.doctor_user(uow.session, doctor_id)
            profile = references.profile(uow.session, doctor_id)
            leave = DoctorLeaveRow(
                doctor_id=doctor_id,
                start_date=start,
                end_date=end,
                kind=leave_kind.value,
                reason=clean_reason,
            )
            uow.session.add(leave)
            uow.flush()
            change = self._reapply(uow.session, profile, user, "schedule.leave_add")
            uow.commit()
            return leave_of(leave), change

    def remove_leave(self, user: AuthenticatedUser, leave_id: str) -> ScheduleChange:
        self._authz.require(user, Action.SCHEDULE_MANAGE, record_type="doctor_leave")
        with self._db.unit_of_work() as uow:
            leave = uow.session.get(DoctorLeaveRow, (leave_id or "")[:36])
            if leave is None or leave.deleted_at is not None:
                raise NotFoundError("No such leave.")
            leave.deleted_at = self._clock()
            uow.flush()
            profile = references.profile(uow.session, leave.doctor_id)
            change = self._reapply(uow.session, profile, user, "schedule.leave_remove")
            uow.commit()
            return change

    # --- reads --------------------------------------------------------------------------

    def get(self, user: AuthenticatedUser, doctor_id: str) -> DoctorProfile:
        require_calendar(self._authz, user, doctor_id)
        with self._db.unit_of_work(write=False) as uow:
            row = references.profile(uow.session, doctor_id)
            doctor = references.doctor_user(uow.session, doctor_id)
            return profile_of(row, doctor.display_name)

    def list_profiles(
        self, user: AuthenticatedUser, specialisation: str | None = None
    ) -> list[DoctorProfile]:
        """Active doctors with a profile, by name (for the booking dialog's doctor list)."""
        require_calendar(self._authz, user, None)
        query = (
            select(DoctorProfileRow, UserRow.display_name)
            .join(UserRow, UserRow.id == DoctorProfileRow.user_id)
            .where(
                DoctorProfileRow.deleted_at.is_(None),
                DoctorProfileRow.active.is_(True),
                UserRow.active.is_(True),
            )
            .order_by(UserRow.display_name)
        )
        if specialisation:
            query = query.where(
                DoctorProfileRow.specialisation_fold == fold_specialisation(specialisation)
            )
        with self._db.unit_of_work(write=False) as uow:
            return [profile_of(row, name) for row, name in uow.session.execute(query)]

    def list_leave(self, user: AuthenticatedUser, doctor_id: str) -> list[Leave]:
        require_calendar(self._authz, user, doctor_id)
        with self._db.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(
                select(DoctorLeaveRow)
                .where(DoctorLeaveRow.doctor_id == doctor_id, DoctorLeaveRow.deleted_at.is_(None))
                .order_by(DoctorLeaveRow.start_date)
            )
            return [leave_of(row) for row in rows]

    # --- helpers ------------------------------------------------------------------------

    def _reapply(
        self, session: Session, profile: DoctorProfileRow, user: AuthenticatedUser, action: str
    ) -> ScheduleChange:
        result = apply_rules(session, profile, references.rules(session, profile), self._clock())
        moving = list(
            session.scalars(
                select(AppointmentRow).where(AppointmentRow.id.in_(result.appointment_ids_to_move))
            )
        )
        moving.sort(key=lambda row: row.starts_at)
        self._audit.append(
            session,
            user.actor,
            action,
            record_type=RECORD_TYPE_PROFILE,
            record_id=profile.user_id,
            details={
                "slots_created": result.created,
                "slots_removed": result.removed,
                "appointments_to_move": len(moving),
            },
        )
        log.info(
            "schedule rules applied: doctor=%s created=%d removed=%d to_move=%d",
            profile.user_id,
            result.created,
            result.removed,
            len(moving),
        )
        return ScheduleChange(
            removed_slots=result.removed,
            created_slots=result.created,
            appointments_to_move=appointment_summaries(session, moving),
        )
