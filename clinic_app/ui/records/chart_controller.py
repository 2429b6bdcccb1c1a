"""Loads a patient's chart on the database lane and shows it.

One call (`charts.chart`) brings the header, timeline, vitals series and problem list; a newer
request drops the answer of an older one still on its way (generation numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.records.chart_models import PatientChart
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.records.chart_view import ChartView
from clinic_app.ui.records.problem_table_model import ProblemTableModel
from clinic_app.ui.records.timeline_table_model import TimelineTableModel
from clinic_app.ui.records.user_directory import UserDirectory
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


class ChartController(QObject):
    # The chart of this patient is on screen (tests and the benchmark wait here).
    chart_shown = Signal(str)
    chart_failed = Signal(object)

    def __init__(
        self,
        view: ChartView,
        timeline_model: TimelineTableModel,
        problem_model: ProblemTableModel,
        context: PageContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._timeline_model = timeline_model
        self._problem_model = problem_model
        self._context = context
        self._people = UserDirectory()
        self._generation = 0
        self._handle: TaskHandle | None = None
        self.chart: PatientChart | None = None
        self.patient_id: str | None = None

    def set_people(self, people: UserDirectory) -> None:
        self._people = people
        self._timeline_model.set_people(people)

    def load(self, patient_id: str) -> None:
        self.patient_id = patient_id
        self._generation += 1
        generation = self._generation
        if self._handle is not None:
            self._handle.cancel()
        charts, user = self._context.services.records.charts, self._context.user
        self._handle = self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: (generation, charts.chart(user, patient_id)),
            label="open chart",
            owner=self,
            on_success=self._on_chart_loaded,
            on_failure=self._on_chart_failed,
        )

    def reload(self) -> None:
        if self.patient_id is not None:
            self.load(self.patient_id)

    @property
    def settled(self) -> bool:
        return self._handle is None or not self._handle.running

    def shutdown(self) -> None:
        if self._handle is not None:
            self._handle.cancel()

    @Slot(object)
    def _on_chart_loaded(self, outcome: tuple[int, PatientChart]) -> None:
        generation, chart = outcome
        if generation != self._generation:
            return
        self.chart = chart
        self._timeline_model.replace_entries(chart.timeline, self._people)
        self._problem_model.replace_problems(chart.problems)
        self._view.show_chart(chart)
        self.chart_shown.emit(chart.header.id)

    @Slot(object)
    def _on_chart_failed(self, error: BaseException) -> None:
        self.chart_failed.emit(error)
        show_error(self._view, error)
