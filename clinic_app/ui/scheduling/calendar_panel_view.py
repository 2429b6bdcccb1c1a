"""The calendar tab: navigation and filter bar, the time grid, the legend, an empty state.

A view only: it emits what the user asked for and shows what the controller hands it.
Keys (while the tab has focus): Ctrl+Left / Ctrl+Right previous / next, T today, D day view,
W week view, F5 reload, Alt+D the doctor filter, Ctrl+P the day list as PDF.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.ui.icons import icon
from clinic_app.ui.scheduling.calendar_grid_view import CalendarGridView
from clinic_app.ui.scheduling.calendar_layout import CalendarMode
from clinic_app.ui.scheduling.calendar_legend import CalendarLegend
from clinic_app.ui.scheduling.doctor_filter import DoctorFilter
from clinic_app.ui.widgets.empty_state import EmptyState
from clinic_app.ui.widgets.widget_factories import busy_bar


class CalendarPanelView(QWidget):
    mode_changed = Signal(str)
    previous_requested = Signal()
    next_requested = Signal()
    today_requested = Signal()
    doctor_filter_changed = Signal(object)
    refresh_requested = Signal()
    book_requested = Signal()
    day_list_requested = Signal()

    def __init__(self, *, can_book: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarPanel")
        # The checked view mode reads as pressed (the shared style sheet has no segment style).
        self.setStyleSheet(
            "QPushButton#segmentButton:checked { background: #cfe3ec; color: #0f4c63;"
            " border-color: #8fb9cb; font-weight: 600; }"
            "QLabel#periodTitle { font-size: 12pt; font-weight: 600; color: #0f4c63; }"
        )
        self._build_bar(can_book)
        self._build_body()
        self._wire()

    def _build_bar(self, can_book: bool) -> None:
        self.day_button = self._mode_button("Day", "Day view (D)")
        self.week_button = self._mode_button("Week", "Week view (W)")
        self.week_button.setChecked(True)
        self._modes = QButtonGroup(self)
        self._modes.setExclusive(True)
        self._modes.addButton(self.day_button)
        self._modes.addButton(self.week_button)
        self.previous_button = self._nav_button("‹", "Previous (Ctrl+Left)")
        self.today_button = self._nav_button("Today", "Go to today (T)")
        self.next_button = self._nav_button("›", "Next (Ctrl+Right)")
        self.period_label = QLabel()
        self.period_label.setObjectName("periodTitle")
        self.doctor_combo = QComboBox()
        self.doctor_combo.setObjectName("doctorFilter")
        self.doctor_combo.setMinimumContentsLength(16)
        self.doctor_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.doctor_combo.setToolTip("Whose calendar to show (Alt+D)")
        self.refresh_button = QPushButton(icon("refresh"), "")
        self.refresh_button.setToolTip("Reload (F5)")
        self.day_list_button = QPushButton(icon("print"), "")
        self.day_list_button.setToolTip("Save the printable day list as a PDF (Ctrl+P)")
        self.book_button = QPushButton(icon("add", "#ffffff"), "Book…")
        self.book_button.setObjectName("primaryButton")
        self.book_button.setToolTip("Book an appointment (Ctrl+N)")
        self.book_button.setVisible(can_book)

        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(self.day_button)
        bar.addWidget(self.week_button)
        bar.addSpacing(10)
        bar.addWidget(self.previous_button)
        bar.addWidget(self.today_button)
        bar.addWidget(self.next_button)
        bar.addSpacing(10)
        bar.addWidget(self.period_label)
        bar.addStretch(1)
        bar.addWidget(self.doctor_combo)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.day_list_button)
        bar.addWidget(self.book_button)
        self._bar = bar

    def _build_body(self) -> None:
        self.grid = CalendarGridView()
        self.legend = CalendarLegend()
        self.busy = busy_bar(3)
        self.message_label = QLabel()
        self.message_label.setObjectName("formMessage")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.empty_state = EmptyState("empty")
        self._stack = QStackedWidget()
        self._stack.addWidget(self.grid)
        self._stack.addWidget(self.empty_state)

        column = QVBoxLayout(self)
        column.setContentsMargins(12, 10, 12, 8)
        column.setSpacing(6)
        column.addLayout(self._bar)
        column.addWidget(self.busy)
        column.addWidget(self.message_label)
        column.addWidget(self._stack, 1)
        column.addWidget(self.legend)

    def _wire(self) -> None:
        self.day_button.clicked.connect(lambda: self.mode_changed.emit(CalendarMode.DAY.value))
        self.week_button.clicked.connect(lambda: self.mode_changed.emit(CalendarMode.WEEK.value))
        self.previous_button.clicked.connect(self.previous_requested)
        self.next_button.clicked.connect(self.next_requested)
        self.today_button.clicked.connect(self.today_requested)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.day_list_button.clicked.connect(self.day_list_requested)
        self.book_button.clicked.connect(self.book_requested)
        self.doctor_combo.currentIndexChanged.connect(self._on_doctor_combo_index_changed)
        self._shortcut("Ctrl+Left", self.previous_requested.emit)
        self._shortcut("Ctrl+Right", self.next_requested.emit)
        self._shortcut("T", self.today_requested.emit)
        self._shortcut("D", self.day_button.click)
        self._shortcut("W", self.week_button.click)
        self._shortcut("F5", self.refresh_requested.emit)
        self._shortcut("Ctrl+P", self.day_list_requested.emit)
        self._shortcut("Alt+D", self.doctor_combo.setFocus)

    def _mode_button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setCheckable(True)
        button.setToolTip(tip)
        button.setObjectName("segmentButton")
        return button

    def _nav_button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        if len(text) == 1:
            button.setFixedWidth(40)
        return button

    def _shortcut(self, keys: str, slot: object) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    # --- fed by the controller -----------------------------------------------------------

    def set_mode(self, mode: CalendarMode) -> None:
        (self.day_button if mode is CalendarMode.DAY else self.week_button).setChecked(True)

    def set_period(self, text: str) -> None:
        self.period_label.setText(text)

    def set_doctor_choices(self, choices: list[DoctorFilter], current: int) -> None:
        self.doctor_combo.blockSignals(True)
        self.doctor_combo.clear()
        for choice in choices:
            self.doctor_combo.addItem(choice.label, choice)
        self.doctor_combo.setCurrentIndex(current)
        self.doctor_combo.blockSignals(False)
        self.doctor_combo.setEnabled(len(choices) > 1)

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def show_grid(self) -> None:
        self._stack.setCurrentWidget(self.grid)
        self.legend.show()

    def show_empty(self, title: str, text: str) -> None:
        self.empty_state.set_message(title, text)
        self._stack.setCurrentWidget(self.empty_state)
        self.legend.hide()

    @property
    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self.empty_state

    def _on_doctor_combo_index_changed(self, index: int) -> None:
        choice = self.doctor_combo.itemData(index)
        if isinstance(choice, DoctorFilter):
            self.doctor_filter_changed.emit(choice)
