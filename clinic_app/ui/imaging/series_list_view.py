"""The left column of the imaging page: whose images, the Import button and the series list."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_app.patients.models import PatientSummary
from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.imaging.series_table_model import SeriesColumn, SeriesTableModel


class SeriesListView(QWidget):
    series_chosen = Signal(int)  # row
    import_requested = Signal()

    def __init__(
        self, model: SeriesTableModel, *, can_import: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("seriesListView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 4, 8)
        self.name_label = QLabel()
        self.name_label.setObjectName("pageTitle")
        self.name_label.setWordWrap(True)
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.name_label)
        self.facts_label = QLabel()
        self.facts_label.setObjectName("fieldHint")
        self.facts_label.setTextFormat(Qt.TextFormat.PlainText)
        self.facts_label.setWordWrap(True)
        layout.addWidget(self.facts_label)
        self.import_button = QPushButton(icon("add", ON_ACCENT_COLOUR), "Import images…")
        self.import_button.setObjectName("primaryButton")
        self.import_button.setVisible(can_import)
        self.import_button.clicked.connect(self.import_requested)
        layout.addWidget(self.import_button)
        self.table = QTableView()
        self.table.setObjectName("seriesTable")
        self.table.setModel(model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # One column reads best in a narrow pane: the series text carries date and count.
        for column in (SeriesColumn.DATE, SeriesColumn.IMAGES):
            self.table.setColumnHidden(column, True)
        self.table.horizontalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            SeriesColumn.SERIES, QHeaderView.ResizeMode.Stretch
        )
        self.table.setShowGrid(False)
        size = model.thumbnail_size
        self.table.setIconSize(QSize(size, size))
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel("No images for this patient yet.")
        self.empty_label.setObjectName("fieldHint")
        self.empty_label.setWordWrap(True)
        layout.addWidget(self.empty_label)

    def show_patient(self, patient: PatientSummary, series_count: int) -> None:
        self.name_label.setText(patient.display_name)
        record = f" · record {patient.mrn}" if patient.mrn else ""
        self.facts_label.setText(f"Born {patient.birth_date.isoformat()}{record}")
        self.empty_label.setVisible(series_count == 0)

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    @Slot(QModelIndex, QModelIndex)
    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.series_chosen.emit(current.row())
