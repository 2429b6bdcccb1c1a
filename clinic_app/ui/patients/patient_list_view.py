"""The patient list: a search box, the results table, and an empty state when there is none.

A view: it shows what the controller gives it and reports what the person does.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.patients.patient_table_model import (
    PATIENT_ID_ROLE,
    SORTABLE_COLUMNS,
    PatientColumn,
    PatientTableModel,
)
from clinic_app.ui.widgets.empty_state import EmptyState


class PatientListView(QWidget):
    query_edited = Signal(str)
    new_requested = Signal()
    patient_activated = Signal(str)
    sort_changed = Signal(int, Qt.SortOrder)
    include_deleted_toggled = Signal(bool)

    def __init__(
        self,
        model: PatientTableModel,
        *,
        can_create: bool,
        can_see_deleted: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("patientListView")
        self._model = model
        self._can_create = can_create
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 8, 12)
        layout.setSpacing(8)
        layout.addLayout(self._build_header(can_create))
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("patientSearch")
        self.search_edit.setPlaceholderText("Search by name, date of birth, phone or record no.")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_edit.setMaxLength(200)
        layout.addWidget(self.search_edit)
        layout.addLayout(self._build_filter_row(can_see_deleted))
        self._stack = QStackedWidget()
        self.table = self._build_table(model)
        self.empty_state = EmptyState("empty")
        self._stack.addWidget(self.table)
        self._stack.addWidget(self.empty_state)
        layout.addWidget(self._stack, 1)

        self.search_edit.installEventFilter(self)
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        self.search_edit.textEdited.connect(self.query_edited)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.table.activated.connect(self._on_table_activated)
        self.table.clicked.connect(self._on_table_activated)
        self.empty_state.action_clicked.connect(self.new_requested)

    def _build_header(self, can_create: bool) -> QHBoxLayout:
        row = QHBoxLayout()
        title = QLabel("Patients")
        title.setObjectName("pageTitle")
        row.addWidget(title)
        row.addStretch(1)
        self.new_button = QPushButton(icon("add", ON_ACCENT_COLOUR), "New patient")
        self.new_button.setObjectName("primaryButton")
        self.new_button.setToolTip("Create a patient record (Ctrl+N)")
        self.new_button.setVisible(can_create)
        self.new_button.clicked.connect(self.new_requested)
        row.addWidget(self.new_button)
        return row

    def _build_filter_row(self, can_see_deleted: bool) -> QHBoxLayout:
        row = QHBoxLayout()
        self.result_label = QLabel()
        self.result_label.setObjectName("fieldHint")
        row.addWidget(self.result_label)
        row.addStretch(1)
        self.deleted_check = QCheckBox("Show deleted records")
        self.deleted_check.setVisible(can_see_deleted)
        self.deleted_check.toggled.connect(self.include_deleted_toggled)
        row.addWidget(self.deleted_check)
        return row

    def _build_table(self, model: PatientTableModel) -> QTableView:
        table = QTableView()
        table.setObjectName("patientTable")
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 14)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(60)
        header.setSectionResizeMode(PatientColumn.NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (PatientColumn.BIRTH_DATE, 156),
            (PatientColumn.SEX, 72),
            (PatientColumn.PHONE, 146),
            (PatientColumn.MRN, 122),
        ):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setSortIndicator(PatientColumn.NAME, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.sortIndicatorChanged.connect(self._on_header_sort_indicator_changed)
        self._sort_column = int(PatientColumn.NAME)
        self._sort_order = Qt.SortOrder.AscendingOrder
        return table

    # --- reporting -----------------------------------------------------------------------

    @Slot(str)
    def _on_search_edit_text_changed(self, text: str) -> None:
        # The clear button changes the text without `textEdited`: report it too.
        if not text:
            self.query_edited.emit(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down arrow in the search box moves into the results, as in any search list."""
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self._model.rowCount() > 0
        ):
            self.table.setFocus(Qt.FocusReason.TabFocusReason)
            self.table.selectRow(0)
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def _on_search_edit_return_pressed(self) -> None:
        """Enter opens the best match."""
        if self._model.rowCount() > 0 and not self.showing_empty_state:
            self.table.selectRow(0)
            self._on_table_activated(self._model.index(0, 0))

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        patient_id = index.data(PATIENT_ID_ROLE)
        if patient_id:
            self.patient_activated.emit(str(patient_id))

    @Slot(int, Qt.SortOrder)
    def _on_header_sort_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        header = self.table.horizontalHeader()
        if column not in SORTABLE_COLUMNS:
            header.blockSignals(True)
            header.setSortIndicator(self._sort_column, self._sort_order)
            header.blockSignals(False)
            return
        self._sort_column, self._sort_order = column, order
        self.sort_changed.emit(column, order)

    # --- shown by the controller ---------------------------------------------------------

    def query(self) -> str:
        return self.search_edit.text()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def set_searching(self, searching: bool) -> None:
        """Search results come best match first; the sort header applies to the full list."""
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(not searching)
        header.setSectionsClickable(not searching)

    def show_results(self, count_text: str) -> None:
        self.result_label.setText(count_text)
        self._stack.setCurrentWidget(self.table)

    def show_empty(self, query: str) -> None:
        self.result_label.setText("")
        action = "New patient" if self._can_create else ""
        if query.strip():
            self.empty_state.set_message(
                f"No patient matches “{query.strip()[:60]}”",
                "Check the spelling, or search by date of birth (YYYY-MM-DD), phone or record "
                "number.",
                action,
            )
        else:
            self.empty_state.set_message(
                "No patients yet",
                "Patient records you create will be listed here.",
                "Create the first patient" if self._can_create else "",
            )
        self._stack.setCurrentWidget(self.empty_state)

    @property
    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self.empty_state

    def select_patient(self, patient_id: str) -> None:
        row = self._model.row_of(patient_id)
        if row >= 0:
            self.table.selectRow(row)
