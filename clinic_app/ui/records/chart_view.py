"""One patient's chart: header (allergies always visible), timeline, problem list, vitals.

A view: it shows what the controller gives it and reports what the person does. Enter or a
double-click on the timeline opens that visit or record.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.records.chart_models import PatientChart
from clinic_app.records.models import Vitals
from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.records.list_table import list_table
from clinic_app.ui.records.patient_header_view import PatientHeaderView
from clinic_app.ui.records.problem_table_model import ProblemColumn, ProblemTableModel
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.records.timeline_table_model import (
    TIMELINE_ENTRY_ROLE,
    TimelineColumn,
    TimelineTableModel,
)
from clinic_app.ui.records.vitals_chart_view import VitalsChartView
from clinic_app.ui.widgets.empty_state import EmptyState


def _section_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


def vitals_summary(vitals: Vitals | None) -> str:
    if vitals is None:
        return "No vitals recorded yet."
    parts = []
    if vitals.systolic_mmhg is not None and vitals.diastolic_mmhg is not None:
        parts.append(f"BP {vitals.systolic_mmhg}/{vitals.diastolic_mmhg} mmHg")
    for label, value, unit in (
        ("Pulse", vitals.pulse_bpm, "/min"),
        ("Temp", vitals.temperature_c, " °C"),
        ("SpO2", vitals.spo2_percent, " %"),
        ("RR", vitals.respiratory_rate, "/min"),
        ("Weight", vitals.weight_kg, " kg"),
        ("BMI", vitals.bmi, ""),
    ):
        if value is not None:
            parts.append(f"{label} {value:g}{unit}")
    return f"Latest vitals ({local_time(vitals.measured_at)}): " + " · ".join(parts)


class ChartView(QWidget):
    visit_activated = Signal(str)
    record_activated = Signal(str)
    new_visit_requested = Signal()
    refresh_requested = Signal()

    def __init__(
        self,
        timeline_model: TimelineTableModel,
        problem_model: ProblemTableModel,
        *,
        can_open_visit: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("chartView")
        self._timeline_model = timeline_model
        self._problem_model = problem_model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 10)
        layout.setSpacing(8)
        self.header = PatientHeaderView()
        layout.addWidget(self.header)
        layout.addLayout(self._build_toolbar(can_open_visit))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_timeline())
        right = QSplitter(Qt.Orientation.Vertical)
        right.setChildrenCollapsible(False)
        right.addWidget(self._build_problems())
        right_bottom = QWidget()
        column = QVBoxLayout(right_bottom)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(_section_title("Vitals over time"))
        self.vitals_chart = VitalsChartView()
        column.addWidget(self.vitals_chart, 1)
        right.addWidget(right_bottom)
        right.setSizes([170, 330])
        splitter.addWidget(right)
        splitter.setSizes([600, 560])
        layout.addWidget(splitter, 1)

    def _build_toolbar(self, can_open_visit: bool) -> QHBoxLayout:
        row = QHBoxLayout()
        self.vitals_label = QLabel()
        self.vitals_label.setObjectName("fieldHint")
        self.vitals_label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.vitals_label, 1)
        self.refresh_button = QPushButton(icon("refresh"), "Refresh")
        self.refresh_button.setToolTip("Load the chart again (F5)")
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.new_visit_button = QPushButton(icon("add", ON_ACCENT_COLOUR), "New visit")
        self.new_visit_button.setObjectName("primaryButton")
        self.new_visit_button.setToolTip("Open a new visit for this patient (Ctrl+N)")
        self.new_visit_button.setVisible(can_open_visit)
        self.new_visit_button.clicked.connect(self.new_visit_requested)
        row.addWidget(self.refresh_button)
        row.addWidget(self.new_visit_button)
        return row

    def _build_timeline(self) -> QWidget:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 6, 0)
        heading = QHBoxLayout()
        heading.addWidget(_section_title("Visits and records"))
        heading.addStretch(1)
        self.timeline_count = QLabel()
        self.timeline_count.setObjectName("fieldHint")
        heading.addWidget(self.timeline_count)
        column.addLayout(heading)
        self._timeline_stack = QStackedWidget()
        self.timeline_table = list_table(
            self._timeline_model,
            "timelineTable",
            stretch=TimelineColumn.TITLE,
            widths={
                TimelineColumn.WHEN: 142,
                TimelineColumn.KIND: 96,
                TimelineColumn.STATUS: 66,
                TimelineColumn.BY: 104,
            },
        )
        self.timeline_table.setToolTip("Enter or double-click opens the visit or record.")
        self.timeline_empty = EmptyState("visit")
        self.timeline_empty.set_message(
            "No visits or records yet", "Visits, lab results and letters will be listed here."
        )
        self._timeline_stack.addWidget(self.timeline_table)
        self._timeline_stack.addWidget(self.timeline_empty)
        column.addWidget(self._timeline_stack, 1)
        self.timeline_table.activated.connect(self._on_timeline_table_activated)
        self.timeline_table.doubleClicked.connect(self._on_timeline_table_activated)
        return panel

    def _build_problems(self) -> QWidget:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(6, 0, 0, 0)
        column.addWidget(_section_title("Problem list (active coded diagnoses)"))
        self._problem_stack = QStackedWidget()
        self.problem_table = list_table(
            self._problem_model,
            "problemTable",
            stretch=ProblemColumn.DESCRIPTION,
            widths={ProblemColumn.CODE: 76, ProblemColumn.SINCE: 100, ProblemColumn.LAST: 104},
        )
        self.problems_empty = QLabel("No active problems are coded.")
        self.problems_empty.setObjectName("fieldHint")
        self.problems_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._problem_stack.addWidget(self.problem_table)
        self._problem_stack.addWidget(self.problems_empty)
        column.addWidget(self._problem_stack, 1)
        return panel

    # --- shown by the controller ---------------------------------------------------------

    def show_chart(self, chart: PatientChart) -> None:
        extra = ""
        if chart.pending_reviews:
            plural = "s" if chart.pending_reviews != 1 else ""
            extra = f"{chart.pending_reviews} review{plural} pending"
        self.header.show_header(chart.header, extra)
        self.vitals_label.setText(vitals_summary(chart.latest_vitals))
        total = len(chart.timeline)
        self.timeline_count.setText(f"{total} item{'s' if total != 1 else ''}")
        self._timeline_stack.setCurrentWidget(self.timeline_table if total else self.timeline_empty)
        self._problem_stack.setCurrentWidget(
            self.problem_table if chart.problems else self.problems_empty
        )
        self.vitals_chart.set_series(chart.vitals)

    @property
    def showing_empty_timeline(self) -> bool:
        return self._timeline_stack.currentWidget() is self.timeline_empty

    @Slot(QModelIndex)
    def _on_timeline_table_activated(self, index: QModelIndex) -> None:
        entry = index.data(TIMELINE_ENTRY_ROLE)
        if entry is None:
            return
        if entry.kind == "visit":
            self.visit_activated.emit(entry.id)
        else:
            self.record_activated.emit(entry.id)
