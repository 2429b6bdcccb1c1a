"""The booking dialog: patient, doctor (or speciality, or any), date range and time-of-day
window, "Find earliest", appointment type (a telehealth link), note; Book or Walk-in now.

A view: it emits what the user asked for and shows what the booking controller hands it.
Field names are the core's (`meeting_link`, `date_to`, `time_to`, …) so a ValidationError's
field errors land under the right input. Keys: Ctrl+E find earliest, Ctrl+Enter book.
"""

from __future__ import annotations

from datetime import date, time
from typing import cast

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.scheduling.models import AppointmentType
from clinic_app.ui.icons import icon
from clinic_app.ui.scheduling.appointment_labels import TYPE_LABELS
from clinic_app.ui.scheduling.doctor_filter import DoctorFilter
from clinic_app.ui.widgets.validated_form import ValidatedForm
from clinic_app.ui.widgets.widget_factories import message_label, show_message, shown_text

# The core's field names → the row that shows their message.
_FIELD_ROWS = {
    "patient_id": "patient_id",
    "doctor_id": "doctor",
    "date_from": "dates",
    "date_to": "dates",
    "time_from": "times",
    "time_to": "times",
    "appointment_type": "appointment_type",
    "meeting_link": "meeting_link",
    "note": "note",
}
_TIMES = [time(hour, minute) for hour in range(6, 22) for minute in (0, 30)] + [time(22, 0)]


def _time_combo(any_text: str) -> QComboBox:
    combo = QComboBox()
    combo.addItem(any_text, None)
    for value in _TIMES:
        combo.addItem(f"{value:%H:%M}", value)
    return combo


def _pair(first: QWidget, second: QWidget, between: str) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(first, 1)
    layout.addWidget(QLabel(between))
    layout.addWidget(second, 1)
    return row


class BookingDialog(QDialog):
    patient_text_edited = Signal(str)
    find_requested = Signal()
    book_requested = Signal()
    walk_in_requested = Signal()
    search_changed = Signal()  # any search input changed: a found slot no longer applies

    def __init__(self, *, can_walk_in: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bookingDialog")
        self.setWindowTitle("Book an appointment")
        self.setMinimumWidth(560)
        self._build_inputs()
        self._build_form()
        self._build_actions(can_walk_in)
        self._wire()

    def _build_inputs(self) -> None:
        self.patient_edit = QLineEdit()
        self.patient_edit.setPlaceholderText("Type a name, date of birth or record number")
        self.patient_edit.setClearButtonEnabled(True)
        self.completer = QCompleter(self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(8)
        self.patient_edit.setCompleter(self.completer)
        self.doctor_combo = QComboBox()
        self.date_from_edit = self._date_edit("date_from")
        self.date_to_edit = self._date_edit("date_to")
        self.time_from_combo = _time_combo("Any time")
        self.time_to_combo = _time_combo("Any time")
        self.type_combo = QComboBox()
        for kind, label in TYPE_LABELS.items():
            self.type_combo.addItem(label, kind)
        self.link_edit = QLineEdit()
        self.link_edit.setPlaceholderText("https://…")
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("Optional, e.g. the reason for the visit")

    def _build_form(self) -> None:
        self.form = ValidatedForm(label_width=110)
        self.form.add_field("patient_id", "&Patient", self.patient_edit)
        self.form.add_field("doctor", "&Doctor", self.doctor_combo)
        dates = _pair(self.date_from_edit, self.date_to_edit, "to")
        self.form.add_field("dates", "D&ates", dates)
        times = _pair(self.time_from_combo, self.time_to_combo, "to")
        self.form.add_field("times", "T&ime of day", times, hint="Starting at, ending by.")
        self.form.add_field("appointment_type", "T&ype", self.type_combo)
        self.form.add_field(
            "meeting_link", "Meeting &link", self.link_edit, hint="The video call's https address."
        )
        self.form.add_field("note", "&Note", self.note_edit)
        self.form.set_field_visible("meeting_link", False)

    def _build_actions(self, can_walk_in: bool) -> None:
        title = QLabel("Book an appointment")
        title.setObjectName("dialogTitle")
        self.find_button = QPushButton(icon("search"), "&Find earliest")
        self.find_button.setToolTip("Find the earliest free slot that fits (Ctrl+E)")
        self.slot_label = QLabel("No slot chosen yet: find the earliest one that fits.")
        self.slot_label.setObjectName("formMessage")
        self.slot_label.setWordWrap(True)
        lines = self.slot_label.fontMetrics().lineSpacing() * 2
        self.slot_label.setMinimumHeight(lines + 16)
        slot_row = QHBoxLayout()
        slot_row.addWidget(self.slot_label, 1)
        slot_row.addWidget(self.find_button)
        self.error_label = message_label()

        self.walk_in_button = QPushButton("&Walk-in now")
        self.walk_in_button.setToolTip("The patient is here without an appointment")
        self.walk_in_button.setVisible(can_walk_in)
        self.close_button = QPushButton("Close")
        self.book_button = QPushButton(icon("add", "#ffffff"), "&Book")
        self.book_button.setObjectName("primaryButton")
        self.book_button.setToolTip("Book the slot shown (Ctrl+Enter)")
        self.book_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.walk_in_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.book_button)

        column = QVBoxLayout(self)
        column.setContentsMargins(18, 16, 18, 14)
        column.setSpacing(10)
        column.addWidget(title)
        column.addWidget(self.form)
        column.addLayout(slot_row)
        column.addWidget(self.error_label)
        column.addLayout(buttons)

    def _wire(self) -> None:
        self.patient_edit.textEdited.connect(self.patient_text_edited)
        self.find_button.clicked.connect(self.find_requested)
        self.book_button.clicked.connect(self.book_requested)
        self.walk_in_button.clicked.connect(self.walk_in_requested)
        self.close_button.clicked.connect(self.reject)
        self.type_combo.currentIndexChanged.connect(self._on_type_combo_index_changed)
        for combo in (self.doctor_combo, self.time_from_combo, self.time_to_combo):
            combo.currentIndexChanged.connect(self.search_changed)
        for edit in (self.date_from_edit, self.date_to_edit):
            edit.dateChanged.connect(self.search_changed)
        for keys, slot in (
            ("Ctrl+E", self.find_button.click),
            ("Ctrl+Return", self.book_button.click),
            ("Ctrl+Enter", self.book_button.click),
        ):
            QShortcut(QKeySequence(keys), self, slot)
        self.find_button.setDefault(True)

    @staticmethod
    def _date_edit(name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("ddd d MMM yyyy")
        edit.setObjectName(f"field_{name}")
        return edit

    # --- reading -------------------------------------------------------------------------

    def doctor_choice(self) -> DoctorFilter | None:
        choice = self.doctor_combo.currentData()
        return choice if isinstance(choice, DoctorFilter) else None

    def date_range(self) -> tuple[date, date]:
        first = cast(date, self.date_from_edit.date().toPython())
        return first, cast(date, self.date_to_edit.date().toPython())

    def time_window(self) -> tuple[time | None, time | None]:
        return self.time_from_combo.currentData(), self.time_to_combo.currentData()

    def appointment_type(self) -> AppointmentType:
        return AppointmentType(self.type_combo.currentData())

    def meeting_link(self) -> str:
        telehealth = self.appointment_type() is AppointmentType.TELEHEALTH
        return self.link_edit.text() if telehealth else ""

    def note(self) -> str:
        return self.note_edit.text()

    # --- fed by the controller -----------------------------------------------------------

    def set_doctor_choices(self, choices: list[DoctorFilter], current: int = 0) -> None:
        self.doctor_combo.blockSignals(True)
        self.doctor_combo.clear()
        for choice in choices:
            self.doctor_combo.addItem(choice.label, choice)
        self.doctor_combo.setCurrentIndex(current)
        self.doctor_combo.blockSignals(False)

    def set_dates(self, first: date, last: date) -> None:
        for edit, value in ((self.date_from_edit, first), (self.date_to_edit, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(value.year, value.month, value.day))
            edit.blockSignals(False)

    def show_slot(self, text: str, bookable: bool) -> None:
        self.slot_label.setText(text)
        self.book_button.setEnabled(bookable)
        self.book_button.setDefault(bookable)
        self.find_button.setDefault(not bookable)

    def set_busy(self, busy: bool) -> None:
        for widget in (self.find_button, self.walk_in_button, self.form):
            widget.setEnabled(not busy)
        if busy:
            self.book_button.setEnabled(False)

    def show_errors(self, field_errors: dict[str, str], message: str = "") -> None:
        rows: dict[str, str] = {}
        for name, text in field_errors.items():
            row = _FIELD_ROWS.get(name)
            if row is not None:
                rows.setdefault(row, text)
        unknown = self.form.show_errors(rows)
        show_message(self.error_label, message or ("; ".join(unknown) if unknown else ""))

    def clear_errors(self) -> None:
        self.form.clear_errors()
        show_message(self.error_label, "")

    def error_text(self) -> str:
        return shown_text(self.error_label)

    def _on_type_combo_index_changed(self, _index: int) -> None:
        telehealth = self.appointment_type() is AppointmentType.TELEHEALTH
        self.clear_errors()
        self.form.set_field_visible("meeting_link", telehealth)
        self.walk_in_button.setEnabled(not telehealth)
        if telehealth:
            self.link_edit.setFocus()
