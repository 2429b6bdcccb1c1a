"""The conflict inbox: open conflicts on the left; the selected one on the right, both
versions side by side with the differences highlighted, and one button per choice the
service allows (keep this workstation's, take the server's, merge the ticked fields, cancel a
booking, keep both possible duplicates or merge them as the same person). Nothing changes
until a button is pressed."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_app.sync.models import Conflict, ConflictKind, Resolution
from clinic_app.ui.icons import icon
from clinic_app.ui.records.list_table import list_table
from clinic_app.ui.sync.conflict_field_table_model import (
    LOCAL,
    SERVER,
    ConflictFieldTableModel,
    FieldColumn,
)
from clinic_app.ui.sync.conflict_table_model import (
    CONFLICT_ROLE,
    ConflictColumn,
    ConflictTableModel,
)
from clinic_app.ui.sync.sync_texts import KIND_LABELS, RESOLUTION_LABELS, table_label
from clinic_app.ui.widgets.empty_state import EmptyState
from clinic_app.ui.widgets.widget_factories import (
    hint_label,
    message_label,
    show_message,
    shown_text,
    spread_row,
)

_HELP = {
    ConflictKind.EDIT: (
        "This record was changed here and on the server since the last sync. Compare the "
        "highlighted fields, then keep one version or tick, per field, the value to keep "
        "and merge."
    ),
    ConflictKind.DELETED_ON_SERVER: (
        "This record was changed here but deleted on the server. Keep it (it goes back to "
        "the server) or accept the deletion."
    ),
    ConflictKind.SLOT_TAKEN: (
        "The server refused this booking: the slot was booked from another workstation "
        "first. The booking stays provisional here until you try again or cancel it."
    ),
    ConflictKind.DUPLICATE_PATIENT: (
        "A patient arrived from the server who may be the same person as one registered "
        "here. Nothing was merged. If they are different people, keep both. If they are the "
        "same person, merge the two charts (a doctor or an administrator): you compare both "
        "and choose each differing detail first, merging is never done silently."
    ),
}


class ConflictInboxView(QWidget):
    refresh_requested = Signal()
    resolve_requested = Signal(object, str, dict)  # Conflict, resolution value, choices
    merge_requested = Signal(object)  # Conflict: compare and merge its two charts first

    def __init__(
        self,
        model: ConflictTableModel,
        fields: ConflictFieldTableModel,
        parent: QWidget | None = None,
        *,
        can_merge: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conflictInbox")
        self._can_merge = can_merge
        self._model = model
        self.fields = fields
        self.conflict: Conflict | None = None
        self.resolution_buttons: dict[Resolution, QPushButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 10, 4, 4)
        self.count_label = hint_label(wrap=False)
        self.refresh_button = QPushButton(icon("refresh"), "Refresh")
        self.refresh_button.setToolTip("Read the open conflicts again (F5)")
        layout.addLayout(spread_row([self.count_label], [self.refresh_button]))
        self.table = list_table(
            model,
            "conflictTable",
            stretch=ConflictColumn.CHANGED,
            widths={
                ConflictColumn.FOUND: 150,
                ConflictColumn.KIND: 200,
                ConflictColumn.RECORD: 150,
            },
        )
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self._build_detail())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([620, 700])
        self.empty_state = EmptyState("verify")
        self.empty_state.set_message(
            "No conflicts",
            "When a record is changed here and on the server between two syncs, both versions "
            "are kept and shown here side by side for you to choose.",
        )
        self._stack = QStackedWidget()
        self._stack.addWidget(splitter)
        self._stack.addWidget(self.empty_state)
        layout.addWidget(self._stack, 1)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        QShortcut(QKeySequence("F5"), self, self.refresh_requested)
        model.modelReset.connect(self._on_model_reset)
        self._on_model_reset()

    def _build_detail(self) -> QWidget:
        detail = QWidget()
        detail.setObjectName("conflictDetail")
        column = QVBoxLayout(detail)
        column.setContentsMargins(10, 0, 0, 0)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.help_label = QLabel()
        self.help_label.setWordWrap(True)
        self.detail_label = QLabel()
        self.detail_label.setObjectName("fieldHint")
        self.detail_label.setWordWrap(True)
        column.addWidget(self.title)
        column.addWidget(self.help_label)
        column.addWidget(self.detail_label)
        bulk = QHBoxLayout()
        self.all_local_button = QPushButton("All from this workstation")
        self.all_server_button = QPushButton("All from the server")
        bulk.addStretch(1)
        bulk.addWidget(self.all_local_button)
        bulk.addWidget(self.all_server_button)
        column.addLayout(bulk)
        self.field_table = QTableView()
        self.field_table.setObjectName("conflictFieldTable")
        self.field_table.setModel(self.fields)
        self.field_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.field_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.field_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.field_table.setShowGrid(False)
        self.field_table.setWordWrap(True)
        self.field_table.verticalHeader().hide()
        header = self.field_table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(FieldColumn.FIELD, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FieldColumn.LOCAL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(FieldColumn.SERVER, QHeaderView.ResizeMode.Stretch)
        column.addWidget(self.field_table, 1)
        self.message = message_label("formError")
        column.addWidget(self.message)
        self._buttons_row = QHBoxLayout()
        self._buttons_row.addStretch(1)
        for resolution in Resolution:
            button = QPushButton(RESOLUTION_LABELS[resolution])
            # The merge is the considered choice; the others take one side whole.
            button.setObjectName(
                "primaryButton" if resolution is Resolution.MERGE else f"resolve_{resolution}"
            )
            button.clicked.connect(lambda _=False, r=resolution: self._on_resolution_clicked(r))
            button.hide()
            self.resolution_buttons[resolution] = button
            self._buttons_row.addWidget(button)
        column.addLayout(self._buttons_row)
        self.all_local_button.clicked.connect(lambda: self.fields.choose_all(LOCAL))
        self.all_server_button.clicked.connect(lambda: self.fields.choose_all(SERVER))
        return detail

    # --- showing -----------------------------------------------------------------------

    def selected(self) -> Conflict | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(CONFLICT_ROLE) if rows else None

    def select_conflict(self, conflict_id: str) -> bool:
        row = self._model.row_of(conflict_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def show_conflict(self, conflict: Conflict | None) -> None:
        self.conflict = conflict
        show_message(self.message, "")
        mergeable = conflict is not None and Resolution.MERGE in conflict.choices
        self.fields.set_conflict(conflict, mergeable=mergeable)
        self.all_local_button.setVisible(mergeable)
        self.all_server_button.setVisible(mergeable)
        for resolution, button in self.resolution_buttons.items():
            offered = conflict is not None and resolution in conflict.choices
            if resolution is Resolution.MERGED and not self._can_merge:
                # Merging charts is a right of its own (PATIENT_MERGE); closing the conflict
                # of a merge already done (here or elsewhere) is not.
                offered = offered and conflict is not None and conflict.choices == (resolution,)
            button.setVisible(offered)
            button.setEnabled(True)
            button.setText(RESOLUTION_LABELS[resolution])
        if conflict is not None and conflict.choices == (Resolution.MERGED,):
            self.resolution_buttons[Resolution.MERGED].setText("Close: already merged")
        if conflict is not None and conflict.kind is ConflictKind.SLOT_TAKEN:
            # For a refused booking, "keep mine" means: ask the server for the slot again.
            self.resolution_buttons[Resolution.KEEP_LOCAL].setText("Try the booking again")
        if conflict is None:
            self.title.setText("Choose a conflict")
            self.help_label.setText("")
            self.detail_label.setText("")
            return
        self.title.setText(
            f"{KIND_LABELS.get(conflict.kind, conflict.kind.value)}: "
            f"{table_label(conflict.entity_type)} {conflict.entity_id}"
        )
        help_text = _HELP.get(conflict.kind, "")
        if mergeable:
            help_text += " Ticked cells are the values a merge keeps."
        self.help_label.setText(help_text)
        self.detail_label.setText(conflict.detail)
        self.detail_label.setVisible(bool(conflict.detail))
        self.field_table.resizeRowsToContents()

    def show_error(self, text: str) -> None:
        show_message(self.message, text)
        for button in self.resolution_buttons.values():
            button.setEnabled(True)

    def error_text(self) -> str:
        return shown_text(self.message)

    def set_busy(self, busy: bool) -> None:
        for button in self.resolution_buttons.values():
            button.setEnabled(not busy)

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        conflict, shown = self.selected(), self.conflict
        if conflict is not None and shown is not None and conflict == shown:
            return  # a reload found it unchanged: keep the fields ticked so far
        self.show_conflict(conflict)

    @Slot()
    def _on_model_reset(self) -> None:
        count = self._model.rowCount()
        self._stack.setCurrentIndex(0 if count else 1)
        self.count_label.setText(
            f"{count} open conflict{'s' if count != 1 else ''}: choose one to compare both "
            "versions."
            if count
            else ""
        )
        if count:
            shown = self.conflict
            if shown is None or not self.select_conflict(shown.id):
                self.table.selectRow(0)
        else:
            self.show_conflict(None)

    def _on_resolution_clicked(self, resolution: Resolution) -> None:
        conflict = self.conflict
        if conflict is None:
            return
        choices = self.fields.choices() if resolution is Resolution.MERGE else {}
        self.set_busy(True)
        if resolution is Resolution.MERGED and conflict.choices != (Resolution.MERGED,):
            # Not merged yet: the side-by-side merge first, the conflict closes after it.
            self.merge_requested.emit(conflict)
            return
        self.resolve_requested.emit(conflict, resolution.value, choices)

    @property
    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self.empty_state
