"""Asks why an appointment is cancelled (the reason is kept in its status history)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.scheduling.models import AppointmentSummary
from clinic_app.ui.scheduling.appointment_labels import day_and_time
from clinic_app.ui.widgets.validated_form import ValidatedForm
from clinic_app.ui.widgets.widget_factories import message_label, show_message


class CancelAppointmentDialog(QDialog):
    cancel_confirmed = Signal(str)  # the reason as typed; the service checks it

    def __init__(self, appointment: AppointmentSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cancelAppointmentDialog")
        self.setWindowTitle("Cancel appointment")
        self.setMinimumWidth(440)
        self.appointment = appointment
        title = QLabel("Cancel this appointment?")
        title.setObjectName("dialogTitle")
        what = QLabel(f"{day_and_time(appointment.local_start)} · {appointment.patient_name}")
        what.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("e.g. the patient called to cancel")
        self.form = ValidatedForm()
        self.form.add_field("reason", "&Reason", self.reason_edit)
        self.error_label = message_label()
        self.keep_button = QPushButton("Keep appointment")
        self.confirm_button = QPushButton("Cancel appointment")
        self.confirm_button.setProperty("destructive", True)
        self.confirm_button.setObjectName("confirmButton")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.confirm_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(18, 16, 18, 14)
        column.addWidget(title)
        column.addWidget(what)
        column.addWidget(self.form)
        column.addWidget(self.error_label)
        column.addLayout(buttons)
        self.keep_button.setDefault(True)
        self.keep_button.clicked.connect(self.reject)
        self.confirm_button.clicked.connect(self._on_confirm_button_clicked)

    def _on_confirm_button_clicked(self) -> None:
        self.set_busy(True)
        self.cancel_confirmed.emit(self.reason_edit.text())

    def set_busy(self, busy: bool) -> None:
        self.confirm_button.setEnabled(not busy)
        self.reason_edit.setEnabled(not busy)

    def show_problem(self, field_errors: dict[str, str], message: str) -> None:
        self.set_busy(False)
        unknown = self.form.show_errors(field_errors)
        show_message(self.error_label, "" if field_errors and not unknown else message)
