"""The attachments of a visit or record: add, preview (Enter or double-click), export.

A view: it reports what the person asks for; the controller does the work.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.records.models import AttachmentInfo
from clinic_app.ui.icons import icon
from clinic_app.ui.records.attachment_table_model import (
    ATTACHMENT_ROLE,
    AttachmentColumn,
    AttachmentTableModel,
)
from clinic_app.ui.records.list_table import list_table
from clinic_app.ui.widgets.empty_state import EmptyState
from clinic_app.ui.widgets.widget_factories import message_label, show_message


class AttachmentsView(QWidget):
    add_requested = Signal()
    preview_requested = Signal(object)  # AttachmentInfo
    export_requested = Signal(object)  # AttachmentInfo

    def __init__(
        self,
        model: AttachmentTableModel,
        *,
        can_add: bool,
        can_export: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentsView")
        self._model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(icon("add"), "Add file…")
        self.add_button.setToolTip("Attach a file: PDF, image, DICOM or text (Ctrl+Shift+A)")
        self.add_button.setShortcut("Ctrl+Shift+A")
        self.add_button.setVisible(can_add)
        self.preview_button = QPushButton(icon("open"), "Preview")
        self.preview_button.setToolTip("Show the selected file (Enter)")
        self.export_button = QPushButton(icon("export"), "Export…")
        self.export_button.setToolTip("Save a copy of the selected file outside the app")
        self.export_button.setVisible(can_export)
        for button in (self.add_button, self.preview_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = message_label("formMessage")
        layout.addWidget(self.message)
        self._stack = QStackedWidget()
        self.table = list_table(
            model,
            "attachmentTable",
            stretch=AttachmentColumn.NAME,
            widths={
                AttachmentColumn.TYPE: 86,
                AttachmentColumn.SIZE: 66,
                AttachmentColumn.ADDED: 142,
                AttachmentColumn.BY: 84,
            },
            alternating=False,
        )
        self.empty_state = EmptyState("attachment")
        self.empty_state.set_message(
            "No attachments",
            "Lab reports, letters, photos and scans attached here are kept encrypted.",
            "Add file…" if can_add else "",
        )
        self._stack.addWidget(self.table)
        self._stack.addWidget(self.empty_state)
        layout.addWidget(self._stack, 1)
        self.add_button.clicked.connect(self.add_requested)
        self.empty_state.action_clicked.connect(self.add_requested)
        self.preview_button.clicked.connect(self._on_preview_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.table.activated.connect(self._on_table_activated)
        self.table.doubleClicked.connect(self._on_table_activated)
        model.modelReset.connect(self._on_model_reset)
        self._on_model_reset()

    def selected(self) -> AttachmentInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return rows[0].data(ATTACHMENT_ROLE)  # type: ignore[no-any-return]
        return self._model.attachment_at(0) if self._model.rowCount() == 1 else None

    @Slot()
    def _on_preview_button_clicked(self) -> None:
        info = self.selected()
        if info is not None:
            self.preview_requested.emit(info)

    @Slot()
    def _on_export_button_clicked(self) -> None:
        info = self.selected()
        if info is not None:
            self.export_requested.emit(info)

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        info = index.data(ATTACHMENT_ROLE)
        if info is not None:
            self.preview_requested.emit(info)

    @Slot()
    def _on_model_reset(self) -> None:
        has_rows = self._model.rowCount() > 0
        self._stack.setCurrentWidget(self.table if has_rows else self.empty_state)
        self.preview_button.setEnabled(has_rows)
        self.export_button.setEnabled(has_rows)

    def show_notice(self, text: str) -> None:
        show_message(self.message, text)

    def notice_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def select_attachment(self, attachment_id: str) -> None:
        row = self._model.row_of(attachment_id)
        if row >= 0:
            self.table.selectRow(row)

    @property
    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self.empty_state
