"""Today's queue (check-in opens the visit, no-show, cancel with a reason), the reminder-call
list, the printable day list, and the reminder timer started at sign-in."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from clinic_app.scheduling.models import AppointmentStatus
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.ui.records.chart_target import ChartTarget
from clinic_app.ui.scheduling.cancel_appointment_dialog import CancelAppointmentDialog
from clinic_app.ui.scheduling.check_in_task import CheckedIn
from clinic_app.ui.scheduling.reminder_call_table_model import ReminderColumn
from clinic_app.ui.scheduling.reminder_timer import INTERVAL_MS, ReminderTimer
from clinic_app.ui.scheduling.schedule_page import SchedulePage
from clinic_app.ui.shell.shell_page import PageContext
from clinic_app.ui.tasks.task_runner import TaskRunner
from clinic_app.ui.widgets.confirm_dialog import ConfirmDialog
from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu
from pytestqt.qtbot import QtBot

from tests.scheduling.conftest import ManualClock
from tests.ui.scheduling.conftest import TODAY, GuiClinic, PageFactory


def show_queue(qtbot: QtBot, page: SchedulePage) -> None:
    with qtbot.waitSignal(page.queue.queue_shown, timeout=10_000):
        page.tabs.setCurrentWidget(page.queue_view)


def select(page: SchedulePage, appointment_id: str) -> None:
    row = page.queue_model.row_of(appointment_id)
    assert row >= 0
    page.queue_view.table.selectRow(row)


def test_checking_in_opens_the_visit_for_the_appointments_doctor(
    qtbot: QtBot,
    gui_clinic: GuiClinic,
    open_page: PageFactory,
    users: dict[Role, AuthenticatedUser],
) -> None:
    appointment = gui_clinic.book("Lovelace", datetime(2026, 3, 4, 8, 0))
    page = open_page(Role.NURSE)
    show_queue(qtbot, page)
    assert page.queue_model.rowCount() == 1
    select(page, appointment)
    view = page.queue_view
    assert view.check_in_button.isEnabled()
    assert view.check_in_button.text() == "&Check in"

    with (
        qtbot.waitSignal(page.appointment_actions.checked_in, timeout=10_000) as done,
        qtbot.waitSignal(page.queue.queue_shown, timeout=10_000),
    ):
        view.check_in_button.click()
    result = done.args[0]
    assert isinstance(result, CheckedIn)
    assert gui_clinic.appointment(appointment).status is AppointmentStatus.ARRIVED
    visits = gui_clinic.services.records.visits.list_visits(
        users[Role.DOCTOR], gui_clinic.patients["Lovelace"]
    )
    assert [(v.id, v.appointment_id, v.clinician_id) for v in visits] == [
        (result.visit.id, appointment, gui_clinic.doctor_id)
    ]
    entry = page.queue_model.entry_at(page.queue_model.row_of(appointment))
    assert entry.arrived
    assert view.check_in_button.text() == "Open &visit", "a second press only opens the visit"

    with qtbot.waitSignal(page.appointment_actions.checked_in, timeout=10_000) as again:
        view.check_in_button.click()
    assert again.args[0].visit.id == result.visit.id, "the same visit, not a second one"


def test_the_desk_cancels_with_a_reason_and_marks_a_no_show(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory, clock: ManualClock
) -> None:
    early = gui_clinic.book("Lovelace", datetime(2026, 3, 4, 8, 0))
    later = gui_clinic.book("Okafor", datetime(2026, 3, 4, 11, 0))
    clock.advance(hours=1, minutes=30)  # 08:30 in Berlin: the 08:00 patient is late
    page = open_page(Role.FRONT_DESK)
    show_queue(qtbot, page)

    select(page, later)
    with qtbot.waitSignal(page.appointment_actions.cancel_dialog_shown, timeout=5000) as shown:
        page.queue_view.cancel_button.click()
    dialog = shown.args[0]
    assert isinstance(dialog, CancelAppointmentDialog)
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: dialog.form.error_text("reason") != "", timeout=10_000)
    assert dialog.form.error_text("reason") == "Required."
    assert gui_clinic.appointment(later).status is AppointmentStatus.BOOKED
    dialog.reason_edit.setText("Called: has the flu")
    with qtbot.waitSignal(page.queue.queue_shown, timeout=10_000):
        dialog.confirm_button.click()
    detail = gui_clinic.clinic.scheduling.attendance.get(gui_clinic.clinic.desk, later)
    assert detail.appointment.status is AppointmentStatus.CANCELLED
    assert detail.cancel_reason == "Called: has the flu"
    assert page.queue_model.row_of(later) == -1

    select(page, early)
    with qtbot.waitSignal(page.queue.no_show_confirm_shown, timeout=5000) as confirm:
        page.queue_view.no_show_button.click()
    box = confirm.args[0]
    assert isinstance(box, ConfirmDialog)
    with qtbot.waitSignal(page.queue.queue_shown, timeout=10_000):
        box.confirm_button.click()
    assert gui_clinic.appointment(early).status is AppointmentStatus.NO_SHOW
    assert page.queue_view.showing_empty_state


def test_reminder_calls_list_tomorrows_appointments_with_phone_numbers(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    gui_clinic.book("Lovelace", datetime(2026, 3, 5, 9, 0))
    gui_clinic.book("Andersen", datetime(2026, 3, 5, 10, 0), gui_clinic.other_doctor_id)
    gui_clinic.book("Okafor", datetime(2026, 3, 4, 10, 0))  # today: not a call for tomorrow
    page = open_page(Role.FRONT_DESK)
    assert page.reminder_calls is not None
    assert page.reminder_model is not None
    assert page.reminder_view is not None
    with qtbot.waitSignal(page.reminder_calls.calls_shown, timeout=10_000):
        page.tabs.setCurrentWidget(page.reminder_view)
    model = page.reminder_model
    assert page.reminder_calls.day == date(2026, 3, 5)
    rows = [
        [model.index(row, column).data() for column in ReminderColumn]
        for row in range(model.rowCount())
    ]
    assert rows == [
        ["09:00", "Lovelace, Ada", "+49 30 1234567", "Greg House", "Provisional"],
        ["10:00", "Andersen, Ada", "no phone number", "Lisa Cuddy", "Provisional"],
    ]
    assert page.reminder_view.count_label.text() == "2 to call, 1 without a phone number"

    page.reminder_view.table.setFocus()
    with qtbot.waitSignal(page.reminder_calls.calls_shown, timeout=10_000):
        qtbot.keyClick(
            page.reminder_view.table, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier
        )
    assert page.reminder_calls.day == date(2026, 3, 6)
    assert page.reminder_view.showing_empty_state


def test_the_day_list_is_saved_as_a_printable_pdf(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory, tmp_path: Path
) -> None:
    gui_clinic.book("Lovelace", datetime(2026, 3, 4, 9, 0))
    gui_clinic.book("García López", datetime(2026, 3, 4, 10, 0), gui_clinic.other_doctor_id)
    page = open_page(Role.FRONT_DESK)
    path = tmp_path / "day-list.pdf"
    with qtbot.waitSignal(page.day_list.saved, timeout=10_000) as saved:
        page.day_list.save(TODAY, path)
    assert saved.args == [path, 2]
    assert path.read_bytes().startswith(b"%PDF")
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    text = " ".join(document.getAllText(0).text().split())  # cells wrap long names
    document.close()
    for expected in (
        "Day list · Wednesday 4 March 2026",
        "printed 2026-03-04 07:00",  # the clinic's local time, not UTC
        "Greg House · room 2.14",
        "09:00–09:15 Lovelace, Ada 1985-12-10 +49 30 1234567 First visit Booked",
        "Lisa Cuddy",
        "García López, Ada",
    ):
        assert expected in text


def test_the_reminder_timer_posts_reminders_at_sign_in_and_every_15_minutes(
    qtbot: QtBot,
    gui_clinic: GuiClinic,
    task_runner: TaskRunner,
    users: dict[Role, AuthenticatedUser],
) -> None:
    gui_clinic.book("Lovelace", datetime(2026, 3, 4, 15, 0))  # within the coming day
    context = PageContext(gui_clinic.services, users[Role.FRONT_DESK], task_runner)
    timer = ReminderTimer(context)
    try:
        with qtbot.waitSignal(timer.reminders_sent, timeout=10_000) as first:
            pass
        assert first.args == [1]
        assert timer.timer.isActive()
        assert timer.timer.interval() == INTERVAL_MS == 15 * 60 * 1000
        inbox = gui_clinic.services.notifications.inbox(users[Role.DOCTOR])
        assert [n.title for n in inbox] == ["Appointment Wed 04 Mar 15:00 (first visit)"]
        with qtbot.waitSignal(timer.reminders_sent, timeout=10_000) as second:
            timer.timer.timeout.emit()
        assert second.args == [0], "each appointment is reminded once"
    finally:
        timer.shutdown()


def test_the_calendar_menu_offers_what_the_role_may_do(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    booked = gui_clinic.book("Lovelace", datetime(2026, 3, 4, 9, 0))
    page = open_page(Role.FRONT_DESK)
    grid = page.calendar_view.grid
    placed = grid.find_entry(lambda e: e.appointment is not None and e.appointment.id == booked)
    assert placed is not None
    where = grid.entry_centre(placed)
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, where, grid.viewport().mapToGlobal(where)
    )
    QApplication.sendEvent(grid.viewport(), event)
    menu = page.findChild(QMenu, "calendarMenu")
    assert isinstance(menu, QMenu)
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    labels = [action.text() for action in menu.actions()]
    assert labels == ["Check in", "Cancel appointment…"], "no chart for the desk"
    with qtbot.waitSignal(page.appointment_actions.cancel_dialog_shown, timeout=5000) as shown:
        menu.actions()[1].trigger()
    shown.args[0].reject()


def test_open_chart_from_the_queue_asks_the_shell_for_the_chart_page(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory
) -> None:
    appointment = gui_clinic.book("Okafor", datetime(2026, 3, 4, 10, 0))
    page = open_page(Role.NURSE)
    show_queue(qtbot, page)
    select(page, appointment)
    with qtbot.waitSignal(page.open_requested, timeout=5000) as opened:
        page.queue_view.chart_button.click()
    key, target = opened.args
    assert key == "chart"
    assert target == ChartTarget(gui_clinic.patients["Okafor"])


def test_the_print_button_asks_where_and_saves_the_shown_doctors_day_list(
    qtbot: QtBot, gui_clinic: GuiClinic, open_page: PageFactory, tmp_path: Path
) -> None:
    gui_clinic.book("Lovelace", datetime(2026, 3, 4, 9, 0))
    gui_clinic.book("Okafor", datetime(2026, 3, 4, 10, 0), gui_clinic.other_doctor_id)
    page = open_page(Role.FRONT_DESK)
    combo = page.calendar_view.doctor_combo
    with qtbot.waitSignal(page.calendar.calendar_shown, timeout=10_000):
        combo.setCurrentIndex(combo.findText("Lisa Cuddy · Cardiology"))
    page.calendar_view.day_list_button.click()
    dialog = page.findChild(QFileDialog)
    assert isinstance(dialog, QFileDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.selectedFiles()[0].endswith("day-list-2026-03-04.pdf")
    path = tmp_path / "cuddy.pdf"
    with qtbot.waitSignal(page.day_list.saved, timeout=10_000) as saved:
        dialog.selectFile(str(path))
        dialog.accept()
    assert saved.args == [path, 1], "only the doctor on screen"
