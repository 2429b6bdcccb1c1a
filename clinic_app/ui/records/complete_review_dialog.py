"""Completing a review: the doctor's annotation is required, and is signed with the review."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_app.ui.widgets.validated_form import FieldErrorLabel
from clinic_app.ui.widgets.widget_factories import message_label, show_message


class CompleteReviewDialog(QDialog):
    submitted = Signal(str)

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("completeReviewDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Complete the review")
        self.resize(520, 300)
        layout = QVBoxLayout(self)
        title = QLabel("Complete the review")
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        subject = QLabel(what)
        subject.setObjectName("fieldHint")
        subject.setTextFormat(Qt.TextFormat.PlainText)
        subject.setWordWrap(True)
        layout.addWidget(subject)
        caption = QLabel("Your annotation (required; signed and kept with the record)")
        layout.addWidget(caption)
        self.text_edit = QPlainTextEdit()
        self.text_edit.setObjectName("field_annotation_text")
        self.text_edit.setTabChangesFocus(True)
        caption.setBuddy(self.text_edit)
        layout.addWidget(self.text_edit, 1)
        self.error = FieldErrorLabel()
        layout.addWidget(self.error)
        self.message = message_label()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Complete review")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.text_edit.setFocus()

    @Slot()
    def _on_buttons_accepted(self) -> None:
        text = self.text_edit.toPlainText()
        if not text.strip():
            self.error.set_error("Completing a review needs your annotation.")
            return
        self.error.set_error("")
        self.ok_button.setEnabled(False)
        self.submitted.emit(text)

    def show_errors(self, errors: Mapping[str, str], message: str) -> None:
        self.ok_button.setEnabled(True)
        field = errors.get("annotation_text", "")
        self.error.set_error(field)
        show_message(self.message, "" if field else message)

    def error_text(self) -> str:
        return self.error.text() if not self.error.isHidden() else ""
