"""Creating or editing a patient, with each validation message under its field.

Field names are `PatientInput`'s, so the core's `ValidationError.field_errors` map straight on.
Clinical fields are hidden when the role may not read them, and read-only when it may not
write them; then `collect_input` sends None for them ("leave as it is").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.patients.models import PatientDetail, PatientInput, Sex
from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.widgets.validated_form import ValidatedForm

_LINE_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "birth_date",
    "phone",
    "email",
    "address",
    "mrn",
    "national_id",
)
_TEXT_FIELDS = ("allergies", "history_notes")
LABEL_WIDTH = 110
_SEX_CHOICES = [("", "Choose…")] + [(sex.value, sex.value.capitalize()) for sex in Sex]


@dataclass(frozen=True)
class PatientFormDraft:
    """What the form holds, to put back later (kept in memory only)."""

    patient_id: str | None
    version: int | None
    title: str
    values: dict[str, str] = field(default_factory=dict)


class PatientFormView(QWidget):
    save_requested = Signal(PatientInput)
    cancel_requested = Signal()

    def __init__(
        self, *, clinical_visible: bool, clinical_writable: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("patientFormView")
        self._clinical_visible = clinical_visible
        self._clinical_writable = clinical_visible and clinical_writable
        self._patient_id: str | None = None
        self._version: int | None = None
        self._baseline: dict[str, str] = {}
        self._editors: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 14, 16, 12)
        self.title_label = QLabel("New patient")
        self.title_label.setObjectName("pageTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.title_label)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self._column = QVBoxLayout(body)
        self._column.setContentsMargins(0, 0, 6, 0)
        self._forms: list[ValidatedForm] = []
        self._build_sections()
        self._column.addStretch(1)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        self.message_label = QLabel()
        self.message_label.setObjectName("formError")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        layout.addWidget(self.message_label)
        layout.addLayout(self._build_buttons())
        QShortcut(QKeySequence.StandardKey.Save, self, self._on_save_button_clicked)

    def _section(self, title: str, fields: list[tuple[str, str, QWidget, str]]) -> QGroupBox:
        box = QGroupBox(title)
        inner = QVBoxLayout(box)
        form = ValidatedForm(label_width=LABEL_WIDTH)
        for name, label, editor, hint in fields:
            form.add_field(name, label, editor, hint)
            self._editors[name] = editor
        inner.addWidget(form)
        self._forms.append(form)
        self._column.addWidget(box)
        return box

    def _build_sections(self) -> None:
        self.sex_combo = QComboBox()
        for value, text in _SEX_CHOICES:
            self.sex_combo.addItem(text, value)
        self.doctor_combo = QComboBox()
        self.doctor_combo.addItem("No primary doctor", "")
        birth = QLineEdit()
        birth.setPlaceholderText("YYYY-MM-DD")
        self._section(
            "Person",
            [
                ("family_name", "Family name", QLineEdit(), ""),
                ("given_name", "Given name", QLineEdit(), ""),
                ("other_names", "Other names", QLineEdit(), ""),
                ("sex", "Sex", self.sex_combo, ""),
                ("birth_date", "Date of birth", birth, ""),
            ],
        )
        self._section(
            "Contact",
            [
                ("phone", "Phone", QLineEdit(), ""),
                ("email", "E-mail", QLineEdit(), ""),
                ("address", "Address", QLineEdit(), ""),
            ],
        )
        self._section(
            "Identifiers and care",
            [
                ("mrn", "Record no.", QLineEdit(), ""),
                ("national_id", "National ID", QLineEdit(), ""),
                ("primary_doctor_id", "Primary doctor", self.doctor_combo, ""),
            ],
        )
        allergies, history = QPlainTextEdit(), QPlainTextEdit()
        for text_edit in (allergies, history):
            text_edit.setTabChangesFocus(True)
            text_edit.setMinimumHeight(70)
            text_edit.setReadOnly(not self._clinical_writable)
        self.clinical_box = self._section(
            "Clinical",
            [
                ("allergies", "Allergies", allergies, ""),
                ("history_notes", "History", history, ""),
            ],
        )
        self.clinical_box.setVisible(self._clinical_visible)

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.save_button = QPushButton(icon("save", ON_ACCENT_COLOUR), "Save")
        self.save_button.setObjectName("primaryButton")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        row.addWidget(self.cancel_button)
        row.addWidget(self.save_button)
        return row

    # --- loading -------------------------------------------------------------------------

    def set_doctors(self, doctors: list[tuple[str, str]]) -> None:
        current = self.doctor_combo.currentData()
        self.doctor_combo.clear()
        self.doctor_combo.addItem("No primary doctor", "")
        for doctor_id, name in doctors:
            self.doctor_combo.addItem(name, doctor_id)
        self._select_doctor(str(current or ""))

    def _select_doctor(self, doctor_id: str) -> None:
        index = self.doctor_combo.findData(doctor_id)
        if index < 0:
            self.doctor_combo.addItem("A doctor who is no longer active", doctor_id)
            index = self.doctor_combo.count() - 1
        self.doctor_combo.setCurrentIndex(index)

    def start_new(self) -> None:
        self._load(None, None, "New patient", {})

    def start_edit(self, detail: PatientDetail) -> None:
        summary = detail.summary
        values = {
            "given_name": summary.given_name,
            "family_name": summary.family_name,
            "other_names": detail.other_names or "",
            "sex": summary.sex.value,
            "birth_date": summary.birth_date.isoformat(),
            "phone": summary.phone or "",
            "email": detail.email or "",
            "address": detail.address or "",
            "mrn": summary.mrn or "",
            "national_id": summary.national_id or "",
            "primary_doctor_id": summary.primary_doctor_id or "",
            "allergies": detail.allergies or "",
            "history_notes": detail.history_notes or "",
        }
        self._load(detail.id, detail.version, f"Edit {summary.display_name}", values)

    def _load(
        self, patient_id: str | None, version: int | None, title: str, values: dict[str, str]
    ) -> None:
        self._patient_id, self._version = patient_id, version
        self.title_label.setText(title)
        self._set_values(values)
        self._baseline = self._values()
        self.show_errors({}, "")
        self.set_busy(False)
        self._editors["family_name"].setFocus()

    def _set_values(self, values: Mapping[str, str]) -> None:
        for name in _LINE_FIELDS:
            editor = self._editors[name]
            assert isinstance(editor, QLineEdit)
            editor.setText(values.get(name, ""))
            editor.setCursorPosition(0)
        for name in _TEXT_FIELDS:
            text_edit = self._editors[name]
            assert isinstance(text_edit, QPlainTextEdit)
            text_edit.setPlainText(values.get(name, ""))
        self.sex_combo.setCurrentIndex(max(0, self.sex_combo.findData(values.get("sex", ""))))
        self._select_doctor(values.get("primary_doctor_id", ""))

    def _values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for name in _LINE_FIELDS:
            editor = self._editors[name]
            assert isinstance(editor, QLineEdit)
            values[name] = editor.text()
        for name in _TEXT_FIELDS:
            text_edit = self._editors[name]
            assert isinstance(text_edit, QPlainTextEdit)
            values[name] = text_edit.toPlainText()
        values["sex"] = str(self.sex_combo.currentData() or "")
        values["primary_doctor_id"] = str(self.doctor_combo.currentData() or "")
        return values

    # --- reading -------------------------------------------------------------------------

    @property
    def patient_id(self) -> str | None:
        return self._patient_id

    @property
    def version(self) -> int | None:
        return self._version

    def editor(self, name: str) -> QWidget:
        return self._editors[name]

    def is_dirty(self) -> bool:
        return self._values() != self._baseline

    def collect_input(self) -> PatientInput:
        values = self._values()
        clinical = self._clinical_writable
        return PatientInput(
            given_name=values["given_name"],
            family_name=values["family_name"],
            sex=values["sex"],
            birth_date=values["birth_date"],
            other_names=values["other_names"],
            phone=values["phone"],
            email=values["email"],
            address=values["address"],
            mrn=values["mrn"],
            national_id=values["national_id"],
            primary_doctor_id=values["primary_doctor_id"],
            allergies=values["allergies"] if clinical else None,
            history_notes=values["history_notes"] if clinical else None,
        )

    def draft(self) -> PatientFormDraft:
        return PatientFormDraft(
            self._patient_id, self._version, self.title_label.text(), self._values()
        )

    def restore_draft(self, draft: PatientFormDraft, baseline: Mapping[str, str]) -> None:
        self._load(draft.patient_id, draft.version, draft.title, dict(baseline))
        self._set_values(draft.values)

    def baseline(self) -> dict[str, str]:
        return dict(self._baseline)

    # --- feedback ------------------------------------------------------------------------

    @Slot()
    def _on_save_button_clicked(self) -> None:
        if self.isVisible() and self.save_button.isEnabled():
            self.save_requested.emit(self.collect_input())

    def show_errors(self, errors: Mapping[str, str], message: str) -> None:
        unknown = set(errors)
        first: QWidget | None = None
        for form in self._forms:
            unknown &= set(form.show_errors(errors, focus=False))
            first = first or form.first_invalid_editor()
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        text = message
        if errors and not unknown:
            text = "Please correct the fields marked in red."
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def error_text(self, name: str) -> str:
        for form in self._forms:
            if form.has_field(name):
                return form.error_text(name)
        raise KeyError(name)

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.save_button.setText("Saving…" if busy else "Save")
