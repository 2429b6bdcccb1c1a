"""Before creating a patient who may already exist: show the look-alikes, let the person decide."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.patients.models import PatientSummary

_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class DuplicateWarningDialog(QDialog):
    create_confirmed = Signal()
    existing_chosen = Signal(str)

    def __init__(self, duplicates: list[PatientSummary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicateWarningDialog")
        self.setWindowTitle("This patient may already exist")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        title = QLabel("This patient may already exist")
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        text = QLabel(
            "These records have the same name and date of birth, or the same record number or "
            "national ID. Open the existing record if it is the same person."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.list_widget = QListWidget()
        for patient in duplicates:
            parts = [patient.display_name, f"born {patient.birth_date.isoformat()}"]
            if patient.mrn:
                parts.append(f"record no. {patient.mrn}")
            item = QListWidgetItem(" · ".join(parts))
            item.setData(_ID_ROLE, patient.id)
            self.list_widget.addItem(item)
        self.list_widget.setCurrentRow(0)
        layout.addWidget(self.list_widget)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("Go back")
        self.back_button.clicked.connect(self.reject)
        self.open_button = QPushButton("Open the selected record")
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.create_button = QPushButton("Create a new record anyway")
        self.create_button.setProperty("destructive", True)
        self.create_button.clicked.connect(self._on_create_button_clicked)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)
        self.open_button.setDefault(True)
        self.list_widget.itemDoubleClicked.connect(self._on_open_button_clicked)

    @Slot()
    def _on_open_button_clicked(self) -> None:
        item = self.list_widget.currentItem()
        if item is not None:
            self.existing_chosen.emit(str(item.data(_ID_ROLE)))
            self.accept()

    @Slot()
    def _on_create_button_clicked(self) -> None:
        self.create_confirmed.emit()
        self.accept()
