"""Today's queue: who is expected and who has arrived (with waiting time), and the actions
the desk and the nurse take. Keys: Enter checks in the selected patient, F5 reloads."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_app.scheduling.calendar_models import QueueEntry
from clinic_app.ui.icons import icon
from clinic_app.ui.scheduling.queue_table_model import (
    QUEUE_ENTRY_ROLE,
    QueueColumn,
    QueueTableModel,
)
from clinic_app.ui.widgets.empty_state import EmptyState


class QueueView(QWidget):
    check_in_requested = Signal(object)  # QueueEntry
    no_show_requested = Signal(object)
    cancel_requested = Signal(object)
    chart_requested = Signal(object)
    walk_in_requested = Signal()
    refresh_requested = Signal()
    selection_changed = Signal(object)  # QueueEntry | None

    def __init__(
        self,
        model: QueueTableModel,
        *,
        can_check_in: bool,
        can_book: bool,
        can_open_chart: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("queueView")
        self._build_buttons(can_check_in, can_book, can_open_chart)
        self._build_table(model)
        self._build_layout()
        self._wire()

    def _build_buttons(self, can_check_in: bool, can_book: bool, can_open_chart: bool) -> None:
        self.title_label = QLabel("Today's queue")
        self.title_label.setObjectName("pageTitle")
        self.count_label = QLabel()
        self.count_label.setObjectName("fieldHint")
        self.check_in_button = QPushButton(icon("visit", "#ffffff"), "&Check in")
        self.check_in_button.setObjectName("primaryButton")
        self.check_in_button.setToolTip(
            "The patient has arrived: check in and open the visit (Enter)"
        )
        self.no_show_button = QPushButton("&No-show")
        self.cancel_button = QPushButton(icon("cancel"), "C&ancel…")
        self.cancel_button.setProperty("destructive", True)
        self.walk_in_button = QPushButton(icon("add"), "&Walk-in…")
        self.chart_button = QPushButton(icon("chart"), "Open c&hart")
        self.refresh_button = QPushButton(icon("refresh"), "")
        self.refresh_button.setToolTip("Reload (F5)")
        self.check_in_button.setVisible(can_check_in)
        self.no_show_button.setVisible(can_check_in)
        self.cancel_button.setVisible(can_book)
        self.walk_in_button.setVisible(can_book)
        self.chart_button.setVisible(can_open_chart)

    def _build_table(self, model: QueueTableModel) -> None:
        self.table = QTableView()
        self.table.setObjectName("queueTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(QueueColumn.PATIENT, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.empty_state = EmptyState("empty")
        self._stack = QStackedWidget()
        self._stack.addWidget(self.table)
        self._stack.addWidget(self.empty_state)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title_label)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.walk_in_button)
        top.addWidget(self.refresh_button)
        actions = QHBoxLayout()
        for button in (self.check_in_button, self.no_show_button, self.cancel_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.chart_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 10, 12, 10)
        column.addLayout(top)
        column.addWidget(self._stack, 1)
        column.addLayout(actions)

    def _wire(self) -> None:
        self.check_in_button.clicked.connect(lambda: self._emit(self.check_in_requested))
        self.no_show_button.clicked.connect(lambda: self._emit(self.no_show_requested))
        self.cancel_button.clicked.connect(lambda: self._emit(self.cancel_requested))
        self.chart_button.clicked.connect(lambda: self._emit(self.chart_requested))
        self.walk_in_button.clicked.connect(self.walk_in_requested)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.activated.connect(lambda _index: self.check_in_button.click())
        shortcut = QShortcut(QKeySequence("F5"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh_requested)
        self.set_actions(None, check_in=False, no_show=False, cancel=False, chart=False)

    def selected_entry(self) -> QueueEntry | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        entry = rows[0].data(QUEUE_ENTRY_ROLE)
        return entry if isinstance(entry, QueueEntry) else None

    def _emit(self, signal: SignalInstance) -> None:
        entry = self.selected_entry()
        if entry is not None:
            signal.emit(entry)

    def _on_selection_changed(self, *_args: object) -> None:
        self.selection_changed.emit(self.selected_entry())

    def set_actions(
        self, entry: QueueEntry | None, *, check_in: bool, no_show: bool, cancel: bool, chart: bool
    ) -> None:
        arrived = entry is not None and entry.arrived
        self.check_in_button.setText("Open &visit" if arrived else "&Check in")
        self.check_in_button.setEnabled(check_in)
        self.no_show_button.setEnabled(no_show)
        self.cancel_button.setEnabled(cancel)
        self.chart_button.setEnabled(chart)

    def show_rows(self, count: int, arrived: int, day_text: str) -> None:
        self.title_label.setText(f"Today's queue · {day_text}")
        self.count_label.setText(f"{count} expected or waiting, {arrived} arrived")
        self._stack.setCurrentWidget(self.table)

    def show_empty(self, day_text: str) -> None:
        self.title_label.setText(f"Today's queue · {day_text}")
        self.count_label.setText("")
        self.empty_state.set_message(
            "Nobody is expected today", "Booked appointments and walk-ins appear here."
        )
        self._stack.setCurrentWidget(self.empty_state)

    @property
    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self.empty_state
