"""Scheduling GUI fixtures: the real services on a real encrypted store, a clock the test
moves (the services' and the page's), a small clinic of two doctors with a fortnight of
15-minute slots, and the scheduling page for a role.

The core tests' helpers (`tests/scheduling/conftest.py`) set up profiles and slots; the GUI
reads `services.scheduling`, so the fixture puts the clock-driven services there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from clinic_app.bootstrap import Services
from clinic_app.scheduling.models import BookingRequest
from clinic_app.scheduling.service import build_scheduling
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.ui.scheduling.schedule_page import SchedulePage
from clinic_app.ui.shell.shell_page import PageContext
from clinic_app.ui.tasks.task_runner import TaskRunner
from pytestqt.qtbot import QtBot

from tests.scheduling.conftest import START, Clinic, ManualClock

WEEK_START = date(2026, 3, 2)  # the Monday of START's week (START: Wed 4 March, 07:00 Berlin)
TODAY = date(2026, 3, 4)
PAGE_SIZE = (1190, 690)  # the page's share of a 1366×768 main window


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@dataclass(frozen=True)
class GuiClinic:
    clinic: Clinic
    doctor_id: str  # Greg House, Dermatology
    other_doctor_id: str  # Lisa Cuddy, Cardiology
    patients: dict[str, str]  # family name → id

    @property
    def services(self) -> Services:
        return self.clinic.services

    def slot_id(self, doctor_id: str, local: datetime) -> str:
        """The slot starting at the doctor's local wall-clock time `local` (naive)."""
        view = self.clinic.scheduling.calendar.day_view(self.clinic.admin, local.date(), doctor_id)
        for column in view.columns:
            for entry in column.entries:
                if entry.slot_id and entry.local_start.replace(tzinfo=None) == local:
                    return entry.slot_id
        raise AssertionError(f"no slot at {local}")

    def book(
        self, family: str, local: datetime, doctor_id: str | None = None, **request: object
    ) -> str:
        slot = self.slot_id(doctor_id or self.doctor_id, local)
        booked = self.clinic.scheduling.booking.book(
            self.clinic.desk,
            slot,
            BookingRequest(self.patients[family], **request),  # type: ignore[arg-type]
        )
        return booked.id

    def appointment(self, appointment_id: str):  # type: ignore[no-untyped-def]
        return self.clinic.scheduling.attendance.get(self.clinic.desk, appointment_id).appointment

    def appointment_count(self) -> int:
        with self.services.db.unit_of_work(write=False) as uow:
            return int(
                uow.session.connection()
                .exec_driver_sql("SELECT count(*) FROM appointments")
                .scalar_one()
            )


PEOPLE = [
    ("Lovelace", "+49 30 1234567"),
    ("Okafor", "+234 803 555 0142"),
    ("Nakamura", "+81 90 5555 0199"),
    ("Andersen", ""),
    ("García López", "+34 612 555 019"),
]


@pytest.fixture
def gui_clinic(
    services: Services, users: dict[Role, AuthenticatedUser], clock: ManualClock
) -> GuiClinic:
    scheduling = build_scheduling(services.db, services.audit_log, services.authorizer, clock)
    services.scheduling = scheduling
    clinic = Clinic(
        admin=users[Role.ADMIN],
        doctor=users[Role.DOCTOR],
        nurse=users[Role.NURSE],
        desk=users[Role.FRONT_DESK],
        services=services,
        scheduling=scheduling,
    )
    other = clinic.add_doctor("drcuddy", "Lisa Cuddy")
    clinic.profile()
    clinic.profile(other, specialisation="Cardiology", hours="mon-fri=09:00-13:00")
    last = WEEK_START + timedelta(days=13)
    clinic.generate(WEEK_START, last)
    clinic.generate(WEEK_START, last, other)
    patients = {family: clinic.patient(family, phone) for family, phone in PEOPLE}
    return GuiClinic(clinic, clinic.doctor.id, other, patients)


PageFactory = Callable[[Role], SchedulePage]


@pytest.fixture
def open_page(
    qtbot: QtBot,
    gui_clinic: GuiClinic,
    task_runner: TaskRunner,
    users: dict[Role, AuthenticatedUser],
    clock: ManualClock,
) -> Iterator[PageFactory]:
    """`open_page(Role.FRONT_DESK)` → the scheduling page, shown, its first calendar loaded."""
    pages: list[SchedulePage] = []

    def factory(role: Role) -> SchedulePage:
        context = PageContext(gui_clinic.services, users[role], task_runner)
        page = SchedulePage(context, clock=clock)
        qtbot.addWidget(page)
        page.resize(*PAGE_SIZE)
        page.show()
        qtbot.waitExposed(page)
        page.activateWindow()  # keyboard shortcuts need the active window
        qtbot.waitUntil(page.isActiveWindow, timeout=5000)
        with qtbot.waitSignal(page.calendar.calendar_shown, timeout=10_000):
            page.page_shown()
        pages.append(page)
        return page

    yield factory
    for page in pages:
        page.shutdown()


def wait_reload(qtbot: QtBot, page: SchedulePage, action: Callable[[], object]) -> None:
    """Does `action` and waits until the calendar shows fresh data."""
    with qtbot.waitSignal(page.calendar.calendar_shown, timeout=10_000):
        action()
    qtbot.waitUntil(lambda: page.calendar.settled, timeout=10_000)
