"""Loads the calendar for the view on the database lane and answers its navigation.

Dates on screen are the clinic's local dates ("today" in the time zone most doctor profiles
use); each doctor's entries sit at their own local wall-clock times. Building the grid's
layout is plain Python and runs on the worker too, so the GUI thread only paints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.errors import NotFoundError
from clinic_app.scheduling.calendar_models import CalendarView
from clinic_app.scheduling.models import DoctorProfile
from clinic_app.security.permissions import Action
from clinic_app.storage.types import utcnow
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.scheduling.calendar_layout import CalendarLayout, CalendarMode, build_layout
from clinic_app.ui.scheduling.calendar_panel_view import CalendarPanelView
from clinic_app.ui.scheduling.doctor_filter import ALL_DOCTORS, DoctorFilter, filter_choices
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class LoadedCalendar:
    generation: int
    view: CalendarView
    layout: CalendarLayout


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def period_text(mode: CalendarMode, anchor: date) -> str:
    if mode is CalendarMode.DAY:
        return f"{anchor:%a} {anchor.day} {anchor:%B %Y}"
    first = week_start(anchor)
    last = first + timedelta(days=6)
    if first.month == last.month:
        return f"{first.day} – {last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


class CalendarController(QObject):
    doctors_loaded = Signal(list)  # list[DoctorProfile]
    calendar_shown = Signal()  # the grid shows the latest data (tests wait here)
    status_reported = Signal(str)

    def __init__(
        self,
        view: CalendarPanelView,
        context: PageContext,
        clock: Clock = utcnow,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._context = context
        self._clock = clock
        user = context.user
        self.own_only = not user.can(Action.SCHEDULE_READ)
        self.mode = CalendarMode.WEEK
        self.anchor: date | None = None
        self.profiles: list[DoctorProfile] = []
        self.doctor_filter = ALL_DOCTORS
        self.calendar: CalendarView | None = None
        self.zone = ZoneInfo("UTC")
        self._generation = 0
        self._handle: TaskHandle | None = None
        self._started = False
        view.grid.drag_enabled = user.can(Action.APPOINTMENT_BOOK)
        view.mode_changed.connect(self._on_view_mode_changed)
        view.previous_requested.connect(self._on_view_previous_requested)
        view.next_requested.connect(self._on_view_next_requested)
        view.today_requested.connect(self._on_view_today_requested)
        view.doctor_filter_changed.connect(self._on_view_doctor_filter_changed)
        view.refresh_requested.connect(self.reload)
        view.grid.drop_refused.connect(view.show_message)

    # --- dates ---------------------------------------------------------------------------

    def today(self) -> date:
        return self._clock().astimezone(self.zone).date()

    def now_minute(self) -> int:
        now = self._clock().astimezone(self.zone)
        return now.hour * 60 + now.minute

    def date_range(self) -> tuple[date, date]:
        anchor = self.anchor or self.today()
        if self.mode is CalendarMode.DAY:
            return anchor, anchor
        first = week_start(anchor)
        return first, first + timedelta(days=6)

    # --- loading -------------------------------------------------------------------------

    def ensure_loaded(self) -> None:
        if not self._started:
            self._started = True
            self.load_doctors()

    def load_doctors(self) -> None:
        profiles_service = self._context.services.scheduling.profiles
        user = self._context.user
        own_only = self.own_only

        def fetch(_ctx: object) -> list[DoctorProfile]:
            if own_only:
                return [profiles_service.get(user, user.id)]
            return profiles_service.list_profiles(user)

        self._view.set_busy(True)
        self._context.runner.run(
            Lane.DATABASE,
            fetch,
            label="doctor profiles",
            owner=self,
            on_success=self._on_doctors_fetched,
            on_failure=self._on_doctors_failed,
        )

    @Slot(object)
    def _on_doctors_fetched(self, profiles: list[DoctorProfile]) -> None:
        self.profiles = list(profiles)
        zones = Counter(p.time_zone for p in profiles)
        if zones:
            self.zone = ZoneInfo(sorted(zones.items(), key=lambda z: (-z[1], z[0]))[0][0])
        choices = filter_choices(self.profiles, own_only=self.own_only)
        self.doctor_filter = choices[0] if choices else ALL_DOCTORS
        self._view.set_doctor_choices(choices, 0)
        self.anchor = self.anchor or self.today()
        self.doctors_loaded.emit(self.profiles)
        if not profiles:
            self._view.set_busy(False)
            self._view.show_empty(
                "No doctor schedules yet",
                "An administrator sets up each doctor's working hours and slots first "
                "(clinic schedule hours / slots).",
            )
            self.calendar_shown.emit()
            return
        self.reload()

    @Slot(object)
    def _on_doctors_failed(self, error: BaseException) -> None:
        self._view.set_busy(False)
        if isinstance(error, NotFoundError) and self.own_only:
            self._view.show_empty(
                "You have no schedule yet",
                "Ask the administrator to set up your working hours and slots.",
            )
        else:
            self._view.show_empty("The calendar could not be loaded", str(error))
            show_error(self._view, error)
        self.calendar_shown.emit()

    @Slot()
    def reload(self) -> None:
        if not self.profiles:
            if self._started:
                self.load_doctors()
            return
        self._generation += 1
        generation = self._generation
        if self._handle is not None:
            self._handle.cancel()
        date_from, date_to = self.date_range()
        mode = self.mode
        calendar = self._context.services.scheduling.calendar
        user = self._context.user
        doctor_id: str | None = user.id if self.own_only else None
        doctor_ids = None if self.own_only else self.doctor_filter.doctor_ids(self.profiles)
        if doctor_ids is not None and len(doctor_ids) == 1:
            doctor_id, doctor_ids = doctor_ids[0], None

        def fetch(_ctx: object) -> LoadedCalendar:
            view = calendar.range_view(user, date_from, date_to, doctor_id, doctor_ids=doctor_ids)
            return LoadedCalendar(generation, view, build_layout(view, mode))

        self._view.set_busy(True)
        self._view.set_mode(mode)
        self._view.set_period(period_text(mode, self.anchor or date_from))
        self._handle = self._context.runner.run(
            Lane.DATABASE,
            fetch,
            label="calendar view",
            owner=self,
            on_success=self._on_calendar_fetched,
            on_failure=self._on_calendar_failed,
        )

    @Slot(object)
    def _on_calendar_fetched(self, loaded: LoadedCalendar) -> None:
        if loaded.generation != self._generation:
            return
        self.calendar = loaded.view
        self.show_layout(loaded.layout)

    def show_layout(self, layout: CalendarLayout) -> None:
        """Hands a built layout to the grid (the benchmark times this with the paint)."""
        self._view.set_busy(False)
        self._view.show_message("")
        today = self.today()
        grid = self._view.grid
        grid.empty_text = (
            "Nothing is scheduled on this day."
            if self.mode is CalendarMode.DAY
            else "Nothing is scheduled in this week."
        )
        grid.set_layout(layout, today, self.now_minute())
        self._view.show_grid()
        self.calendar_shown.emit()

    @Slot(object)
    def _on_calendar_failed(self, error: BaseException) -> None:
        self._view.set_busy(False)
        show_error(self._view, error)
        self.calendar_shown.emit()

    # --- navigation ----------------------------------------------------------------------

    def go_to(self, day: date, mode: CalendarMode | None = None) -> None:
        self.anchor = day
        if mode is not None:
            self.mode = mode
        self.reload()

    def step(self, direction: int) -> None:
        days = 1 if self.mode is CalendarMode.DAY else 7
        self.go_to((self.anchor or self.today()) + timedelta(days=days * direction))

    @Slot(str)
    def _on_view_mode_changed(self, mode: str) -> None:
        if CalendarMode(mode) is not self.mode:
            self.go_to(self.anchor or self.today(), CalendarMode(mode))

    @Slot()
    def _on_view_previous_requested(self) -> None:
        self.step(-1)

    @Slot()
    def _on_view_next_requested(self) -> None:
        self.step(1)

    @Slot()
    def _on_view_today_requested(self) -> None:
        self.go_to(self.today())

    @Slot(object)
    def _on_view_doctor_filter_changed(self, choice: DoctorFilter) -> None:
        self.doctor_filter = choice
        self.reload()

    @property
    def settled(self) -> bool:
        return self._handle is None or not self._handle.running

    def shutdown(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
