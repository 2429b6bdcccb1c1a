"""Choosing the doctor a visit or record goes to for review."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from clinic_app.security.users import UserSummary


class AssignReviewDialog(QDialog):
    doctor_chosen = Signal(str)

    def __init__(
        self, doctors: list[UserSummary], what: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("assignReviewDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Assign for review")
        layout = QVBoxLayout(self)
        title = QLabel(f"Send this {what} to a doctor's worklist")
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        hint = QLabel(
            "The doctor gets a notice in their inbox; completing the review needs their annotation."
        )
        hint.setObjectName("fieldHint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.doctor_combo = QComboBox()
        self.doctor_combo.setObjectName("field_assignee_id")
        for doctor in doctors:
            self.doctor_combo.addItem(doctor.display_name, doctor.id)
        layout.addWidget(self.doctor_combo)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Assign")
        ok.setEnabled(bool(doctors))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if not doctors:
            none = QLabel("There is no active doctor account to assign to.")
            none.setObjectName("formError")
            layout.insertWidget(2, none)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        doctor_id = self.doctor_combo.currentData()
        if doctor_id:
            self.doctor_chosen.emit(str(doctor_id))
            self.accept()
