"""Held records: what the server refused or what can't be stored here, each with the reason,
and an editor to correct and retry the one selected. Never dropped: they wait here."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.sync.models import QuarantinedItem
from clinic_app.ui.icons import icon
from clinic_app.ui.records.list_table import list_table
from clinic_app.ui.sync.held_record_editor import HeldRecordEditor
from clinic_app.ui.sync.quarantine_table_model import (
    HELD_ITEM_ROLE,
    HeldColumn,
    QuarantineTableModel,
)
from clinic_app.ui.widgets.empty_state import EmptyState
from clinic_app.ui.widgets.widget_factories import hint_label, spread_row


class QuarantineView(QWidget):
    refresh_requested = Signal()

    def __init__(self, model: QuarantineTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quarantineView")
        self._model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 10, 4, 4)
        self.count_label = hint_label(wrap=False)
        self.refresh_button = QPushButton(icon("refresh"), "Refresh")
        self.refresh_button.setToolTip("Read the held records again (F5)")
        layout.addLayout(spread_row([self.count_label], [self.refresh_button]))
        self.table = list_table(
            model,
            "quarantineTable",
            stretch=HeldColumn.REASON,
            widths={
                HeldColumn.SINCE: 150,
                HeldColumn.RECORD: 175,
                HeldColumn.DIRECTION: 185,
                HeldColumn.ATTEMPTS: 56,
            },
        )
        self.editor = HeldRecordEditor()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.editor)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        self.empty_state = EmptyState("verify")
        self.empty_state.set_message(
            "No held records",
            "A record the server refuses, or one from the server that can't be stored here, "
            "waits here with the reason until someone corrects it and retries. Nothing is "
            "dropped.",
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

    def selected(self) -> QuarantinedItem | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(HELD_ITEM_ROLE) if rows else None

    def select_item(self, item_id: str) -> bool:
        row = self._model.row_of(item_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        return True

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        item, shown = self.selected(), self.editor.item
        if item is not None and shown is not None and _same_hold(item, shown):
            # A reload found the record being edited unchanged: keep what was typed.
            self.editor.item = item
            return
        self.editor.show_item(item)

    @Slot()
    def _on_model_reset(self) -> None:
        count = self._model.rowCount()
        self._stack.setCurrentWidget(self._stack.widget(0) if count else self.empty_state)
        self.count_label.setText(
            f"{count} held record{'s' if count != 1 else ''}: correct what the reason names, "
            "then Retry."
            if count
            else ""
        )
        if count:
            shown = self.editor.item
            if shown is None or not self.select_item(shown.id):
                self.table.selectRow(0)
        else:
            self.editor.show_item(None)

    @property
    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self.empty_state


def _same_hold(item: QuarantinedItem, other: QuarantinedItem) -> bool:
    return (item.id, item.message, item.resource) == (other.id, other.message, other.resource)
