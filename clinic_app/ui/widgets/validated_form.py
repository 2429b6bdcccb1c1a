"""A form whose fields show their validation message right under the input.

Field names are the core's names (`PatientInput` fields, `"username"`, `"password"` …), so a
`ValidationError.field_errors` dict maps straight onto the form.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget


class FieldErrorLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def set_error(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


class ValidatedForm(QWidget):
    def __init__(self, parent: QWidget | None = None, *, label_width: int = 0) -> None:
        super().__init__(parent)
        self._label_width = label_width
        self._form = QFormLayout(self)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self._form.setHorizontalSpacing(12)
        self._form.setVerticalSpacing(8)
        self._editors: dict[str, QWidget] = {}
        self._errors: dict[str, FieldErrorLabel] = {}
        self._labels: dict[str, QLabel] = {}
        self._rows: dict[str, QWidget] = {}
        self._hints: dict[str, QLabel] = {}

    def add_field(self, name: str, label: str, editor: QWidget, hint: str = "") -> None:
        cell = QWidget(self)
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        error = FieldErrorLabel(cell)
        column.addWidget(error)
        if hint:
            hint_label = QLabel(hint, cell)
            hint_label.setObjectName("fieldHint")
            hint_label.setWordWrap(True)
            column.addWidget(hint_label)
            self._hints[name] = hint_label
        editor.setObjectName(f"field_{name}")
        caption = QLabel(label, self)
        caption.setBuddy(editor)
        if self._label_width:
            # Forms stacked in one column line up when their labels share a width.
            caption.setMinimumWidth(self._label_width)
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._form.addRow(caption, cell)
        self._editors[name] = editor
        self._errors[name] = error
        self._labels[name] = caption
        self._rows[name] = cell

    def add_widget_row(self, widget: QWidget) -> None:
        self._form.addRow(widget)

    def editor(self, name: str) -> QWidget:
        return self._editors[name]

    def set_field_visible(self, name: str, visible: bool) -> None:
        self._form.setRowVisible(self._rows[name], visible)

    def has_field(self, name: str) -> bool:
        return name in self._editors

    def show_errors(self, errors: Mapping[str, str], *, focus: bool = True) -> list[str]:
        """Shows each message under its field; returns the names this form has no field for."""
        self.clear_errors()
        unknown = []
        for name, message in errors.items():
            label = self._errors.get(name)
            if label is None:
                unknown.append(name)
                continue
            label.set_error(message)
            _set_invalid(self._editors[name], True)
            if name in self._hints:
                self._hints[name].hide()  # the message says it better
        first = self.first_invalid_editor()
        if focus and first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return unknown

    def first_invalid_editor(self) -> QWidget | None:
        """In the order the fields appear."""
        for name, editor in self._editors.items():
            if self.error_text(name) and not self._rows[name].isHidden():
                return editor
        return None

    def clear_errors(self) -> None:
        for name, label in self._errors.items():
            label.set_error("")
            _set_invalid(self._editors[name], False)
        for hint in self._hints.values():
            hint.show()

    def error_text(self, name: str) -> str:
        label = self._errors[name]
        return label.text() if not label.isHidden() else ""

    def field_errors(self) -> dict[str, str]:
        return {name: self.error_text(name) for name in self._errors if self.error_text(name)}


def _set_invalid(editor: QWidget, invalid: bool) -> None:
    if bool(editor.property("invalid")) == invalid:
        return
    editor.setProperty("invalid", invalid)
    style = editor.style()
    style.unpolish(editor)
    style.polish(editor)
