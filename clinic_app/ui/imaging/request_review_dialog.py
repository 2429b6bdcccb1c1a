"""Choosing the doctor who should review an AI result, with a note for them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_app.security.users import UserSummary


class RequestReviewDialog(QDialog):
    doctor_chosen = Signal(str, str)  # doctor id, note

    def __init__(self, doctors: list[UserSummary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestReviewDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Request a review")
        layout = QVBoxLayout(self)
        title = QLabel("Send this AI result to a doctor")
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        hint = QLabel("The doctor gets a notice in their inbox to accept or reject the result.")
        hint.setObjectName("fieldHint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.doctor_combo = QComboBox()
        self.doctor_combo.setObjectName("reviewDoctor")
        for doctor in doctors:
            self.doctor_combo.addItem(doctor.display_name, doctor.id)
        layout.addWidget(self.doctor_combo)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("reviewNote")
        self.note_edit.setPlaceholderText("Note for the doctor (optional)")
        self.note_edit.setMaxLength(2000)
        layout.addWidget(self.note_edit)
        if not doctors:
            none = QLabel("There is no active doctor account to ask.")
            none.setObjectName("formError")
            layout.addWidget(none)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.send_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.send_button.setText("Send")
        self.send_button.setEnabled(bool(doctors))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        doctor_id = self.doctor_combo.currentData()
        if doctor_id:
            self.doctor_chosen.emit(str(doctor_id), self.note_edit.text())
            self.accept()
