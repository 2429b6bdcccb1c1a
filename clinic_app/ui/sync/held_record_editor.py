"""Corrects one held record before it is tried again (see `held_fields`): a form of its
fields for a record the server refused, the resource as JSON for a pulled version that can't
be stored here, or a note when there is nothing to edit (a file: retry once IT fixed the
cause). Ctrl+Return retries; "Undo changes" puts the held values back.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.errors import ValidationError
from clinic_app.sync.models import QuarantinedItem
from clinic_app.ui.icons import icon
from clinic_app.ui.sync.held_fields import (
    HeldField,
    changed_values,
    corrected_resource,
    held_fields,
    resource_text,
)
from clinic_app.ui.sync.quarantine_table_model import DIRECTION_LABELS, reason_text
from clinic_app.ui.sync.sync_texts import table_label
from clinic_app.ui.widgets.validated_form import ValidatedForm
from clinic_app.ui.widgets.widget_factories import message_label, show_message, shown_text

_FIELDS, _JSON, _NOTHING = 0, 1, 2


class HeldRecordEditor(QWidget):
    # The item id and what to send: {"fields": {...}} or {"resource": {...}} (or neither).
    retry_requested = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("heldRecordEditor")
        self.item: QuarantinedItem | None = None
        self._fields: list[HeldField] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.reason = QLabel()
        self.reason.setObjectName("heldReason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("QLabel#heldReason { color: #b42318; }")
        self.explanation = QLabel()
        self.explanation.setObjectName("fieldHint")
        self.explanation.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.reason)
        layout.addWidget(self.explanation)
        self._stack = QStackedWidget()
        self._form_area = QScrollArea()
        self._form_area.setWidgetResizable(True)
        self.form = ValidatedForm(label_width=140)
        self._form_area.setWidget(self.form)
        self.json_edit = QPlainTextEdit()
        self.json_edit.setObjectName("heldResourceJson")
        self.json_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.nothing = QLabel(
            "There is nothing to correct here: the content travels as it is. Retry once the "
            "cause is fixed (e.g. IT raised the server's size limit)."
        )
        self.nothing.setWordWrap(True)
        self._stack.addWidget(self._form_area)
        self._stack.addWidget(self.json_edit)
        self._stack.addWidget(self.nothing)
        layout.addWidget(self._stack, 1)
        self.message = message_label("formError")
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.undo_button = QPushButton(icon("restore"), "Undo changes")
        self.retry_button = QPushButton(icon("refresh", "#ffffff"), "Retry")
        self.retry_button.setObjectName("primaryButton")
        self.retry_button.setToolTip("Send it with the next sync (Ctrl+Return)")
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.retry_button)
        layout.addLayout(buttons)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        self.retry_button.clicked.connect(self._on_retry_button_clicked)
        QShortcut(QKeySequence("Ctrl+Return"), self, self._on_retry_button_clicked)
        self.show_item(None)

    def show_item(self, item: QuarantinedItem | None) -> None:
        self.item = item
        show_message(self.message, "")
        self.retry_button.setEnabled(item is not None)
        self.undo_button.setEnabled(item is not None)
        if item is None:
            self.title.setText("Choose a held record")
            self.reason.setText("")
            self.explanation.setText("")
            self._fields = []
            self._stack.setCurrentIndex(_NOTHING)
            return
        self.title.setText(
            f"{table_label(item.entity_type)} {item.entity_id} · "
            f"{DIRECTION_LABELS.get(item.direction, item.direction)}"
        )
        self.reason.setText(f"Reason: {reason_text(item)}")
        self._fields = held_fields(item) or []
        if self._fields:
            self.explanation.setText(
                "Correct what the reason names, then Retry: the record goes out with the next "
                "sync. Nothing is sent or dropped until then."
            )
            self._build_form(self._fields)
            self._stack.setCurrentIndex(_FIELDS)
        elif item.direction == "pull" and item.resource is not None:
            self.explanation.setText(
                "The server's version as it arrived. Correct it (keep its type and id), then "
                "Retry to store it here; Retry without changes tries it again as it is."
            )
            self.json_edit.setPlainText(resource_text(item))
            self._stack.setCurrentIndex(_JSON)
        else:
            self.explanation.setText("Held until you retry it.")
            self._stack.setCurrentIndex(_NOTHING)

    def _build_form(self, fields: list[HeldField]) -> None:
        form = ValidatedForm(label_width=140)
        for held in fields:
            edit = QLineEdit(held.text)
            edit.setReadOnly(not held.editable)
            if not held.editable:
                edit.setToolTip("Links this record to another one: not editable here.")
            form.add_field(held.name, held.label, edit)
        self.form = form
        self._form_area.setWidget(form)  # the previous form is deleted with the area's old child

    def field_edit(self, name: str) -> QLineEdit:
        editor = self.form.editor(name)
        assert isinstance(editor, QLineEdit)
        return editor

    @property
    def mode(self) -> str:
        return ("fields", "json", "nothing")[self._stack.currentIndex()]

    def payload(self) -> dict[str, Any]:
        """What Retry sends; raises ValidationError for a value of the wrong form."""
        item = self.item
        if item is None:
            return {}
        if self.mode == "fields":
            texts = {held.name: self.field_edit(held.name).text() for held in self._fields}
            changes = changed_values(self._fields, texts)
            return {"fields": changes} if changes else {}
        if self.mode == "json":
            resource = corrected_resource(item, self.json_edit.toPlainText())
            return {"resource": resource} if resource is not None else {}
        return {}

    def show_error(self, text: str, field_errors: dict[str, str] | None = None) -> None:
        if field_errors and self.mode == "fields":
            self.form.show_errors(field_errors)
        show_message(self.message, text)
        self.retry_button.setEnabled(self.item is not None)

    def error_text(self) -> str:
        return shown_text(self.message)

    def set_busy(self, busy: bool) -> None:
        self.retry_button.setEnabled(not busy and self.item is not None)
        self.retry_button.setText("Retrying…" if busy else "Retry")

    @Slot()
    def _on_undo_button_clicked(self) -> None:
        self.show_item(self.item)

    @Slot()
    def _on_retry_button_clicked(self) -> None:
        if self.item is None or not self.retry_button.isEnabled():
            return
        if self.mode == "fields":
            self.form.clear_errors()
        try:
            payload = self.payload()
        except ValidationError as exc:
            self.show_error(str(exc), exc.field_errors)
            return
        show_message(self.message, "")
        self.set_busy(True)
        self.retry_requested.emit(self.item.id, payload)
