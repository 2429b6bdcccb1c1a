"""The calendar's day and week views through the real page: the right appointments in the
right local-time rows (also across a daylight-saving change), navigation by keyboard, the
doctor filter, blocked slots, and who sees what."""

from __future__ import annotations

from datetime import date, datetime

from clinic_app.scheduling.models import AppointmentStatus, SlotStatus
from clinic_app.security.permissions import Role
from clinic_app.ui.scheduling.calendar_layout import CalendarMode, PlacedEntry
from clinic_app.ui.scheduling.calendar_painter import PX_PER_MINUTE, describe_entry
from clinic_app.ui.scheduling.doctor_filter import FilterKind
from clinic_app.ui.scheduling.schedule_page import SchedulePage
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.scheduling.conftest import TODAY, GuiClinic, PageFactory, wait_reload


def placed_appointment(page: SchedulePage, appointment_id: str) -> PlacedEntry:
    placed = page.calendar_view.grid.find_entry(
        lambda e: e.appointment is not None and e.appointment.id == appointment_id
    )
    assert placed is not None, "the appointment is on the grid"
    return placed


def row_minute(page: SchedulePage, placed: PlacedEntry) -> int:
    """The quarter-hour row of the time gutter the entry's centre is drawn in (pixels back to
    wall-clock minutes, independent of the layout's own numbers)."""
    geometry = page.calendar_view.grid.geometry_data
    centre = page.calendar_view.grid.entry_centre(placed).y()
    minute = geometry.first_minute + (centre - geometry.header + geometry.scroll_y) / PX_PER_MINUTE
    return int(minute) // 15 * 15


def choose_doctor(qtbot: QtBot, page: SchedulePage, doctor_id: str) -> None:
    combo = page.calendar_view.doctor_combo
    index = next(
        i
        for i in range(combo.count())
        if combo.itemData(i).kind is FilterKind.DOCTOR and combo.itemData(i).value == doctor_id
    )
    wait_reload(qtbot, page, lambda: combo.setCurrentIndex(index))


def press(qtbot: QtBot, page: SchedulePage, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
    wait_reload(qtbot, page, lambda: qtbot.keyClick(page.calendar_view.grid, key, modifier))


def test_week_view_shows_each_appointment_in_its_local_time_row(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    wednesday = gui_clinic.book("Lovelace", datetime(2026, 3, 4, 9, 0))
    friday = gui_clinic.book("Okafor", datetime(2026, 3, 6, 14, 30))
    cuddy = gui_clinic.book("Nakamura", datetime(2026, 3, 5, 10, 0), gui_clinic.other_doctor_id)
    page = open_page(Role.FRONT_DESK)

    assert page.calendar.mode is CalendarMode.WEEK
    assert page.calendar_view.period_label.text() == "2 – 8 March 2026"
    layout = page.calendar_view.grid.layout_data
    assert layout.grouped, "a week of two doctors groups each day's doctors"
    assert len(layout.columns) == 14
    for appointment_id, day, minute, doctor in (
        (wednesday, date(2026, 3, 4), 9 * 60, gui_clinic.doctor_id),
        (friday, date(2026, 3, 6), 14 * 60 + 30, gui_clinic.doctor_id),
        (cuddy, date(2026, 3, 5), 10 * 60, gui_clinic.other_doctor_id),
    ):
        placed = placed_appointment(page, appointment_id)
        column = layout.columns[placed.column]
        assert (column.day, column.doctor_id) == (day, doctor)
        assert placed.start_minute == minute
        assert row_minute(page, placed) == minute, "drawn in its local row, not its UTC one"
        assert placed.entry.appointment is not None
        assert placed.entry.appointment.starts_at.hour == minute // 60 - 1, "stored in UTC"
    assert layout.entry_count == sum(
        len(c.entries)
        for c in page.calendar.calendar.columns  # type: ignore[union-attr]
    )


def test_a_dst_week_keeps_wall_clock_rows_and_keys_navigate(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    clinic = gui_clinic.clinic
    clinic.profile(hours="mon-sun=08:00-12:00")
    clinic.generate(date(2026, 3, 23), date(2026, 3, 29))
    saturday = gui_clinic.book("Lovelace", datetime(2026, 3, 28, 9, 0))  # CET, UTC+1
    sunday = gui_clinic.book("Okafor", datetime(2026, 3, 29, 9, 0))  # CEST from 02:00, UTC+2
    page = open_page(Role.FRONT_DESK)
    choose_doctor(qtbot, page, gui_clinic.doctor_id)

    for _ in range(3):
        press(qtbot, page, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert page.calendar_view.period_label.text() == "23 – 29 March 2026"

    before, after = placed_appointment(page, saturday), placed_appointment(page, sunday)
    assert before.entry.appointment is not None
    assert after.entry.appointment is not None
    assert before.entry.appointment.starts_at.hour == 8
    assert after.entry.appointment.starts_at.hour == 7, "an hour earlier in UTC after the change"
    assert row_minute(page, before) == row_minute(page, after) == 9 * 60
    sunday_slots = [
        p.start_minute
        for p in page.calendar_view.grid.layout_data.by_column[after.column]
        if p.entry.slot_id
    ]
    assert sunday_slots == list(range(8 * 60, 12 * 60, 15)), "a morning with no gap or overlap"

    press(qtbot, page, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert page.calendar_view.period_label.text() == "16 – 22 March 2026"
    press(qtbot, page, Qt.Key.Key_T, Qt.KeyboardModifier.NoModifier)
    assert page.calendar.anchor == TODAY
    assert page.calendar_view.period_label.text() == "2 – 8 March 2026"


def test_day_view_has_a_column_per_doctor_and_shows_blocked_slots_greyed(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    clinic = gui_clinic.clinic
    meeting = gui_clinic.slot_id(gui_clinic.doctor_id, datetime(2026, 3, 4, 11, 0))
    clinic.scheduling.slots.block(clinic.desk, meeting, "Team meeting")
    booked = gui_clinic.book("Nakamura", datetime(2026, 3, 4, 9, 30), gui_clinic.other_doctor_id)
    page = open_page(Role.FRONT_DESK)

    press(qtbot, page, Qt.Key.Key_D, Qt.KeyboardModifier.NoModifier)
    assert page.calendar.mode is CalendarMode.DAY
    assert page.calendar_view.day_button.isChecked()
    assert page.calendar_view.period_label.text() == "Wed 4 March 2026"
    layout = page.calendar_view.grid.layout_data
    assert [c.title for c in layout.columns] == ["Greg House", "Lisa Cuddy"]
    assert "Dermatology" in layout.columns[0].subtitle
    blocked = page.calendar_view.grid.find_entry(lambda e: e.slot_id == meeting)
    assert blocked is not None
    assert blocked.entry.slot_status is SlotStatus.BLOCKED
    assert describe_entry(blocked.entry) == "11:00–11:15 · Blocked: Team meeting"
    placed = placed_appointment(page, booked)
    assert layout.columns[placed.column].doctor_id == gui_clinic.other_doctor_id
    assert placed.start_minute == 9 * 60 + 30

    press(qtbot, page, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert page.calendar.anchor == date(2026, 3, 5), "a day at a time in the day view"
    press(qtbot, page, Qt.Key.Key_W, Qt.KeyboardModifier.NoModifier)
    assert page.calendar.mode is CalendarMode.WEEK


def test_a_doctor_sees_only_their_own_calendar_and_cannot_move_appointments(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    own = gui_clinic.book("Lovelace", datetime(2026, 3, 4, 9, 0))
    other = gui_clinic.book("Okafor", datetime(2026, 3, 4, 9, 0), gui_clinic.other_doctor_id)
    page = open_page(Role.DOCTOR)

    combo = page.calendar_view.doctor_combo
    assert combo.count() == 1
    assert not combo.isEnabled()
    assert combo.itemData(0).value == gui_clinic.doctor_id
    layout = page.calendar_view.grid.layout_data
    assert {c.doctor_id for c in layout.columns} == {gui_clinic.doctor_id}
    assert not layout.grouped
    assert (
        page.calendar_view.grid.find_entry(
            lambda e: e.appointment is not None and e.appointment.id == other
        )
        is None
    )
    assert not page.calendar_view.book_button.isVisibleTo(page)
    assert not page.calendar_view.grid.drag_enabled
    assert page.tabs.count() == 2, "no reminder-call list (no clinic-wide calendar right)"

    grid = page.calendar_view.grid
    source = placed_appointment(page, own)
    target = grid.find_entry(lambda e: e.slot_id is not None and e.local_start.hour == 10)
    assert target is not None
    with qtbot.assertNotEmitted(grid.reschedule_requested):
        start, end = grid.entry_centre(source), grid.entry_centre(target)
        qtbot.mousePress(grid.viewport(), Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(grid.viewport(), pos=end)
        qtbot.mouseRelease(grid.viewport(), Qt.MouseButton.LeftButton, pos=end)
    assert gui_clinic.appointment(own).local_start.hour == 9


def test_the_desk_books_and_moves_and_the_nurse_checks_in(
    gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    desk = open_page(Role.FRONT_DESK)
    assert desk.calendar_view.book_button.isVisibleTo(desk)
    assert desk.calendar_view.grid.drag_enabled
    assert desk.tabs.count() == 3
    assert [desk.calendar_view.doctor_combo.itemText(i) for i in range(3)] == [
        "All doctors",
        "Greg House · Dermatology",
        "Lisa Cuddy · Cardiology",
    ]
    nurse = open_page(Role.NURSE)
    assert not nurse.calendar_view.book_button.isVisibleTo(nurse)
    assert not nurse.calendar_view.grid.drag_enabled
    assert not nurse.queue_view.check_in_button.isHidden()
    assert nurse.queue_view.walk_in_button.isHidden(), "walk-ins are booked by the desk"
    assert nurse.open_booking() is None


def test_a_clinic_without_doctor_profiles_shows_an_empty_state(
    qtbot: QtBot,
    services,
    users,
    task_runner,  # type: ignore[no-untyped-def]
) -> None:
    from clinic_app.ui.shell.shell_page import PageContext

    page = SchedulePage(PageContext(services, users[Role.FRONT_DESK], task_runner))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.calendar.calendar_shown, timeout=10_000):
        page.page_shown()
    assert page.calendar_view.showing_empty_state
    assert page.calendar_view.empty_state.title == "No doctor schedules yet"
    page.shutdown()


def test_statuses_are_shown_in_words_in_the_tooltip(
    gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    booked = gui_clinic.book("Lovelace", datetime(2026, 3, 4, 8, 0))
    gui_clinic.clinic.scheduling.attendance.check_in(gui_clinic.clinic.nurse, booked)
    page = open_page(Role.FRONT_DESK)
    placed = placed_appointment(page, booked)
    assert placed.entry.appointment is not None
    assert placed.entry.appointment.status is AppointmentStatus.ARRIVED
    text = describe_entry(placed.entry)
    assert text.startswith("08:00–08:15 · Lovelace, Ada")
    assert "First visit · Arrived" in text
    assert "provisional" in text
