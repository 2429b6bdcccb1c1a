"""A list's table, or its empty state when the table has no rows: it follows the table's model."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QStackedWidget, QTableView, QWidget

from clinic_app.ui.widgets.empty_state import EmptyState


class TableOrEmptyState(QStackedWidget):
    def __init__(
        self, table: QTableView, empty_state: EmptyState, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.table = table
        self.empty_state = empty_state
        self.addWidget(table)
        self.addWidget(empty_state)
        model = table.model()
        if model is None:
            raise ValueError("Give the table its model before the stack that follows it.")
        # Connected before the owning view's own slots, so they already see the right page.
        for changed in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            changed.connect(self._on_model_changed)
        self._on_model_changed()

    @Slot()
    def _on_model_changed(self) -> None:
        has_rows = self.table.model().rowCount() > 0
        self.setCurrentWidget(self.table if has_rows else self.empty_state)

    @property
    def showing_empty_state(self) -> bool:
        return self.currentWidget() is self.empty_state
