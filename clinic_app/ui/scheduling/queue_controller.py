"""Loads today's queue on the database lane, keeps the waiting times fresh while it is on
screen (every minute), and hands the desk's and nurse's actions to the actions controller."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from clinic_app.scheduling.calendar_models import QueueEntry
from clinic_app.security.permissions import Action
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.scheduling.appointment_actions_controller import AppointmentActionsController
from clinic_app.ui.scheduling.queue_table_model import QueueTableModel
from clinic_app.ui.scheduling.queue_view import QueueView
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle
from clinic_app.ui.widgets.confirm_dialog import ConfirmDialog

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

REFRESH_MS = 60_000


class QueueController(QObject):
    queue_shown = Signal()  # the table shows the latest queue (tests wait here)
    chart_requested = Signal(str)  # a patient id
    no_show_confirm_shown = Signal(object)  # ConfirmDialog

    def __init__(
        self,
        view: QueueView,
        model: QueueTableModel,
        actions: AppointmentActionsController,
        context: PageContext,
        today: Callable[[], date],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._actions = actions
        self._context = context
        self._today = today
        self._own_only = not context.user.can(Action.SCHEDULE_READ)
        self._can_open_chart = context.user.can(Action.VISIT_READ)
        self._handle: TaskHandle | None = None
        self._generation = 0
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.load)
        view.refresh_requested.connect(self.load)
        view.selection_changed.connect(self._on_view_selection_changed)
        view.check_in_requested.connect(self._on_view_check_in_requested)
        view.no_show_requested.connect(self._on_view_no_show_requested)
        view.cancel_requested.connect(self._on_view_cancel_requested)
        view.chart_requested.connect(self._on_view_chart_requested)
        actions.changed.connect(self.load)

    def start(self) -> None:
        """The queue is on screen: load it now and keep the waiting times current."""
        self.load()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def load(self) -> None:
        self._generation += 1
        generation = self._generation
        calendar = self._context.services.scheduling.calendar
        user = self._context.user
        doctor_id = user.id if self._own_only else None

        def fetch(_ctx: object) -> tuple[int, list[QueueEntry]]:
            return generation, calendar.queue(user, doctor_id=doctor_id)

        self._handle = self._context.runner.run(
            Lane.DATABASE,
            fetch,
            label="today's queue",
            owner=self,
            on_success=self._on_queue_fetched,
            on_failure=self._on_queue_failed,
        )

    @Slot(object)
    def _on_queue_fetched(self, outcome: tuple[int, list[QueueEntry]]) -> None:
        generation, entries = outcome
        if generation != self._generation:
            return
        selected = self._view.selected_entry()
        self._model.replace_rows(entries)
        day = self._today()
        day_text = f"{day:%A} {day.day} {day:%B}"
        if entries:
            arrived = sum(1 for entry in entries if entry.arrived)
            self._view.show_rows(len(entries), arrived, day_text)
            if selected is not None:
                row = self._model.row_of(selected.appointment.id)
                if row >= 0:
                    self._view.table.selectRow(row)
        else:
            self._view.show_empty(day_text)
        self._on_view_selection_changed(self._view.selected_entry())
        self.queue_shown.emit()

    @Slot(object)
    def _on_queue_failed(self, error: BaseException) -> None:
        self.queue_shown.emit()
        show_error(self._view, error)

    @Slot(object)
    def _on_view_selection_changed(self, entry: QueueEntry | None) -> None:
        if entry is None:
            self._view.set_actions(None, check_in=False, no_show=False, cancel=False, chart=False)
            return
        appointment = entry.appointment
        self._view.set_actions(
            entry,
            check_in=self._actions.may_check_in(appointment),
            no_show=self._actions.may_mark_no_show(appointment),
            cancel=self._actions.may_cancel(appointment),
            chart=self._can_open_chart,
        )

    @Slot(object)
    def _on_view_check_in_requested(self, entry: QueueEntry) -> None:
        if self._actions.may_check_in(entry.appointment):
            self._actions.check_in(entry.appointment)

    @Slot(object)
    def _on_view_no_show_requested(self, entry: QueueEntry) -> None:
        dialog = ConfirmDialog(
            self._view,
            "Mark as no-show?",
            f"{entry.appointment.patient_name} did not come.",
            "Mark as no-show",
            detail="The slot becomes free for someone else. This can't be undone.",
            destructive=True,
        )
        dialog.confirmed.connect(lambda: self._actions.mark_no_show(entry.appointment))
        dialog.open()
        self.no_show_confirm_shown.emit(dialog)

    @Slot(object)
    def _on_view_cancel_requested(self, entry: QueueEntry) -> None:
        self._actions.cancel(entry.appointment)

    @Slot(object)
    def _on_view_chart_requested(self, entry: QueueEntry) -> None:
        self.chart_requested.emit(entry.appointment.patient_id)

    @property
    def settled(self) -> bool:
        return self._handle is None or not self._handle.running

    def shutdown(self) -> None:
        self._timer.stop()
        if self._handle is not None:
            self._handle.cancel()
