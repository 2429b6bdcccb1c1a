"""The AI panel: choose a model (its status shown prominently; refused packs say why), run it
on the image or the series with progress and cancel, the patient's results, and the chosen
result in detail."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_app.ui.icons import icon
from clinic_app.ui.imaging.analysis_result_view import AnalysisResultView
from clinic_app.ui.imaging.analysis_table_model import AnalysisColumn, AnalysisTableModel
from clinic_app.ui.imaging.model_choice import ABCD, ModelChoice
from clinic_app.ui.imaging.model_choice_list_model import ModelChoiceListModel, badge_status
from clinic_app.ui.imaging.model_status import style_badge


def first_sentence(text: str, limit: int = 150) -> str:
    """The start of a model's intended use (the full text is the tooltip)."""
    head = text.split(". ", maxsplit=1)[0].strip()
    head = head if head.endswith(".") else head + "."
    return head if len(head) <= limit else head[: limit - 1].rstrip() + "…"


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


class AiPanelView(QScrollArea):
    model_chosen = Signal(int)
    run_image_requested = Signal()
    run_series_requested = Signal()
    cancel_requested = Signal()
    result_chosen = Signal(int)  # row in the results model

    def __init__(
        self,
        choices: ModelChoiceListModel,
        results: AnalysisTableModel,
        *,
        can_run: bool,
        can_review: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("aiPanelView")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 4, 6, 8)
        title = QLabel("AI decision support")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        self.run_box = self._build_run_box(choices)
        self.run_box.setVisible(can_run)
        layout.addWidget(self.run_box)
        layout.addWidget(_section("Results for this patient"))
        self.results_table = self._build_results_table(results)
        layout.addWidget(self.results_table)
        self.no_result_label = QLabel("No result for this image yet.")
        self.no_result_label.setObjectName("fieldHint")
        layout.addWidget(self.no_result_label)
        self.result_view = AnalysisResultView(can_review=can_review, can_request=can_run)
        layout.addWidget(self.result_view)
        layout.addStretch(1)
        self.setWidget(body)
        self.set_running(False)

    def _build_run_box(self, choices: ModelChoiceListModel) -> QWidget:
        box = QWidget()
        run_layout = QVBoxLayout(box)
        run_layout.setContentsMargins(0, 0, 0, 0)
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("modelCombo")
        self.model_combo.setModel(choices)
        self.model_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.model_combo.setMinimumContentsLength(20)
        self.model_combo.currentIndexChanged.connect(self.model_chosen)
        run_layout.addWidget(self.model_combo)
        badge_row = QHBoxLayout()
        self.model_badge = QLabel()
        self.model_badge.setObjectName("modelStatusBadge")
        badge_row.addWidget(self.model_badge)
        badge_row.addStretch(1)
        run_layout.addLayout(badge_row)
        self.model_info = QLabel()
        self.model_info.setObjectName("modelInfo")
        self.model_info.setWordWrap(True)
        self.model_info.setTextFormat(Qt.TextFormat.PlainText)
        run_layout.addWidget(self.model_info)
        structures_row = QHBoxLayout()
        self.structures_caption = QLabel("D · differential structures")
        self.structures_combo = QComboBox()
        self.structures_combo.setObjectName("structuresCombo")
        self.structures_combo.addItem("not assessed", None)
        for count in range(1, 6):
            self.structures_combo.addItem(str(count), count)
        structures_row.addWidget(self.structures_caption)
        structures_row.addWidget(self.structures_combo, 1)
        run_layout.addLayout(structures_row)
        buttons = QHBoxLayout()
        self.run_image_button = QPushButton(icon("suggest"), "Analyse image")
        self.run_image_button.setObjectName("runImageButton")
        self.run_image_button.clicked.connect(self.run_image_requested)
        self.run_series_button = QPushButton("Analyse series")
        self.run_series_button.setObjectName("runSeriesButton")
        self.run_series_button.clicked.connect(self.run_series_requested)
        buttons.addWidget(self.run_image_button)
        buttons.addWidget(self.run_series_button)
        run_layout.addLayout(buttons)
        run_layout.addLayout(self._build_progress_rows())
        return box

    def _build_progress_rows(self) -> QVBoxLayout:
        rows = QVBoxLayout()
        progress_row = QHBoxLayout()
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("analysisProgress")
        self.cancel_button = QPushButton(icon("cancel"), "Cancel")
        self.cancel_button.setObjectName("cancelAnalysisButton")
        self.cancel_button.clicked.connect(self.cancel_requested)
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.cancel_button)
        rows.addLayout(progress_row)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("fieldHint")
        rows.addWidget(self.progress_label)
        return rows

    def _build_results_table(self, results: AnalysisTableModel) -> QTableView:
        table = QTableView()
        table.setObjectName("analysisTable")
        table.setModel(results)
        table.verticalHeader().hide()
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setFixedHeight(112)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(AnalysisColumn.FINDING, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(AnalysisColumn.MODEL, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(AnalysisColumn.MODEL, 96)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.selectionModel().currentRowChanged.connect(self._on_results_current_row_changed)
        return table

    # --- what the controller sets ----------------------------------------------------------

    def show_choice(self, choice: ModelChoice | None) -> None:
        if choice is None:
            self.model_badge.hide()
            self.model_info.setText("No model is installed.")
            self.structures_caption.hide()
            self.structures_combo.hide()
            return
        self.model_badge.show()
        style_badge(self.model_badge, badge_status(choice))
        if choice.usable:
            self.model_info.setText(first_sentence(choice.intended_use))
            self.model_info.setToolTip(choice.intended_use)
            if self.model_info.styleSheet():
                self.model_info.setStyleSheet("")
        else:
            self.model_info.setText(f"This pack is refused: {choice.refused_reason}")
            self.model_info.setStyleSheet("color: #b42318;")
        abcd = choice.kind == ABCD
        self.structures_caption.setVisible(abcd)
        self.structures_combo.setVisible(abcd)

    def set_run_enabled(self, image: bool, series: bool) -> None:
        self.run_image_button.setEnabled(image)
        self.run_series_button.setEnabled(series)

    def set_running(self, running: bool) -> None:
        self.progress_bar.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.model_combo.setEnabled(not running)
        if running:
            self.progress_bar.setRange(0, 0)
            self.progress_label.setText("Starting…")
        self.progress_label.setVisible(running)

    def show_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
        if message:
            self.progress_label.setText(message)

    @property
    def structures(self) -> int | None:
        value = self.structures_combo.currentData()
        return int(value) if value is not None else None

    def select_result_row(self, row: int) -> None:
        if row < 0:
            self.results_table.clearSelection()
            self.results_table.setCurrentIndex(QModelIndex())
            return
        self.results_table.selectRow(row)

    @Slot(QModelIndex, QModelIndex)
    def _on_results_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.result_chosen.emit(current.row() if current.isValid() else -1)
