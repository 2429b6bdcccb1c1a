"""Booking: find the earliest free slot, book a slot (or the earliest that fits), walk-ins,
reschedule and cancel.

No double booking: booking marks the slot and inserts the appointment in one write transaction
(BEGIN IMMEDIATE, so writers queue), and the partial UNIQUE index on appointments(slot_id)
refuses a second active appointment whatever path wrote it. The loser of a race gets
SlotTakenError with the doctor's next free slot. Bookings made here start provisional
(`confirmed` False) until the sync engine has the server confirm them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinic_app.errors import ConflictError, NotFoundError, ValidationError
from clinic_app.scheduling import references
from clinic_app.scheduling.access import RECORD_TYPE_APPOINTMENT, require_calendar
from clinic_app.scheduling.appointment_rules import (
    check_request,
    check_transition,
    is_double_booking,
    occupy,
    record_change,
    release,
)
from clinic_app.scheduling.earliest import check_search, earliest_open_slot, next_open_after
from clinic_app.scheduling.errors import SlotTakenError
from clinic_app.scheduling.local_time import local_today, zone
from clinic_app.scheduling.models import (
    AppointmentStatus,
    AppointmentSummary,
    AppointmentType,
    BookingRequest,
    SlotSearch,
    SlotStatus,
    SlotView,
)
from clinic_app.scheduling.summaries import appointment_summary, patient_name, slot_view
from clinic_app.scheduling.tables import AppointmentRow, SlotRow
from clinic_app.scheduling.validation import MAX_NOTE, clean_text
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow

log = logging.getLogger(__name__)


def _first_day(now: datetime) -> date:
    """The earliest local date anywhere (UTC-14 is the furthest behind). Slots already started
    are excluded by `now` itself, so this is only the default start of the search window."""
    return (now - timedelta(hours=14)).date()


class _SlotHeldError(Exception):
    """Internal: the slot is held; carries what's needed to offer the next one."""

    def __init__(self, doctor_id: str, after: datetime) -> None:
        self.doctor_id = doctor_id
        self.after = after


class BookingService:
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

    # --- finding ------------------------------------------------------------------------

    def find_earliest(self, user: AuthenticatedUser, search: SlotSearch) -> SlotView | None:
        """The earliest open slot that fits, or None. Free slots hold no patient data: not
        audited."""
        require_calendar(self._authz, user, search.doctor_id)
        now = self._clock()
        check_search(search, _first_day(now))
        with self._db.unit_of_work(write=False) as uow:
            row = earliest_open_slot(uow.session, search, now, _first_day(now))
            return self._view(uow.session, row) if row is not None else None

    # --- booking ------------------------------------------------------------------------

    def book(
        self, user: AuthenticatedUser, slot_id: str, request: BookingRequest
    ) -> AppointmentSummary:
        self._authz.require(user, Action.APPOINTMENT_BOOK, record_type=RECORD_TYPE_APPOINTMENT)
        checked = check_request(request)
        return self._guarded(
            lambda session: self._book_slot(
                session, user, references.slot(session, slot_id), request.patient_id, checked
            )
        )

    def book_earliest(
        self, user: AuthenticatedUser, search: SlotSearch, request: BookingRequest
    ) -> AppointmentSummary:
        """Finds and books the earliest fitting slot in one transaction."""
        self._authz.require(user, Action.APPOINTMENT_BOOK, record_type=RECORD_TYPE_APPOINTMENT)
        checked = check_request(request)
        now = self._clock()
        check_search(search, _first_day(now))

        def run(session: Session) -> AppointmentSummary:
            slot = earliest_open_slot(session, search, now, _first_day(now))
            if slot is None:
                raise NotFoundError("No free slot fits these constraints.")
            return self._book_slot(session, user, slot, request.patient_id, checked)

        return self._guarded(run)

    def walk_in(
        self,
        user: AuthenticatedUser,
        patient_id: str,
        doctor_id: str,
        appointment_type: AppointmentType | str = AppointmentType.FIRST_VISIT,
        note: str | None = None,
    ) -> AppointmentSummary:
        """A patient who came without an appointment: no slot, arrived now."""
        self._authz.require(user, Action.APPOINTMENT_BOOK, record_type=RECORD_TYPE_APPOINTMENT)
        kind, _link, clean_note = check_request(
            BookingRequest(patient_id, appointment_type, None, note)
        )
        if kind is AppointmentType.TELEHEALTH:
            raise ValidationError("A walk-in is seen in person, not by telehealth.")
        now = self._clock()
        with self._db.unit_of_work() as uow:
            patient = references.patient(uow.session, patient_id)
            references.doctor_user(uow.session, doctor_id)
            profile = references.profile(uow.session, doctor_id)
            tz = zone(profile.time_zone)
            row = AppointmentRow(
                patient_id=patient.id,
                doctor_id=doctor_id,
                slot_id=None,
                starts_at=now,
                ends_at=now + timedelta(minutes=profile.consultation_minutes),
                local_date=local_today(now, tz),
                appointment_type=kind.value,
                status=AppointmentStatus.ARRIVED.value,
                walk_in=True,
                confirmed=False,
                note=clean_note,
                arrived_at=now,
                booked_by=user.id,
            )
            uow.session.add(row)
            uow.flush()
            record_change(
                uow.session, row, None, AppointmentStatus.ARRIVED, user.id, now, "walk-in"
            )
            self._audit_write(uow.session, user, "appointment.walk_in", row)
            uow.commit()
            return appointment_summary(
                row, patient_name(patient.family_name, patient.given_name), tz
            )

    # --- changing -----------------------------------------------------------------------

    def reschedule(
        self,
        user: AuthenticatedUser,
        appointment_id: str,
        new_slot_id: str,
        expected_version: int | None = None,
    ) -> AppointmentSummary:
        """Moves a booked appointment to another open slot (any doctor: drag across columns)."""
        self._authz.require(
            user,
            Action.APPOINTMENT_BOOK,
            record_type=RECORD_TYPE_APPOINTMENT,
            record_id=appointment_id,
        )

        def run(session: Session) -> AppointmentSummary:
            row = self._current(session, appointment_id, expected_version)
            check_transition(row, AppointmentStatus.BOOKED)
            slot = references.slot(session, new_slot_id)
            if slot.id == row.slot_id:
                raise ValidationError("The appointment is already in this slot.")
            self._check_bookable(session, slot)
            release(session, row.slot_id)
            occupy(row, slot)
            row.reminder_sent_at = None
            row.confirmed = False  # a changed booking is provisional again
            session.flush()
            now = self._clock()
            record_change(
                session,
                row,
                AppointmentStatus.BOOKED,
                AppointmentStatus.BOOKED,
                user.id,
                now,
                "rescheduled",
            )
            self._audit_write(session, user, "appointment.reschedule", row)
            return self._summary(session, row)

        return self._guarded(run)

    def cancel(
        self,
        user: AuthenticatedUser,
        appointment_id: str,
        reason: str,
        expected_version: int | None = None,
    ) -> AppointmentSummary:
        self._authz.require(
            user,
            Action.APPOINTMENT_BOOK,
            record_type=RECORD_TYPE_APPOINTMENT,
            record_id=appointment_id,
        )
        clean_reason = clean_text(reason, "reason", MAX_NOTE, required=True)
        with self._db.unit_of_work() as uow:
            row = self._current(uow.session, appointment_id, expected_version)
            previous = check_transition(row, AppointmentStatus.CANCELLED)
            row.status = AppointmentStatus.CANCELLED.value
            row.cancel_reason = clean_reason
            release(uow.session, row.slot_id)
            uow.flush()
            record_change(
                uow.session,
                row,
                previous,
                AppointmentStatus.CANCELLED,
                user.id,
                self._clock(),
                clean_reason,
            )
            self._audit_write(uow.session, user, "appointment.cancel", row)
            uow.commit()
            return self._summary(uow.session, row)

    # --- helpers ------------------------------------------------------------------------

    def _guarded(self, work: Callable[[Session], AppointmentSummary]) -> AppointmentSummary:
        """Runs a booking; turns "someone got there first" into SlotTakenError with an offer."""
        try:
            with self._db.unit_of_work() as uow:
                result = work(uow.session)
                uow.commit()
                return result
        except _SlotHeldError as taken:
            offer = self._offer(taken.doctor_id, taken.after)
        except IntegrityError as exc:
            if not is_double_booking(exc):
                raise
            log.info("double booking refused by the database")
            offer = None
        raise SlotTakenError(offer)

    def _offer(self, doctor_id: str, after: datetime) -> SlotView | None:
        with self._db.unit_of_work(write=False) as uow:
            row = next_open_after(uow.session, doctor_id, max(after, self._clock()))
            return self._view(uow.session, row) if row is not None else None

    def _check_bookable(self, session: Session, slot: SlotRow) -> None:
        references.doctor_user(session, slot.doctor_id)
        if slot.status == SlotStatus.BLOCKED.value:
            reason = f" ({slot.block_reason})" if slot.block_reason else ""
            raise ValidationError(f"This slot is blocked{reason}.")
        if slot.starts_at < self._clock():
            raise ValidationError("This slot has already started; choose a later one.")
        if slot.status == SlotStatus.BOOKED.value:
            raise _SlotHeldError(slot.doctor_id, slot.starts_at)

    def _book_slot(
        self,
        session: Session,
        user: AuthenticatedUser,
        slot: SlotRow,
        patient_id: str,
        checked: tuple[AppointmentType, str | None, str | None],
    ) -> AppointmentSummary:
        kind, link, note = checked
        patient = references.patient(session, patient_id)
        self._check_bookable(session, slot)
        row = AppointmentRow(
            patient_id=patient.id,
            appointment_type=kind.value,
            status=AppointmentStatus.BOOKED.value,
            walk_in=False,
            confirmed=False,
            meeting_link=link,
            note=note,
            booked_by=user.id,
        )
        occupy(row, slot)
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:
            if is_double_booking(exc):
                raise _SlotHeldError(slot.doctor_id, slot.starts_at) from exc
            raise
        record_change(session, row, None, AppointmentStatus.BOOKED, user.id, self._clock())
        self._audit_write(session, user, "appointment.book", row)
        return self._summary(session, row)

    @staticmethod
    def _current(session: Session, appointment_id: str, expected: int | None) -> AppointmentRow:
        row = references.appointment(session, appointment_id)
        if expected is not None and row.version != expected:
            raise ConflictError(
                "This appointment was changed by someone else after you opened it. Reload it."
            )
        return row

    def _summary(self, session: Session, row: AppointmentRow) -> AppointmentSummary:
        patient = references.patient(session, row.patient_id)
        tz = zone(references.profile(session, row.doctor_id).time_zone)
        return appointment_summary(row, patient_name(patient.family_name, patient.given_name), tz)

    @staticmethod
    def _view(session: Session, row: SlotRow) -> SlotView:
        return slot_view(row, zone(references.profile(session, row.doctor_id).time_zone))

    def _audit_write(
        self, session: Session, user: AuthenticatedUser, action: str, row: AppointmentRow
    ) -> None:
        self._audit.append(
            session,
            user.actor,
            action,
            record_type=RECORD_TYPE_APPOINTMENT,
            record_id=row.id,
            details={"slot_id": row.slot_id, "patient_id": row.patient_id},
        )
