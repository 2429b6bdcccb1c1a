"""The doctor's worklist: what waits for their review, oldest first.

Enter or a double-click opens the item in the chart; "Complete review" asks for the
annotation that completing a review requires.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QPushButton, QVBoxLayout, QWidget

from clinic_app.records.models import ReviewStatus, WorklistItem
from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.records.list_table import list_table
from clinic_app.ui.records.worklist_table_model import (
    WORKLIST_ITEM_ROLE,
    WorklistColumn,
    WorklistTableModel,
)
from clinic_app.ui.widgets.empty_state import EmptyState
from clinic_app.ui.widgets.table_or_empty_state import TableOrEmptyState
from clinic_app.ui.widgets.widget_factories import hint_label, spread_row, title_bar


class WorklistView(QWidget):
    open_requested = Signal(object)  # WorklistItem
    complete_requested = Signal(object)  # WorklistItem
    refresh_requested = Signal()
    include_completed_toggled = Signal(bool)

    def __init__(self, model: WorklistTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("worklistView")
        self._model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        self.refresh_button = QPushButton(icon("refresh"), "Refresh")
        self.refresh_button.setToolTip("Load the worklist again (F5)")
        self.open_button = QPushButton(icon("open"), "Open")
        self.open_button.setToolTip("Open the selected item in the patient's chart (Enter)")
        self.complete_button = QPushButton(icon("worklist", ON_ACCENT_COLOUR), "Complete review…")
        self.complete_button.setObjectName("primaryButton")
        self.complete_button.setToolTip("Complete the selected review with your annotation")
        layout.addLayout(
            title_bar("My worklist", (self.refresh_button, self.open_button, self.complete_button))
        )
        self.count_label = hint_label(wrap=False)
        self.completed_check = QCheckBox("Show completed reviews")
        layout.addLayout(spread_row([self.count_label], [self.completed_check]))
        self.table = list_table(
            model,
            "worklistTable",
            stretch=WorklistColumn.ITEM,
            widths={
                WorklistColumn.PATIENT: 190,
                WorklistColumn.DATE: 150,
                WorklistColumn.ASSIGNED: 150,
                WorklistColumn.BY: 120,
                WorklistColumn.STATUS: 90,
            },
        )
        self.empty_state = EmptyState("worklist")
        self.empty_state.set_message(
            "Nothing waits for your review",
            "Visits and records assigned to you for review appear here.",
        )
        self._stack = TableOrEmptyState(self.table, self.empty_state)
        layout.addWidget(self._stack, 1)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.complete_button.clicked.connect(self._on_complete_button_clicked)
        self.completed_check.toggled.connect(self.include_completed_toggled)
        self.table.activated.connect(self._on_table_activated)
        self.table.doubleClicked.connect(self._on_table_activated)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        model.modelReset.connect(self._on_model_reset)
        self._on_model_reset()

    def selected(self) -> WorklistItem | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(WORKLIST_ITEM_ROLE) if rows else None

    @Slot()
    def _on_open_button_clicked(self) -> None:
        item = self.selected()
        if item is not None:
            self.open_requested.emit(item)

    @Slot()
    def _on_complete_button_clicked(self) -> None:
        item = self.selected()
        if item is not None and item.assignment.status is ReviewStatus.PENDING:
            self.complete_requested.emit(item)

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        item = index.data(WORKLIST_ITEM_ROLE)
        if item is not None:
            self.open_requested.emit(item)

    @Slot()
    def _on_model_reset(self) -> None:
        count = self._model.rowCount()
        self.count_label.setText(f"{count} item{'s' if count != 1 else ''}" if count else "")
        if count:
            self.table.selectRow(0)
        self._update_buttons()

    @Slot()
    def _update_buttons(self) -> None:
        item = self.selected()
        self.open_button.setEnabled(item is not None)
        pending = item is not None and item.assignment.status is ReviewStatus.PENDING
        self.complete_button.setEnabled(pending)

    @property
    def showing_empty_state(self) -> bool:
        return self._stack.showing_empty_state
