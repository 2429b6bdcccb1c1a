"""Doctors' annotations on a visit or record: the signed list, a box to add one (doctors),
and "Assign for review" (doctors and nurses)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.records.annotation_table_model import AnnotationColumn, AnnotationTableModel
from clinic_app.ui.records.list_table import list_table
from clinic_app.ui.widgets.validated_form import FieldErrorLabel
from clinic_app.ui.widgets.widget_factories import message_label, show_message

MAX_ANNOTATION_CHARS = 20_000


class AnnotationsView(QWidget):
    annotation_submitted = Signal(str)
    assign_requested = Signal()

    def __init__(
        self,
        model: AnnotationTableModel,
        *,
        can_annotate: bool,
        can_assign: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("annotationsView")
        self._model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        hint = QLabel("Signed by their author; they can't be changed, only added to.")
        hint.setObjectName("fieldHint")
        hint.setWordWrap(True)
        top.addWidget(hint, 1)
        self.assign_button = QPushButton(icon("assign"), "Assign for review…")
        self.assign_button.setToolTip("Send this to a doctor's worklist")
        self.assign_button.setVisible(can_assign)
        top.addWidget(self.assign_button)
        layout.addLayout(top)
        self.notice = message_label("formMessage")
        layout.addWidget(self.notice)
        self._stack = QStackedWidget()
        self.table = list_table(
            model,
            "annotationTable",
            stretch=AnnotationColumn.TEXT,
            widths={AnnotationColumn.WHEN: 140, AnnotationColumn.AUTHOR: 110},
            word_wrap=True,
            alternating=False,
        )
        self.empty_label = QLabel("No annotations yet.")
        self.empty_label.setObjectName("fieldHint")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._stack.addWidget(self.table)
        self._stack.addWidget(self.empty_label)
        layout.addWidget(self._stack, 1)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("annotationEditor")
        self.editor.setPlaceholderText("Write an annotation… (Ctrl+Enter adds it)")
        self.editor.setTabChangesFocus(True)
        self.editor.setMaximumHeight(90)
        self.error = FieldErrorLabel()
        self.add_button = QPushButton(icon("annotation", ON_ACCENT_COLOUR), "Add annotation")
        self.add_button.setObjectName("primaryButton")
        add_row = QHBoxLayout()
        add_row.addWidget(self.error, 1)
        add_row.addWidget(self.add_button)
        for widget in (self.editor,):
            widget.setVisible(can_annotate)
        self.add_button.setVisible(can_annotate)
        layout.addWidget(self.editor)
        layout.addLayout(add_row)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.assign_button.clicked.connect(self.assign_requested)
        self.editor.installEventFilter(self)
        model.modelReset.connect(self._on_model_reset)
        self._on_model_reset()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+Enter in the box adds the annotation."""
        if (
            watched is self.editor
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self._on_add_button_clicked()
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def _on_add_button_clicked(self) -> None:
        if self.add_button.isVisible() and self.add_button.isEnabled():
            self.annotation_submitted.emit(self.editor.toPlainText())

    @Slot()
    def _on_model_reset(self) -> None:
        has_rows = self._model.rowCount() > 0
        self._stack.setCurrentWidget(self.table if has_rows else self.empty_label)
        self.table.resizeRowsToContents()

    def set_busy(self, busy: bool) -> None:
        self.add_button.setEnabled(not busy)
        self.add_button.setText("Adding…" if busy else "Add annotation")

    def annotation_added(self) -> None:
        self.editor.clear()
        self.error.set_error("")
        self.set_busy(False)

    def show_error(self, text: str) -> None:
        self.error.set_error(text)
        self.set_busy(False)

    def error_text(self) -> str:
        return self.error.text() if not self.error.isHidden() else ""

    def show_notice(self, text: str) -> None:
        show_message(self.notice, text)

    def notice_text(self) -> str:
        return self.notice.text() if not self.notice.isHidden() else ""
