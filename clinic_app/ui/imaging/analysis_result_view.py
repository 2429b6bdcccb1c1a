"""One AI result, always under the words "Decision support — not a diagnosis": the model's
name, version, status and confidence, the probabilities as bars and the heatmap switch (a
classification), or the ABCD scores and outline switch (a skin photo), then its review."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSlider,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_app.imaging.summaries import AnalysisResult
from clinic_app.ui.imaging.abcd_result_view import AbcdResultView
from clinic_app.ui.imaging.model_status import style_badge
from clinic_app.ui.imaging.probability_bar_delegate import ProbabilityBarDelegate
from clinic_app.ui.imaging.probability_table_model import ProbabilityColumn, ProbabilityTableModel
from clinic_app.ui.imaging.review_bar_view import ReviewBarView

DECISION_SUPPORT_BANNER = "Decision support — not a diagnosis"
DEFAULT_OPACITY = 50


def _plain(object_name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class AnalysisResultView(QWidget):
    heatmap_toggled = Signal(bool)
    heatmap_opacity_changed = Signal(float)

    def __init__(
        self, *, can_review: bool, can_request: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("analysisResultView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.banner = QLabel(DECISION_SUPPORT_BANNER)
        self.banner.setObjectName("decisionSupportBanner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setStyleSheet(
            "QLabel { background: #fff1cc; color: #5c3b00; border: 1px solid #e0b44c;"
            " border-radius: 4px; padding: 5px; font-weight: 700; }"
        )
        layout.addWidget(self.banner)
        self.title_label = _plain("resultTitle")
        self.title_label.setStyleSheet("font-weight: 600;")
        layout.addWidget(self.title_label)
        status_row = QHBoxLayout()
        self.status_badge = QLabel()
        self.status_badge.setObjectName("resultModelStatus")
        status_row.addWidget(self.status_badge)
        status_row.addStretch(1)
        layout.addLayout(status_row)
        self.facts_label = _plain("resultFacts")
        layout.addWidget(self.facts_label)
        self.probability_model = ProbabilityTableModel(self)
        self.probability_table = QTableView()
        self.probability_table.setObjectName("probabilityTable")
        self.probability_table.setModel(self.probability_model)
        self.probability_table.setItemDelegateForColumn(
            ProbabilityColumn.PROBABILITY, ProbabilityBarDelegate(self.probability_table)
        )
        self.probability_table.verticalHeader().hide()
        self.probability_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.probability_table.setShowGrid(False)
        header = self.probability_table.horizontalHeader()
        header.setSectionResizeMode(
            ProbabilityColumn.LABEL, QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(ProbabilityColumn.PROBABILITY, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.probability_table)
        layout.addWidget(self._build_heatmap_row())
        self.abcd_view = AbcdResultView()
        layout.addWidget(self.abcd_view)
        self.review_bar = ReviewBarView(can_review=can_review, can_request=can_request)
        layout.addWidget(self.review_bar)
        self.result: AnalysisResult | None = None
        self.show_result(None)

    def _build_heatmap_row(self) -> QWidget:
        row_widget = QWidget()
        row = QHBoxLayout(row_widget)
        row.setContentsMargins(0, 0, 0, 0)
        self.heatmap_check = QCheckBox("Heatmap")
        self.heatmap_check.setObjectName("heatmapCheck")
        self.heatmap_check.setToolTip(
            "Occlusion sensitivity: where hiding the image lowers the model's answer most"
        )
        self.heatmap_check.setChecked(True)
        self.heatmap_check.toggled.connect(self._on_heatmap_check_toggled)
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setObjectName("heatmapOpacity")
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(DEFAULT_OPACITY)
        self.opacity_slider.setToolTip("Heatmap opacity")
        self.opacity_slider.valueChanged.connect(self._on_opacity_slider_value_changed)
        self.heatmap_hint = QLabel()
        self.heatmap_hint.setObjectName("fieldHint")
        row.addWidget(self.heatmap_check)
        row.addWidget(QLabel("Opacity"))
        row.addWidget(self.opacity_slider, 1)
        self.heatmap_row = row_widget
        return row_widget

    @property
    def opacity(self) -> float:
        return self.opacity_slider.value() / 100

    def show_result(
        self, result: AnalysisResult | None, names: dict[str, str] | None = None
    ) -> None:
        self.result = result
        self.setVisible(result is not None)
        if result is None:
            self.probability_model.show_result(None)
            return
        model = result.model
        self.title_label.setText(model.title or model.name)
        style_badge(self.status_badge, model.status)
        confidence = (
            f"{result.top_probability * 100:.1f}%" if result.top_probability is not None else "—"
        )
        finding = result.label_names.get(result.top_label or "", result.top_label or "—")
        if result.task == "abcd":
            facts = [f"Model: {model.name} {model.version} ({model.status})", f"Result: {finding}"]
        else:
            facts = [
                f"Model: {model.name} {model.version} ({model.status})",
                f"Finding: {finding} · confidence {confidence}",
            ]
        facts.append(f"Run {result.run_at.strftime('%Y-%m-%d %H:%M')} UTC")
        self.facts_label.setText("\n".join(facts))
        self.banner.setToolTip(result.label)  # the core's full sentence
        classification = result.task != "abcd"
        self.probability_model.show_result(result if classification else None)
        self.probability_table.setVisible(classification)
        rows = self.probability_model.rowCount()
        self.probability_table.setFixedHeight(
            self.probability_table.horizontalHeader().height() + 26 * rows + 4
        )
        for row in range(rows):
            self.probability_table.setRowHeight(row, 26)
        self.heatmap_row.setVisible(classification and result.heatmap is not None)
        self.abcd_view.setVisible(not classification and result.measurements is not None)
        if not classification and result.measurements is not None:
            self.abcd_view.show_measurements(result.measurements)
        self.review_bar.show_result(result, names or {})

    @Slot(bool)
    def _on_heatmap_check_toggled(self, checked: bool) -> None:
        self.opacity_slider.setEnabled(checked)
        self.heatmap_toggled.emit(checked)

    @Slot(int)
    def _on_opacity_slider_value_changed(self, value: int) -> None:
        self.heatmap_opacity_changed.emit(value / 100)
