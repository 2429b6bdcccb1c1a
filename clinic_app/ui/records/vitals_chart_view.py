"""Vitals over time (QtCharts): one measure at a time, chosen on a tab bar.

Weight, BMI, blood pressure (systolic and diastolic together), pulse, temperature, SpO2 and
respiratory rate. Only the chosen measure is drawn, so a chart of thousands of readings opens
at once; `QLineSeries.replace` hands Qt all points in one call.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QMargins, QPointF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabBar, QVBoxLayout, QWidget

from clinic_app.records.chart_models import MEASURE_UNITS, Measure, VitalsSeries
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.widgets.empty_state import EmptyState

MARKER_LIMIT = 40
_DAY_MS = 24 * 3600 * 1000
_COLOURS = ("#1b6a8a", "#c2410c")


@dataclass(frozen=True)
class MeasureGroup:
    title: str
    measures: tuple[Measure, ...]
    tab: str  # short, so every tab fits beside the others


GROUPS = (
    MeasureGroup("Weight", (Measure.WEIGHT,), "Weight"),
    MeasureGroup("BMI", (Measure.BMI,), "BMI"),
    MeasureGroup("Blood pressure", (Measure.SYSTOLIC, Measure.DIASTOLIC), "BP"),
    MeasureGroup("Pulse", (Measure.PULSE,), "Pulse"),
    MeasureGroup("Temperature", (Measure.TEMPERATURE,), "Temp."),
    MeasureGroup("SpO2", (Measure.SPO2,), "SpO2"),
    MeasureGroup("Resp. rate", (Measure.RESPIRATORY_RATE,), "Resp."),
)
_SERIES_NAMES = {Measure.SYSTOLIC: "Systolic", Measure.DIASTOLIC: "Diastolic"}


class VitalsChartView(QWidget):
    measure_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vitalsChartView")
        self._series: dict[Measure, VitalsSeries] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.tab_bar = QTabBar()
        self.tab_bar.setObjectName("vitalsTabs")
        self.tab_bar.setExpanding(False)
        self.tab_bar.setDrawBase(False)
        for index, group in enumerate(GROUPS):
            self.tab_bar.addTab(group.tab)
            self.tab_bar.setTabToolTip(index, group.title)
        layout.addWidget(self.tab_bar)
        self.caption = QLabel()
        self.caption.setObjectName("fieldHint")
        layout.addWidget(self.caption)
        self._stack = QStackedWidget()
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.setBackgroundRoundness(4)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("vitalsChart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(180)
        self.empty_state = EmptyState("chart")
        self.empty_state.set_message(
            "No vitals recorded yet", "Readings taken at visits appear here."
        )
        self._stack.addWidget(self.chart_view)
        self._stack.addWidget(self.empty_state)
        layout.addWidget(self._stack, 1)
        self.tab_bar.currentChanged.connect(self._on_tab_bar_current_changed)

    def set_series(self, series: tuple[VitalsSeries, ...]) -> None:
        self._series = {item.measure: item for item in series}
        for index, group in enumerate(GROUPS):
            has_data = any(m in self._series for m in group.measures)
            self.tab_bar.setTabEnabled(index, has_data)
            tip = group.title if has_data else f"{group.title}: no readings"
            self.tab_bar.setTabToolTip(index, tip)
        if not self._series:
            self.caption.setText("")
            self._stack.setCurrentWidget(self.empty_state)
            return
        self._stack.setCurrentWidget(self.chart_view)
        current = self.tab_bar.currentIndex()
        if not self.tab_bar.isTabEnabled(current):
            current = next(i for i in range(len(GROUPS)) if self.tab_bar.isTabEnabled(i))
        if current == self.tab_bar.currentIndex():
            self._draw(GROUPS[current])
        else:
            self.tab_bar.setCurrentIndex(current)  # draws through currentChanged

    @property
    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self.empty_state

    @property
    def current_group(self) -> MeasureGroup:
        return GROUPS[max(0, self.tab_bar.currentIndex())]

    def select_group(self, title: str) -> None:
        for index, group in enumerate(GROUPS):
            if group.title == title and self.tab_bar.isTabEnabled(index):
                self.tab_bar.setCurrentIndex(index)

    @Slot(int)
    def _on_tab_bar_current_changed(self, index: int) -> None:
        if 0 <= index < len(GROUPS) and self._series:
            self._draw(GROUPS[index])
            self.measure_changed.emit(GROUPS[index].title)

    def _draw(self, group: MeasureGroup) -> None:
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        present = [self._series[m] for m in group.measures if m in self._series]
        if not present:
            return
        x_axis = QDateTimeAxis()
        y_axis = QValueAxis()
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        low, high = float("inf"), float("-inf")
        first_ms, last_ms = float("inf"), float("-inf")
        latest: list[str] = []
        for colour, item in zip(_COLOURS, present, strict=False):
            line = QLineSeries()
            line.setName(_SERIES_NAMES.get(item.measure, group.title))
            points = [QPointF(when.timestamp() * 1000, value) for when, value in item.points]
            line.replace(points)
            pen = QPen(QColor(colour))
            pen.setWidthF(2.0)
            line.setPen(pen)
            line.setPointsVisible(len(points) <= MARKER_LIMIT)
            chart.addSeries(line)
            line.attachAxis(x_axis)
            line.attachAxis(y_axis)
            values = [value for _when, value in item.points]
            low, high = min(low, *values), max(high, *values)
            first_ms = min(first_ms, points[0].x())
            last_ms = max(last_ms, points[-1].x())
            latest.append(f"{item.points[-1][1]:g}")
        pad = max((high - low) * 0.1, 1.0)
        y_axis.setRange(low - pad, high + pad)
        y_axis.applyNiceNumbers()
        y_axis.setLabelFormat("%g")
        unit = MEASURE_UNITS[group.measures[0]]
        y_axis.setTitleText(unit)
        if last_ms - first_ms < _DAY_MS:
            first_ms, last_ms = first_ms - _DAY_MS / 2, last_ms + _DAY_MS / 2
        span_days = (last_ms - first_ms) / _DAY_MS
        x_axis.setFormat("MMM yyyy" if span_days > 400 else "d MMM" if span_days > 2 else "HH:mm")
        x_axis.setTickCount(6)
        x_axis.setRange(_qdatetime(first_ms), _qdatetime(last_ms))
        chart.legend().setVisible(len(present) > 1)
        newest = max(item.points[-1][0] for item in present)
        readings = sum(len(item.points) for item in present) // len(present)
        self.caption.setText(
            f"{group.title}: latest {'/'.join(latest)} {unit} on {local_time(newest)} · "
            f"{readings} reading{'s' if readings != 1 else ''}"
        )

    def point_count(self) -> int:
        return sum(series.count() for series in self.chart.series())  # type: ignore[attr-defined]


def _qdatetime(milliseconds: float) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(int(milliseconds))
