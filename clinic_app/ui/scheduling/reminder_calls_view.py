"""The reminder-call list: a day's (tomorrow by default) booked appointments with phone
numbers, for the desk to call. Keys: Ctrl+Left / Ctrl+Right previous / next day, F5 reload."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_app.ui.icons import icon
from clinic_app.ui.scheduling.reminder_call_table_model import (
    ReminderCallTableModel,
    ReminderColumn,
)
from clinic_app.ui.widgets.empty_state import EmptyState


class ReminderCallsView(QWidget):
    day_changed = Signal(object)  # date
    refresh_requested = Signal()

    def __init__(self, model: ReminderCallTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reminderCallsView")
        title = QLabel("Reminder calls")
        title.setObjectName("pageTitle")
        self.count_label = QLabel()
        self.count_label.setObjectName("fieldHint")
        self.day_edit = QDateEdit()
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("dddd d MMMM yyyy")
        self.refresh_button = QPushButton(icon("refresh"), "")
        self.refresh_button.setToolTip("Reload (F5)")
        self.table = QTableView()
        self.table.setObjectName("reminderCallsTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ReminderColumn.PATIENT, QHeaderView.ResizeMode.Stretch)
        self.empty_state = EmptyState("empty")
        self._stack = QStackedWidget()
        self._stack.addWidget(self.table)
        self._stack.addWidget(self.empty_state)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.count_label)
        top.addStretch(1)
        day_caption = QLabel("D&ay")
        day_caption.setBuddy(self.day_edit)
        top.addWidget(day_caption)
        top.addWidget(self.day_edit)
        top.addWidget(self.refresh_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 10, 12, 10)
        column.addLayout(top)
        column.addWidget(self._stack, 1)
        self.day_edit.dateChanged.connect(lambda value: self.day_changed.emit(value.toPython()))
        self.refresh_button.clicked.connect(self.refresh_requested)
        for keys, step in (("Ctrl+Left", -1), ("Ctrl+Right", 1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda step=step: self.step_day(step))
        refresh = QShortcut(QKeySequence("F5"), self)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.activated.connect(self.refresh_requested)

    def set_day(self, day: date) -> None:
        self.day_edit.blockSignals(True)
        self.day_edit.setDate(QDate(day.year, day.month, day.day))
        self.day_edit.blockSignals(False)

    def step_day(self, days: int) -> None:
        self.day_edit.setDate(self.day_edit.date().addDays(days))

    def show_rows(self, count: int, without_phone: int) -> None:
        missing = f", {without_phone} without a phone number" if without_phone else ""
        self.count_label.setText(f"{count} to call{missing}")
        self._stack.setCurrentWidget(self.table)

    def show_empty(self, day: date) -> None:
        self.count_label.setText("")
        self.empty_state.set_message(
            "No calls to make",
            f"Nothing is booked for {day:%A} {day.day} {day:%B}.",
        )
        self._stack.setCurrentWidget(self.empty_state)

    @property
    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self.empty_state
