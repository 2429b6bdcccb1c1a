"""Loads the reminder-call list for the chosen day on the database lane."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.scheduling.calendar_models import ReminderCall
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.scheduling.reminder_call_table_model import ReminderCallTableModel
from clinic_app.ui.scheduling.reminder_calls_view import ReminderCallsView
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


class ReminderCallsController(QObject):
    calls_shown = Signal()  # tests wait here

    def __init__(
        self,
        view: ReminderCallsView,
        model: ReminderCallTableModel,
        context: PageContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._context = context
        self.day: date | None = None
        self._generation = 0
        self._handle: TaskHandle | None = None
        view.day_changed.connect(self._on_view_day_changed)
        view.refresh_requested.connect(self.load)

    def show_day(self, day: date) -> None:
        self.day = day
        self._view.set_day(day)
        self.load()

    @Slot(object)
    def _on_view_day_changed(self, day: date) -> None:
        self.day = day
        self.load()

    @Slot()
    def load(self) -> None:
        if self.day is None:
            return
        self._generation += 1
        generation, day = self._generation, self.day
        calendar = self._context.services.scheduling.calendar
        user = self._context.user

        def fetch(_ctx: object) -> tuple[int, date, list[ReminderCall]]:
            return generation, day, calendar.reminder_calls(user, day)

        self._handle = self._context.runner.run(
            Lane.DATABASE,
            fetch,
            label="reminder calls",
            owner=self,
            on_success=self._on_calls_fetched,
            on_failure=self._on_calls_failed,
        )

    @Slot(object)
    def _on_calls_fetched(self, outcome: tuple[int, date, list[ReminderCall]]) -> None:
        generation, day, calls = outcome
        if generation != self._generation:
            return
        self._model.replace_rows(calls)
        if calls:
            self._view.show_rows(len(calls), sum(1 for call in calls if not call.phone))
        else:
            self._view.show_empty(day)
        self.calls_shown.emit()

    @Slot(object)
    def _on_calls_failed(self, error: BaseException) -> None:
        self.calls_shown.emit()
        show_error(self._view, error)

    def shutdown(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
