"""The booking dialog through its widgets: a patient from the suggestions, "Find earliest",
Book; a slot taken between finding and booking; walk-ins; bad input → messages, nothing
written."""

from __future__ import annotations

from datetime import datetime

from clinic_app.patients.models import PatientSummary
from clinic_app.scheduling.models import AppointmentStatus, AppointmentType, BookingRequest
from clinic_app.security.permissions import Role
from clinic_app.ui.scheduling.booking_controller import BookingController
from clinic_app.ui.scheduling.schedule_page import SchedulePage
from clinic_app.ui.shell.shell_page import ShellCommand
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from tests.ui.scheduling.conftest import GuiClinic, PageFactory


def open_dialog(qtbot: QtBot, page: SchedulePage) -> BookingController:
    assert page.handle_command(ShellCommand.NEW), "Ctrl+N books on this page"
    booking = page.booking
    assert booking is not None
    qtbot.waitExposed(booking.dialog)
    return booking


def patient(gui_clinic: GuiClinic, family: str) -> PatientSummary:
    page = gui_clinic.services.patients.search(gui_clinic.clinic.desk, family)
    return next(p for p in page.items if p.family_name == family)


def choose_doctor(booking: BookingController, label: str) -> None:
    combo = booking.dialog.doctor_combo
    index = combo.findText(label)
    assert index >= 0, label
    combo.setCurrentIndex(index)


def find(qtbot: QtBot, booking: BookingController) -> None:
    with qtbot.waitSignal(booking.slot_shown, timeout=10_000):
        booking.dialog.find_button.click()


def test_books_the_earliest_slot_for_a_patient_chosen_from_the_suggestions(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    page = open_page(Role.FRONT_DESK)
    booking = open_dialog(qtbot, page)
    dialog = booking.dialog
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    dialog.patient_edit.setFocus()
    with qtbot.waitSignal(booking.suggestions_shown, timeout=10_000):
        qtbot.keyClicks(dialog.patient_edit, "lovel")
    popup = dialog.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    assert booking.model.rowCount() == 1
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert booking.patient is not None
    assert booking.patient.family_name == "Lovelace"
    assert dialog.patient_edit.text() == "Lovelace, Ada"

    choose_doctor(booking, "Greg House · Dermatology")
    find(qtbot, booking)
    assert booking.slot is not None
    assert booking.slot.local_start.replace(tzinfo=None) == datetime(2026, 3, 4, 8, 0)
    assert "Wed 4 Mar 08:00" in dialog.slot_label.text()
    assert "Greg House" in dialog.slot_label.text()
    assert dialog.book_button.isEnabled()

    with qtbot.waitSignal(booking.booked, timeout=10_000) as booked:
        dialog.book_button.click()
    appointment = booked.args[0]
    stored = gui_clinic.appointment(appointment.id)
    assert stored.patient_id == gui_clinic.patients["Lovelace"]
    assert stored.slot_id == gui_clinic.slot_id(gui_clinic.doctor_id, datetime(2026, 3, 4, 8, 0))
    assert stored.appointment_type is AppointmentType.FIRST_VISIT
    assert not dialog.isVisible()
    qtbot.waitUntil(
        lambda: (
            page.calendar_view.grid.find_entry(
                lambda e: e.appointment is not None and e.appointment.id == appointment.id
            )
            is not None
        ),
        timeout=10_000,
    )


def test_a_slot_taken_between_finding_and_booking_offers_the_next_one(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    page = open_page(Role.FRONT_DESK)
    booking = open_dialog(qtbot, page)
    booking.choose_patient(patient(gui_clinic, "Lovelace"))
    choose_doctor(booking, "Any doctor in Cardiology")
    find(qtbot, booking)
    assert booking.slot is not None
    taken = booking.slot
    assert taken.doctor_id == gui_clinic.other_doctor_id
    gui_clinic.clinic.scheduling.booking.book(
        gui_clinic.clinic.desk, taken.id, BookingRequest(gui_clinic.patients["Okafor"])
    )

    with qtbot.waitSignal(booking.failed, timeout=10_000):
        booking.dialog.book_button.click()
    assert "just taken" in booking.dialog.error_text()
    assert booking.slot is not None
    assert booking.slot.local_start.replace(tzinfo=None) == datetime(2026, 3, 4, 9, 15)
    assert booking.dialog.book_button.isEnabled(), "the next slot is offered, ready to book"
    assert booking.dialog.isVisible()

    with qtbot.waitSignal(booking.booked, timeout=10_000) as booked:
        booking.dialog.book_button.click()
    stored = gui_clinic.appointment(booked.args[0].id)
    assert stored.patient_id == gui_clinic.patients["Lovelace"]
    assert stored.local_start.replace(tzinfo=None) == datetime(2026, 3, 4, 9, 15)
    assert gui_clinic.appointment_count() == 2


def test_bad_input_shows_messages_and_writes_nothing(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    page = open_page(Role.FRONT_DESK)
    booking = open_dialog(qtbot, page)
    dialog = booking.dialog
    form = dialog.form

    # No patient chosen.
    find(qtbot, booking)
    with qtbot.waitSignal(booking.failed, timeout=5000):
        dialog.book_button.click()
    assert form.error_text("patient_id") == "Choose a patient from the suggestions."

    # The end of the date range before its start.
    booking.choose_patient(patient(gui_clinic, "Lovelace"))
    dialog.date_to_edit.setDate(QDate(2026, 3, 1))
    assert not dialog.book_button.isEnabled(), "the found slot no longer applies"
    with qtbot.waitSignal(booking.failed, timeout=5000):
        dialog.find_button.click()
    assert form.error_text("dates") == "Must not be before the start."
    assert "before the start date" in dialog.error_text()
    assert booking.slot is None

    # A telehealth appointment with a link that is not https.
    dialog.date_to_edit.setDate(QDate(2026, 3, 31))
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData(AppointmentType.TELEHEALTH))
    assert not dialog.form.first_invalid_editor()
    dialog.link_edit.setText("http://meet.example.org/room")
    find(qtbot, booking)
    with qtbot.waitSignal(booking.failed, timeout=5000):
        dialog.book_button.click()
    assert form.error_text("meeting_link") == "https://… address."
    assert dialog.isVisible()

    # A time window that ends before it starts.
    dialog.time_from_combo.setCurrentIndex(dialog.time_from_combo.findText("14:00"))
    dialog.time_to_combo.setCurrentIndex(dialog.time_to_combo.findText("09:00"))
    with qtbot.waitSignal(booking.failed, timeout=5000):
        dialog.find_button.click()
    assert form.error_text("times") == "Must be after the earliest time."

    assert gui_clinic.appointment_count() == 0, "nothing was written"

    # Corrected, the same dialog books the telehealth appointment with its link.
    dialog.time_to_combo.setCurrentIndex(0)
    dialog.link_edit.setText("https://meet.example.org/room-7")
    find(qtbot, booking)
    with qtbot.waitSignal(booking.booked, timeout=10_000) as booked:
        dialog.book_button.click()
    stored = gui_clinic.appointment(booked.args[0].id)
    assert stored.meeting_link == "https://meet.example.org/room-7"
    assert stored.local_start.hour >= 14


def test_a_walk_in_is_checked_in_at_once_with_the_chosen_doctor(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    page = open_page(Role.FRONT_DESK)
    booking = open_dialog(qtbot, page)
    booking.choose_patient(patient(gui_clinic, "Nakamura"))
    with qtbot.waitSignal(booking.failed, timeout=5000):
        booking.dialog.walk_in_button.click()
    assert booking.dialog.form.error_text("doctor") == "Choose the doctor who will see the patient."
    assert gui_clinic.appointment_count() == 0

    choose_doctor(booking, "Greg House · Dermatology")
    with qtbot.waitSignal(booking.booked, timeout=10_000) as booked:
        booking.dialog.walk_in_button.click()
    stored = gui_clinic.appointment(booked.args[0].id)
    assert stored.walk_in
    assert stored.status is AppointmentStatus.ARRIVED
    assert stored.doctor_id == gui_clinic.doctor_id


def test_double_clicking_a_free_slot_books_exactly_that_slot(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    page = open_page(Role.FRONT_DESK)
    grid = page.calendar_view.grid
    slot = gui_clinic.slot_id(gui_clinic.other_doctor_id, datetime(2026, 3, 5, 10, 30))
    placed = grid.find_entry(lambda e: e.slot_id == slot)
    assert placed is not None
    qtbot.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.entry_centre(placed))
    booking = page.booking
    assert booking is not None
    assert booking.slot is not None
    assert booking.slot.id == slot
    assert booking.dialog.doctor_choice() is not None
    assert booking.dialog.doctor_choice().value == gui_clinic.other_doctor_id  # type: ignore[union-attr]
    booking.choose_patient(patient(gui_clinic, "Andersen"))
    with qtbot.waitSignal(booking.booked, timeout=10_000) as booked:
        booking.dialog.book_button.click()
    assert gui_clinic.appointment(booked.args[0].id).slot_id == slot
