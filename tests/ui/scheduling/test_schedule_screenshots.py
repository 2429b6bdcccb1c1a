"""Screenshots of the scheduling screens at a laptop's size, for review by eye: the week view,
the day view, the booking dialog and today's queue. Written under the test's temporary folder
and copied to /tmp/clinic_screens/scheduling/. The assertions check that each screen rendered
(a real image, not blank); the look is reviewed by a person."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from clinic_app.scheduling.models import AppointmentType
from clinic_app.security.permissions import Role
from clinic_app.ui.scheduling.calendar_layout import CalendarMode
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from tests.scheduling.conftest import ManualClock
from tests.ui.scheduling.conftest import GuiClinic, PageFactory, wait_reload

REVIEW_FOLDER = Path("/tmp/clinic_screens/scheduling")


def save(widget: QWidget, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    QApplication.sendPostedEvents()  # pending layout requests: labels just changed their text
    assert widget.grab().save(str(path)), f"could not write {path}"
    image = QImage(str(path))
    assert image.width() >= 300
    assert image.height() >= 200
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 23) for y in range(0, image.height(), 17)
    }
    assert len(colours) > 8, "the screen is not blank"
    REVIEW_FOLDER.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, REVIEW_FOLDER / path.name)
    return path


def busy_week(gui_clinic: GuiClinic) -> None:
    """A believable week: every type and status, a blocked slot, a walk-in, a no-show."""
    clinic = gui_clinic.clinic
    house, cuddy = gui_clinic.doctor_id, gui_clinic.other_doctor_id
    plan = [
        ("Lovelace", datetime(2026, 3, 4, 8, 0), house, AppointmentType.FOLLOW_UP),
        ("Okafor", datetime(2026, 3, 4, 8, 30), house, AppointmentType.FIRST_VISIT),
        ("Nakamura", datetime(2026, 3, 4, 9, 0), house, AppointmentType.PROCEDURE),
        ("Andersen", datetime(2026, 3, 4, 10, 15), house, AppointmentType.FOLLOW_UP),
        ("García López", datetime(2026, 3, 5, 9, 30), house, AppointmentType.FIRST_VISIT),
        ("Okafor", datetime(2026, 3, 6, 14, 0), house, AppointmentType.FOLLOW_UP),
        ("Lovelace", datetime(2026, 3, 4, 9, 15), cuddy, AppointmentType.FIRST_VISIT),
        ("Nakamura", datetime(2026, 3, 5, 11, 0), cuddy, AppointmentType.FOLLOW_UP),
    ]
    ids = [
        gui_clinic.book(f, when, doctor, appointment_type=kind) for f, when, doctor, kind in plan
    ]
    gui_clinic.book(
        "Andersen",
        datetime(2026, 3, 5, 15, 0),
        house,
        appointment_type=AppointmentType.TELEHEALTH,
        meeting_link="https://meet.example.org/derm-42",
    )
    clinic.scheduling.slots.block(
        clinic.desk, gui_clinic.slot_id(house, datetime(2026, 3, 5, 11, 0)), "Team meeting"
    )
    clinic.scheduling.slots.block(
        clinic.desk, gui_clinic.slot_id(house, datetime(2026, 3, 5, 11, 15)), "Team meeting"
    )
    clinic.scheduling.attendance.check_in(clinic.nurse, ids[0])
    clinic.scheduling.booking.walk_in(
        clinic.desk, gui_clinic.patients["Nakamura"], house, AppointmentType.FOLLOW_UP
    )


def test_screenshots_of_the_scheduling_screens(
    qtbot: QtBot,
    gui_clinic: GuiClinic,
    open_page: PageFactory,
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    busy_week(gui_clinic)
    clock.advance(hours=2, minutes=40)  # 09:40 in Berlin: the 08:30 patient is a no-show
    gui_clinic.clinic.scheduling.attendance.no_show(
        gui_clinic.clinic.desk,
        next(
            e.appointment.id
            for e in gui_clinic.clinic.scheduling.calendar.queue(gui_clinic.clinic.desk)
            if e.appointment.patient_name.startswith("Okafor")
        ),
    )
    page = open_page(Role.FRONT_DESK)
    wait_reload(qtbot, page, page.calendar.reload)
    save(page, tmp_path, "01-week-view")

    wait_reload(qtbot, page, lambda: page.show_mode(CalendarMode.DAY))
    save(page, tmp_path, "02-day-view")

    booking = page.open_booking()
    assert booking is not None
    booking.choose_patient(
        next(
            p for p in gui_clinic.services.patients.search(gui_clinic.clinic.desk, "Lovelace").items
        )
    )
    with qtbot.waitSignal(booking.slot_shown, timeout=10_000):
        booking.dialog.find_button.click()
    save(booking.dialog, tmp_path, "03-booking-dialog")
    booking.dialog.reject()

    with qtbot.waitSignal(page.queue.queue_shown, timeout=10_000):
        page.tabs.setCurrentWidget(page.queue_view)
    page.queue_view.table.selectRow(1)
    save(page, tmp_path, "04-queue")
