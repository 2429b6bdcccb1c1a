"""The scheduling page: the calendar (day and week, drag to reschedule), today's queue and the
reminder-call list, as tabs. Keys: Ctrl+1/2/3 switch tabs, Ctrl+N books (the shell's New)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QPoint, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu, QTabWidget, QVBoxLayout

from clinic_app.scheduling.calendar_models import CalendarEntry
from clinic_app.scheduling.models import AppointmentSummary, SlotOrigin, SlotStatus, SlotView
from clinic_app.security.permissions import Action
from clinic_app.storage.types import utcnow
from clinic_app.ui.scheduling.appointment_actions_controller import AppointmentActionsController
from clinic_app.ui.scheduling.booking_controller import BookingController
from clinic_app.ui.scheduling.booking_dialog import BookingDialog
from clinic_app.ui.scheduling.calendar_controller import CalendarController
from clinic_app.ui.scheduling.calendar_layout import CalendarMode
from clinic_app.ui.scheduling.calendar_panel_view import CalendarPanelView
from clinic_app.ui.scheduling.day_list_controller import DayListController
from clinic_app.ui.scheduling.doctor_filter import FilterKind
from clinic_app.ui.scheduling.queue_controller import QueueController
from clinic_app.ui.scheduling.queue_table_model import QueueTableModel
from clinic_app.ui.scheduling.queue_view import QueueView
from clinic_app.ui.scheduling.reminder_call_table_model import ReminderCallTableModel
from clinic_app.ui.scheduling.reminder_calls_controller import ReminderCallsController
from clinic_app.ui.scheduling.reminder_calls_view import ReminderCallsView
from clinic_app.ui.scheduling.reschedule_controller import RescheduleController
from clinic_app.ui.shell.shell_page import PageContext, ShellCommand, ShellPage


class SchedulePage(ShellPage):
    def __init__(self, context: PageContext, clock: Callable[[], datetime] = utcnow) -> None:
        super().__init__()
        self._context = context
        user = context.user
        self.can_book = user.can(Action.APPOINTMENT_BOOK)
        self.can_open_chart = user.can(Action.VISIT_READ)
        self.calendar_view = CalendarPanelView(can_book=self.can_book)
        self.calendar = CalendarController(self.calendar_view, context, clock, parent=self)
        self.reschedule = RescheduleController(self.calendar_view, context, parent=self)
        self.appointment_actions = AppointmentActionsController(self, context, parent=self)
        self.day_list = DayListController(
            self, context, lambda: clock().astimezone(self.calendar.zone), parent=self
        )
        self.queue_model = QueueTableModel(self)
        self.queue_view = QueueView(
            self.queue_model,
            can_check_in=self.appointment_actions.can_check_in,
            can_book=self.can_book,
            can_open_chart=self.can_open_chart,
        )
        self.queue = QueueController(
            self.queue_view,
            self.queue_model,
            self.appointment_actions,
            context,
            self.calendar.today,
            self,
        )
        self.tabs = QTabWidget()
        self.tabs.setObjectName("scheduleTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.calendar_view, "Calendar")
        self.tabs.addTab(self.queue_view, "Today's queue")
        self.reminder_model: ReminderCallTableModel | None = None
        self.reminder_view: ReminderCallsView | None = None
        self.reminder_calls: ReminderCallsController | None = None
        if user.can(Action.SCHEDULE_READ) and user.can(Action.PATIENT_READ):
            self.reminder_model = ReminderCallTableModel(self)
            self.reminder_view = ReminderCallsView(self.reminder_model)
            self.reminder_calls = ReminderCallsController(
                self.reminder_view, self.reminder_model, context, self
            )
            self.tabs.addTab(self.reminder_view, "Reminder calls")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.booking: BookingController | None = None
        self._wire()

    def _wire(self) -> None:
        grid = self.calendar_view.grid
        grid.reschedule_requested.connect(self._on_grid_reschedule_requested)
        grid.slot_activated.connect(self._on_grid_slot_activated)
        grid.context_menu_requested.connect(self._on_grid_context_menu_requested)
        self.calendar_view.book_requested.connect(self.open_booking)
        self.calendar_view.day_list_requested.connect(self._on_view_day_list_requested)
        self.queue_view.walk_in_requested.connect(self.open_booking)
        self.queue.chart_requested.connect(self._on_queue_chart_requested)
        self.reschedule.rescheduled.connect(self._on_changed)
        self.reschedule.reload_needed.connect(self.calendar.reload)
        self.appointment_actions.changed.connect(self.calendar.reload)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        for source in (self.calendar, self.reschedule, self.appointment_actions, self.day_list):
            source.status_reported.connect(self.status_reported)
        for index in range(self.tabs.count()):
            QShortcut(
                QKeySequence(f"Ctrl+{index + 1}"),
                self,
                lambda i=index: self.tabs.setCurrentIndex(i),
            )

    # --- shell ---------------------------------------------------------------------------

    def page_shown(self) -> None:
        self.calendar.ensure_loaded()
        self._on_tabs_current_changed(self.tabs.currentIndex())

    def handle_command(self, command: ShellCommand) -> bool:
        if command is ShellCommand.NEW and self.can_book:
            self.open_booking()
            return True
        return False

    def shutdown(self) -> None:
        for controller in (self.calendar, self.reschedule, self.appointment_actions, self.queue):
            controller.shutdown()
        if self.reminder_calls is not None:
            self.reminder_calls.shutdown()
        if self.booking is not None:
            self.booking.shutdown()

    # --- booking -------------------------------------------------------------------------

    @Slot()
    def open_booking(self, slot: SlotView | None = None) -> BookingController | None:
        if not self.can_book:
            return None
        if self.booking is not None and self.booking.dialog.isVisible():
            self.booking.dialog.raise_()
            return self.booking
        dialog = BookingDialog(can_walk_in=True, parent=self)
        controller = BookingController(
            dialog, self._context, self.calendar.profiles, self.calendar.today(), parent=dialog
        )
        if isinstance(slot, SlotView):
            controller.preselect_slot(slot)
        controller.booked.connect(self._on_booking_booked)
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(self._on_booking_finished)
        self.booking = controller
        dialog.open()
        dialog.patient_edit.setFocus()
        return controller

    @Slot(object)
    def _on_booking_booked(self, appointment: AppointmentSummary) -> None:
        when = (
            "now (walk-in)" if appointment.walk_in else f"{appointment.local_start:%a %d %b %H:%M}"
        )
        self.status_reported.emit(f"Booked {when}")
        self._on_changed(appointment)

    @Slot()
    def _on_booking_finished(self) -> None:
        self.booking = None

    # --- calendar ------------------------------------------------------------------------

    @Slot(object, object)
    def _on_grid_reschedule_requested(
        self, appointment: AppointmentSummary, entry: CalendarEntry
    ) -> None:
        if entry.slot_id is not None:
            self.reschedule.move(appointment, entry.slot_id)

    @Slot(object, str)
    def _on_grid_slot_activated(self, entry: CalendarEntry, doctor_id: str) -> None:
        if entry.slot_id is None or not self.can_book:
            return
        self.open_booking(
            SlotView(
                id=entry.slot_id,
                doctor_id=doctor_id,
                starts_at=entry.starts_at,
                ends_at=entry.ends_at,
                local_start=entry.local_start,
                local_end=entry.local_end,
                status=SlotStatus.OPEN,
                block_reason=None,
                origin=SlotOrigin.GENERATED,
                version=entry.slot_version or 0,
            )
        )

    @Slot(object, QPoint)
    def _on_grid_context_menu_requested(self, entry: CalendarEntry, where: QPoint) -> None:
        menu = QMenu(self)
        menu.setObjectName("calendarMenu")
        appointment = entry.appointment
        actions = self.appointment_actions
        if appointment is None and entry.slot_status is SlotStatus.OPEN and self.can_book:
            doctor_id = self.calendar_view.grid.doctor_of(entry)
            menu.addAction(
                "Book this slot…", lambda: self._on_grid_slot_activated(entry, doctor_id)
            )
        if appointment is not None:
            today = appointment.local_start.date() == self.calendar.today()
            if today and actions.may_check_in(appointment):
                menu.addAction("Check in", lambda: actions.check_in(appointment))
            if actions.may_cancel(appointment):
                menu.addAction("Cancel appointment…", lambda: actions.cancel(appointment))
            if self.can_open_chart:
                menu.addAction(
                    "Open chart", lambda: self._on_queue_chart_requested(appointment.patient_id)
                )
        if menu.isEmpty():
            menu.deleteLater()
            return
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(where)

    @Slot()
    def _on_view_day_list_requested(self) -> None:
        day = self.calendar.anchor or self.calendar.today()
        choice = self.calendar.doctor_filter
        doctor_id = self._context.user.id if self.calendar.own_only else None
        doctors: set[str] | None = None
        if not self.calendar.own_only and choice.kind is FilterKind.DOCTOR:
            doctor_id = choice.value
        elif not self.calendar.own_only and choice.kind is FilterKind.SPECIALITY:
            ids = set(choice.doctor_ids(self.calendar.profiles) or [])
            doctors = {p.doctor_name for p in self.calendar.profiles if p.doctor_id in ids}
        self.day_list.ask_and_save(day, doctor_id, doctors)

    # --- the rest ------------------------------------------------------------------------

    @Slot(str)
    def _on_queue_chart_requested(self, patient_id: str) -> None:
        from clinic_app.ui.records.chart_target import ChartTarget

        self.open_requested.emit("chart", ChartTarget(patient_id))

    def _on_changed(self, _appointment: object = None) -> None:
        self.calendar.reload()
        if self.tabs.currentWidget() is self.queue_view:
            self.queue.load()

    @Slot(int)
    def _on_tabs_current_changed(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is self.calendar_view:
            # The calendar's keys (T, D, W, Ctrl+arrows) work from the grid on.
            self.calendar_view.grid.setFocus()
        if widget is self.queue_view:
            self.queue.start()
        else:
            self.queue.stop()
        if widget is self.reminder_view and self.reminder_calls is not None:
            if self.reminder_calls.day is None:
                self.reminder_calls.show_day(self.calendar.today() + timedelta(days=1))
            else:
                self.reminder_calls.load()

    def show_mode(self, mode: CalendarMode) -> None:
        self.calendar.go_to(self.calendar.anchor or self.calendar.today(), mode)
