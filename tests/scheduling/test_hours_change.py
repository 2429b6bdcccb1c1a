"""Changing working hours never silently deletes a booked slot: open slots outside the new
hours are tombstoned, booked ones stay and are listed for the desk to move."""

from __future__ import annotations

from datetime import date

from clinic_app.scheduling.hours import parse_weekly
from clinic_app.scheduling.models import BookingRequest, SlotSearch, SlotStatus
from clinic_app.scheduling.validation import parse_time

from tests.scheduling.conftest import Clinic
from tests.store_inspection import outbox_entries, scalar


def _live(clinic: Clinic, extra: str = "") -> int:
    return int(
        scalar(clinic.services.db, f"SELECT count(*) FROM slots WHERE deleted_at IS NULL {extra}")
    )


def test_shorter_hours_list_the_bookings_to_move_and_delete_nothing_booked(
    clinic: Clinic,
) -> None:
    clinic.profile()  # weekdays 08:00–12:00 and 13:00–17:00, 15-minute slots
    clinic.generate(date(2026, 3, 4), date(2026, 3, 10))
    patient = clinic.patient()
    booking = clinic.scheduling.booking
    afternoon = booking.book_earliest(
        clinic.desk,
        SlotSearch(date_from=date(2026, 3, 5), time_from=parse_time("15:00")),
        BookingRequest(patient),
    )
    morning = booking.book_earliest(
        clinic.desk, SlotSearch(date_from=date(2026, 3, 5)), BookingRequest(patient)
    )
    before = _live(clinic)
    change = clinic.scheduling.profiles.set_hours(
        clinic.admin, clinic.doctor.id, parse_weekly("mon-fri=08:00-12:00")
    )
    assert [a.id for a in change.appointments_to_move] == [afternoon.id]
    assert change.appointments_to_move[0].patient_name == "Lovelace, Ada"
    # Five afternoons of 16 slots each, less the booked one, were removed; nothing was added.
    assert change.removed_slots == 5 * 16 - 1
    assert change.created_slots == 0
    assert _live(clinic) == before - change.removed_slots
    db = clinic.services.db
    assert scalar(db, "SELECT status FROM slots WHERE id = ?", afternoon.slot_id) == "booked"
    assert scalar(db, "SELECT deleted_at FROM slots WHERE id = ?", afternoon.slot_id) is None
    assert scalar(db, "SELECT status FROM appointments WHERE id = ?", afternoon.id) == "booked"
    assert scalar(db, "SELECT status FROM appointments WHERE id = ?", morning.id) == "booked"
    # Removed slots are tombstones with outbox entries, never hard deletes.
    removed = scalar(db, "SELECT count(*) FROM slots WHERE deleted_at IS NOT NULL")
    assert removed == change.removed_slots
    deletes = [
        e for e in outbox_entries(db) if e.entity_type == "slots" and e.operation == "delete"
    ]
    assert len(deletes) == removed


def test_longer_hours_and_a_new_consultation_length_relayout_the_open_slots(
    clinic: Clinic,
) -> None:
    clinic.profile()
    clinic.generate(date(2026, 3, 4), date(2026, 3, 6))
    patient = clinic.patient()
    held = clinic.scheduling.booking.book_earliest(
        clinic.desk, SlotSearch(date_from=date(2026, 3, 5)), BookingRequest(patient)
    )
    clinic.profile(minutes=20, hours="mon-fri=08:00-12:00,13:00-18:00")
    view = clinic.scheduling.calendar.day_view(clinic.desk, date(2026, 3, 5), clinic.doctor.id)
    entries = view.columns[0].entries
    starts = [f"{e.local_start:%H:%M}" for e in entries]
    # The 08:00–08:15 booking stays; the 20-minute grid fills around it without overlapping.
    assert starts[:3] == ["08:00", "08:20", "08:40"]
    assert entries[0].appointment is not None
    assert entries[0].appointment.id == held.id
    assert entries[0].local_end.minute == 15
    assert starts[-1] == "17:40"
    lengths = {(e.ends_at - e.starts_at).seconds // 60 for e in entries[1:]}
    assert lengths == {20}
    assert all(e.slot_status is SlotStatus.OPEN for e in entries[1:])


def test_blocked_slots_outside_new_hours_go_but_manual_ones_stay(clinic: Clinic) -> None:
    from datetime import time

    clinic.profile()
    clinic.generate(date(2026, 3, 4), date(2026, 3, 6))
    late = clinic.scheduling.booking.find_earliest(
        clinic.desk, SlotSearch(date_from=date(2026, 3, 5), time_from=time(16, 0))
    )
    assert late is not None
    clinic.scheduling.slots.block(clinic.desk, late.id, "staff meeting")
    saturday = clinic.scheduling.slots.add_slot(
        clinic.desk, clinic.doctor.id, date(2026, 3, 7), time(9, 0)
    )
    clinic.scheduling.profiles.set_hours(
        clinic.admin, clinic.doctor.id, parse_weekly("mon-fri=08:00-12:00")
    )
    db = clinic.services.db
    assert scalar(db, "SELECT deleted_at IS NOT NULL FROM slots WHERE id = ?", late.id) == 1
    assert scalar(db, "SELECT deleted_at FROM slots WHERE id = ?", saturday.id) is None
