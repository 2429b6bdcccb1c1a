"""Drag to reschedule through real mouse events on the calendar grid: the store follows; a
slot taken meanwhile is explained and its next free slot offered; an appointment changed
meanwhile is refused and the calendar reloaded; a drop on a booked slot writes nothing."""

from __future__ import annotations

from datetime import datetime

from clinic_app.scheduling.models import AppointmentStatus, BookingRequest, SlotStatus
from clinic_app.security.permissions import Role
from clinic_app.ui.scheduling.calendar_grid_view import CalendarGridView
from clinic_app.ui.scheduling.calendar_layout import PlacedEntry
from clinic_app.ui.scheduling.schedule_page import SchedulePage
from clinic_app.ui.widgets.confirm_dialog import ConfirmDialog
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from tests.ui.scheduling.conftest import GuiClinic, PageFactory


def entry_of_slot(grid: CalendarGridView, slot_id: str) -> PlacedEntry:
    placed = grid.find_entry(lambda e: e.slot_id == slot_id)
    assert placed is not None
    return placed


def drag(qtbot: QtBot, grid: CalendarGridView, source: PlacedEntry, target: PlacedEntry) -> None:
    """Press on the source, move past the drag distance, on to the target, release there."""
    viewport = grid.viewport()
    start, end = grid.entry_centre(source), grid.entry_centre(target)
    assert viewport.rect().contains(start), "the source is on screen"
    assert viewport.rect().contains(end), "the target is on screen"
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, pos=start + QPoint(0, QApplication.startDragDistance() + 4))
    qtbot.mouseMove(viewport, pos=end)
    assert grid.drop_target is target, "the highlight follows the pointer"
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


def desk_page_with(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> tuple[SchedulePage, str]:
    appointment = gui_clinic.book("Lovelace", datetime(2026, 3, 4, 9, 0))
    page = open_page(Role.FRONT_DESK)
    return page, appointment


def test_dragging_an_appointment_to_a_free_slot_moves_it_in_the_store(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    page, appointment = desk_page_with(qtbot, gui_clinic, open_page)
    grid = page.calendar_view.grid
    source = grid.find_entry(
        lambda e: e.appointment is not None and e.appointment.id == appointment
    )
    old_slot = gui_clinic.slot_id(gui_clinic.doctor_id, datetime(2026, 3, 4, 9, 0))
    new_slot = gui_clinic.slot_id(gui_clinic.doctor_id, datetime(2026, 3, 5, 10, 0))
    assert source is not None

    with qtbot.waitSignal(page.reschedule.rescheduled, timeout=10_000):
        drag(qtbot, grid, source, entry_of_slot(grid, new_slot))
    qtbot.waitUntil(lambda: page.calendar.settled, timeout=10_000)

    moved = gui_clinic.appointment(appointment)
    assert moved.slot_id == new_slot
    assert moved.local_start.replace(tzinfo=None) == datetime(2026, 3, 5, 10, 0)
    assert moved.status is AppointmentStatus.BOOKED
    placed = grid.find_entry(
        lambda e: e.appointment is not None and e.appointment.id == appointment
    )
    assert placed is not None
    assert placed.entry.slot_id == new_slot, "the calendar shows it at its new time"
    assert entry_of_slot(grid, old_slot).entry.slot_status is SlotStatus.OPEN


def test_a_slot_taken_meanwhile_is_explained_and_the_next_one_offered(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    page, appointment = desk_page_with(qtbot, gui_clinic, open_page)
    grid = page.calendar_view.grid
    source = grid.find_entry(
        lambda e: e.appointment is not None and e.appointment.id == appointment
    )
    wanted = gui_clinic.slot_id(gui_clinic.doctor_id, datetime(2026, 3, 4, 10, 0))
    target = entry_of_slot(grid, wanted)
    assert source is not None
    # Another workstation books the slot after this calendar was drawn.
    gui_clinic.clinic.scheduling.booking.book(
        gui_clinic.clinic.desk, wanted, BookingRequest(gui_clinic.patients["Okafor"])
    )

    with qtbot.waitSignal(page.reschedule.offer_shown, timeout=10_000) as offered:
        drag(qtbot, grid, source, target)
    dialog = offered.args[0]
    assert isinstance(dialog, ConfirmDialog)
    assert "just taken" in dialog.text()
    assert "10:15" in dialog.text()
    assert dialog.confirm_button.text() == "Move to Wed 4 Mar 10:15"
    assert gui_clinic.appointment(appointment).local_start.hour == 9, "not moved yet"

    with qtbot.waitSignal(page.reschedule.rescheduled, timeout=10_000):
        dialog.confirm_button.click()
    moved = gui_clinic.appointment(appointment)
    assert moved.local_start.replace(tzinfo=None) == datetime(2026, 3, 4, 10, 15)


def test_an_appointment_changed_meanwhile_is_refused_and_the_calendar_reloaded(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    page, appointment = desk_page_with(qtbot, gui_clinic, open_page)
    grid = page.calendar_view.grid
    source = grid.find_entry(
        lambda e: e.appointment is not None and e.appointment.id == appointment
    )
    assert source is not None
    elsewhere = gui_clinic.slot_id(gui_clinic.doctor_id, datetime(2026, 3, 5, 11, 0))
    gui_clinic.clinic.scheduling.booking.reschedule(gui_clinic.clinic.desk, appointment, elsewhere)
    target = entry_of_slot(
        grid, gui_clinic.slot_id(gui_clinic.doctor_id, datetime(2026, 3, 4, 10, 30))
    )

    with qtbot.waitSignal(page.calendar.calendar_shown, timeout=10_000):
        drag(qtbot, grid, source, target)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox), timeout=5000)
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    assert "Changed by someone else" in box.text()
    assert "changed by someone else after you opened it" in box.informativeText()
    box.close()
    assert gui_clinic.appointment(appointment).slot_id == elsewhere, "the other change stands"
    placed = grid.find_entry(
        lambda e: e.appointment is not None and e.appointment.id == appointment
    )
    assert placed is not None
    assert placed.entry.slot_id == elsewhere, "reloaded: shown where it really is"


def test_a_drop_on_a_booked_slot_is_refused_with_a_reason_and_writes_nothing(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    other = gui_clinic.book("Okafor", datetime(2026, 3, 4, 10, 0))
    page, appointment = desk_page_with(qtbot, gui_clinic, open_page)
    grid = page.calendar_view.grid
    source = grid.find_entry(
        lambda e: e.appointment is not None and e.appointment.id == appointment
    )
    target = grid.find_entry(lambda e: e.appointment is not None and e.appointment.id == other)
    assert source is not None
    assert target is not None
    before = gui_clinic.appointment(appointment)

    with (
        qtbot.assertNotEmitted(grid.reschedule_requested),
        qtbot.waitSignal(grid.drop_refused, timeout=5000) as refused,
    ):
        drag(qtbot, grid, source, target)
    assert "already booked" in refused.args[0]
    assert page.calendar_view.message_label.text() == refused.args[0]
    assert gui_clinic.appointment(appointment) == before
