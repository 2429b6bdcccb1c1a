"""Slots: generated from a doctor's rules over a date range, added one by one, blocked with a
reason and unblocked. Generation is idempotent: slots already there (or clashing with one) are
skipped, never duplicated."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from clinic_app.errors import ValidationError
from clinic_app.scheduling import references
from clinic_app.scheduling.access import RECORD_TYPE_SLOT
from clinic_app.scheduling.local_time import local_to_utc, zone
from clinic_app.scheduling.models import GeneratedSlots, SlotOrigin, SlotStatus, SlotView
from clinic_app.scheduling.slot_generation import candidate, generate
from clinic_app.scheduling.slot_layout import add_candidates, place_slot
from clinic_app.scheduling.summaries import slot_view
from clinic_app.scheduling.tables import SlotRow
from clinic_app.scheduling.validation import (
    MAX_CONSULTATION,
    MAX_REASON,
    MIN_CONSULTATION,
    check_range,
    clean_text,
)
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow

log = logging.getLogger(__name__)


class SlotService:
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

    def generate(
        self, user: AuthenticatedUser, doctor_id: str, date_from: date, date_to: date
    ) -> GeneratedSlots:
        """Lays the doctor's slots over local dates `date_from`..`date_to` (at most a year)."""
        self._authz.require(user, Action.SLOT_MANAGE, record_type=RECORD_TYPE_SLOT)
        check_range(date_from, date_to)
        now = self._clock()
        with self._db.unit_of_work() as uow:
            references.doctor_user(uow.session, doctor_id)
            profile = references.profile(uow.session, doctor_id)
            rules = references.rules(uow.session, profile)
            existing = list(
                uow.session.scalars(
                    select(SlotRow).where(
                        SlotRow.doctor_id == doctor_id,
                        SlotRow.deleted_at.is_(None),
                        SlotRow.local_date >= date_from - timedelta(days=1),
                        SlotRow.local_date <= date_to + timedelta(days=1),
                    )
                )
            )
            created, skipped = add_candidates(
                uow.session, doctor_id, generate(rules, date_from, date_to), now, existing
            )
            if profile.slots_until is None or profile.slots_until < date_to:
                profile.slots_until = date_to
            uow.flush()
            self._audit.append(
                uow.session,
                user.actor,
                "slot.generate",
                record_type=RECORD_TYPE_SLOT,
                record_id=doctor_id,
                details={"created": created, "skipped": skipped},
            )
            uow.commit()
        log.info("slots generated: doctor=%s created=%d skipped=%d", doctor_id, created, skipped)
        return GeneratedSlots(doctor_id, created, skipped, date_from, date_to)

    def add_slot(
        self,
        user: AuthenticatedUser,
        doctor_id: str,
        day: date,
        start: time,
        minutes: int | None = None,
    ) -> SlotView:
        """One extra slot at a local date and time (default length: the consultation's)."""
        self._authz.require(user, Action.SLOT_MANAGE, record_type=RECORD_TYPE_SLOT)
        with self._db.unit_of_work() as uow:
            references.doctor_user(uow.session, doctor_id)
            profile = references.profile(uow.session, doctor_id)
            length = profile.consultation_minutes if minutes is None else minutes
            if not isinstance(length, int) or not MIN_CONSULTATION <= length <= MAX_CONSULTATION:
                raise ValidationError(
                    f"A slot lasts {MIN_CONSULTATION} to {MAX_CONSULTATION} minutes.",
                    {"minutes": f"{MIN_CONSULTATION}–{MAX_CONSULTATION}."},
                )
            tz = zone(profile.time_zone)
            starts_at = local_to_utc(day, start.hour * 60 + start.minute, tz)
            ends_at = starts_at + timedelta(minutes=length)
            if starts_at < self._clock():
                raise ValidationError("A slot can't be added in the past.", {"start": "Past."})
            clash = uow.session.scalar(
                select(SlotRow.id).where(
                    SlotRow.doctor_id == doctor_id,
                    SlotRow.deleted_at.is_(None),
                    SlotRow.starts_at < ends_at,
                    SlotRow.ends_at > starts_at,
                )
            )
            if clash is not None:
                raise ValidationError(
                    "This time overlaps one of the doctor's slots.", {"start": "Overlaps a slot."}
                )
            row = place_slot(
                uow.session, doctor_id, candidate(starts_at, ends_at, tz), SlotOrigin.MANUAL
            )
            uow.flush()
            self._audit.append(
                uow.session, user.actor, "slot.add", record_type=RECORD_TYPE_SLOT, record_id=row.id
            )
            uow.commit()
            return slot_view(row, tz)

    def block(self, user: AuthenticatedUser, slot_id: str, reason: str) -> SlotView:
        self._authz.require(user, Action.SLOT_MANAGE, record_type=RECORD_TYPE_SLOT)
        clean_reason = clean_text(reason, "reason", MAX_REASON, required=True)
        return self._set_status(user, slot_id, SlotStatus.BLOCKED, clean_reason)

    def unblock(self, user: AuthenticatedUser, slot_id: str) -> SlotView:
        self._authz.require(user, Action.SLOT_MANAGE, record_type=RECORD_TYPE_SLOT)
        return self._set_status(user, slot_id, SlotStatus.OPEN, None)

    def _set_status(
        self, user: AuthenticatedUser, slot_id: str, status: SlotStatus, reason: str | None
    ) -> SlotView:
        with self._db.unit_of_work() as uow:
            row = references.slot(uow.session, slot_id)
            if row.status == SlotStatus.BOOKED.value:
                raise ValidationError("This slot is booked: move or cancel its appointment first.")
            changed = row.status != status.value or row.block_reason != reason
            row.status = status.value
            row.block_reason = reason
            uow.flush()
            if changed:
                action = "slot.block" if status is SlotStatus.BLOCKED else "slot.unblock"
                self._audit.append(
                    uow.session, user.actor, action, record_type=RECORD_TYPE_SLOT, record_id=row.id
                )
            profile = references.profile(uow.session, row.doctor_id)
            uow.commit()
            return slot_view(row, zone(profile.time_zone))
