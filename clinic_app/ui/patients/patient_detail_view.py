"""One patient, read-only: demographics, contact, care and (if allowed) clinical details."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.patients.models import PatientDetail
from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.patients.patient_table_model import age_on

_EMPTY = "—"


def _value_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class PatientDetailView(QWidget):
    edit_requested = Signal()
    delete_requested = Signal()
    restore_requested = Signal()
    chart_requested = Signal()
    images_requested = Signal()
    merge_requested = Signal()

    def __init__(
        self,
        *,
        can_edit: bool,
        can_delete: bool,
        can_restore: bool,
        can_open_chart: bool = False,
        can_open_images: bool = False,
        can_merge: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("patientDetailView")
        self._can_edit, self._can_delete, self._can_restore = can_edit, can_delete, can_restore
        self._can_open_chart = can_open_chart
        self._can_open_images = can_open_images
        self._can_merge = can_merge
        self._values: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 14, 16, 12)
        layout.addLayout(self._build_header())
        self.deleted_banner = QLabel("This record is deleted. It is kept, and can be restored.")
        self.deleted_banner.setObjectName("banner")
        self.deleted_banner.hide()
        layout.addWidget(self.deleted_banner)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 4, 0)
        column.addWidget(
            self._section(
                "Contact", [("phone", "Phone"), ("email", "E-mail"), ("address", "Address")]
            )
        )
        column.addWidget(
            self._section(
                "Identifiers and care",
                [
                    ("mrn", "Record no."),
                    ("national_id", "National ID"),
                    ("other_names", "Other names"),
                    ("doctor", "Primary doctor"),
                ],
            )
        )
        self.clinical_box = self._section(
            "Clinical", [("allergies", "Allergies"), ("history_notes", "History")]
        )
        column.addWidget(self.clinical_box)
        column.addStretch(1)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)

    def _build_header(self) -> QVBoxLayout:
        """The name on its own line (never squeezed), the actions in a row beneath it, so a
        feature can add a button without cutting the name."""
        header = QVBoxLayout()
        names = QVBoxLayout()
        self.name_label = QLabel()
        self.name_label.setObjectName("pageTitle")
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        self.name_label.setWordWrap(True)
        self.facts_label = QLabel()
        self.facts_label.setObjectName("fieldHint")
        names.addWidget(self.name_label)
        names.addWidget(self.facts_label)
        header.addLayout(names)
        row = QHBoxLayout()
        row.addStretch(1)
        self.delete_button = QPushButton(icon("delete", "#b42318"), "Delete")
        self.delete_button.setProperty("destructive", True)
        self.delete_button.clicked.connect(self.delete_requested)
        self.restore_button = QPushButton(icon("restore"), "Restore")
        self.restore_button.clicked.connect(self.restore_requested)
        self.edit_button = QPushButton(icon("edit", ON_ACCENT_COLOUR), "Edit")
        self.edit_button.setObjectName("primaryButton")
        self.edit_button.clicked.connect(self.edit_requested)
        self.chart_button = QPushButton(icon("chart"), "Chart")
        self.chart_button.setObjectName("chartButton")
        self.chart_button.setToolTip("Open the patient's chart (Ctrl+Enter)")
        self.chart_button.setVisible(False)
        self.chart_button.clicked.connect(self.chart_requested)
        self.images_button = QPushButton(icon("zoom_fit"), "Images")
        self.images_button.setObjectName("imagesButton")
        self.images_button.setToolTip("Open the patient's images and AI results")
        self.images_button.setVisible(False)
        self.images_button.clicked.connect(self.images_requested)
        # Short text: the header row holds five buttons beside a 420-pixel panel.
        self.merge_button = QPushButton("Merge…")
        self.merge_button.setAccessibleName("Merge duplicate…")
        self.merge_button.setObjectName("mergeButton")
        self.merge_button.setToolTip(
            "Merge duplicate: another chart of the same person into this one (Ctrl+Shift+M)"
        )
        self.merge_button.setVisible(False)
        self.merge_button.clicked.connect(self.merge_requested)
        for button in (
            self.merge_button,
            self.delete_button,
            self.restore_button,
            self.images_button,
            self.chart_button,
            self.edit_button,
        ):
            row.addWidget(button)
        header.addLayout(row)
        return header

    def _section(self, title: str, fields: list[tuple[str, str]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(14)
        for key, caption in fields:
            label = _value_label()
            label.setObjectName(f"value_{key}")
            self._values[key] = label
            caption_label = QLabel(caption)
            caption_label.setObjectName("fieldHint")
            form.addRow(caption_label, label)
        return box

    def show_patient(self, detail: PatientDetail, doctor_name: str, today: date) -> None:
        summary = detail.summary
        self.name_label.setText(summary.display_name)
        age = age_on(summary.birth_date, today)
        self.facts_label.setText(
            f"{summary.sex.value.capitalize()} · born {summary.birth_date.isoformat()} "
            f"({age} years)"
        )
        values = {
            "phone": summary.phone,
            "email": detail.email,
            "address": detail.address,
            "mrn": summary.mrn,
            "national_id": summary.national_id,
            "other_names": detail.other_names,
            "doctor": doctor_name,
            "allergies": detail.allergies,
            "history_notes": detail.history_notes,
        }
        for key, value in values.items():
            self._values[key].setText(value or _EMPTY)
        self.clinical_box.setVisible(detail.clinical_visible)
        deleted = summary.deleted
        self.deleted_banner.setVisible(deleted)
        self.edit_button.setVisible(self._can_edit and not deleted)
        self.delete_button.setVisible(self._can_delete and not deleted)
        self.restore_button.setVisible(self._can_restore and deleted)
        self.chart_button.setVisible(self._can_open_chart and not deleted)
        self.images_button.setVisible(self._can_open_images and not deleted)
        self.merge_button.setVisible(self._can_merge and not deleted)

    def value_text(self, key: str) -> str:
        return self._values[key].text()
