"""Writing an addendum to a signed visit (or a record): what it corrects, and the correction.

The original stays as it was signed; the addendum is shown in place beside it.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_app.ui.widgets.validated_form import ValidatedForm
from clinic_app.ui.widgets.widget_factories import message_label, show_message

VISIT_TARGETS: list[tuple[str | None, str]] = [
    (None, "The visit as a whole"),
    ("reason", "Reason"),
    ("symptoms", "Symptoms"),
    ("history_medical", "Medical history"),
    ("history_medication", "Medications"),
    ("history_allergy", "Allergy history"),
    ("examination", "Examination"),
    ("assessment", "Assessment"),
    ("plan", "Plan"),
    ("vitals", "Vitals"),
    ("diagnoses", "Diagnoses"),
    ("procedures", "Procedures"),
]
RECORD_TARGETS: list[tuple[str | None, str]] = [
    (None, "The record as a whole"),
    ("title", "Title"),
    ("body", "Text"),
]


class AddendumDialog(QDialog):
    submitted = Signal(object, str)  # field (None: the whole visit), text

    def __init__(
        self,
        targets: list[tuple[str | None, str]],
        *,
        chosen: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("addendumDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Add an addendum")
        self.resize(520, 320)
        layout = QVBoxLayout(self)
        title = QLabel("Add an addendum")
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        hint = QLabel(
            "A signed entry can't be changed. The addendum is kept beside what it corrects, "
            "with your name and the time."
        )
        hint.setObjectName("fieldHint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.form = ValidatedForm(label_width=90)
        self.field_combo = QComboBox()
        for field, label in targets:
            self.field_combo.addItem(label, field)
        self.field_combo.setCurrentIndex(max(0, self.field_combo.findData(chosen)))
        self.text_edit = QPlainTextEdit()
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setPlaceholderText("The correction or addition")
        self.form.add_field("field", "Corrects", self.field_combo)
        self.form.add_field("text", "Addendum", self.text_edit)
        layout.addWidget(self.form, 1)
        self.message = message_label()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add addendum")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.text_edit.setFocus()

    @Slot()
    def _on_buttons_accepted(self) -> None:
        text = self.text_edit.toPlainText()
        if not text.strip():
            self.show_errors({"text": "Write the addendum."}, "")
            return
        self.set_busy(True)
        self.submitted.emit(self.field_combo.currentData(), text)

    def set_busy(self, busy: bool) -> None:
        self.ok_button.setEnabled(not busy)

    def show_errors(self, errors: Mapping[str, str], message: str) -> None:
        self.set_busy(False)
        unknown = self.form.show_errors(errors)
        show_message(self.message, message if unknown or not errors else "")
