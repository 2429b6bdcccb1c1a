"""An attachment shown in the app: images and PDFs zoomable, text as text; a DICOM file says
it opens in the imaging viewer; anything else can be exported.

The type comes from the content (sniffed when the file was added), never from the name.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.records.models import AttachmentInfo
from clinic_app.ui.icons import icon
from clinic_app.ui.records.attachment_table_model import type_label, warning_text
from clinic_app.ui.records.image_preview_view import ImagePreviewView
from clinic_app.ui.records.pdf_preview_view import PdfPreviewView
from clinic_app.ui.records.time_format import local_time, size_text
from clinic_app.ui.widgets.empty_state import EmptyState

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/tiff")
DICOM = "application/dicom"
PDF = "application/pdf"
TEXT = "text/plain"
MAX_TEXT_CHARS = 2_000_000


class AttachmentPreviewDialog(QDialog):
    export_requested = Signal(object)  # AttachmentInfo

    def __init__(
        self,
        info: AttachmentInfo,
        data: bytes,
        *,
        can_export: bool,
        added_by: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentPreview")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(info.filename)
        self.resize(900, 680)
        self.info = info
        layout = QVBoxLayout(self)
        title = QLabel(info.filename)
        title.setObjectName("dialogTitle")
        title.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(title)
        facts = [type_label(info.content_type), size_text(info.size_bytes)]
        facts.append(
            f"added {local_time(info.created_at)}" + (f" by {added_by}" if added_by else "")
        )
        facts_label = QLabel(" · ".join(facts))
        facts_label.setObjectName("fieldHint")
        layout.addWidget(facts_label)
        warning = warning_text(info)
        if warning:
            banner = QLabel(warning)
            banner.setObjectName("banner")
            banner.setWordWrap(True)
            layout.addWidget(banner)
        self._stack = QStackedWidget()
        layout.addWidget(self._stack, 1)
        self.kind = self._show_content(info, data)
        layout.addLayout(self._build_buttons(can_export))

    def _show_content(self, info: AttachmentInfo, data: bytes) -> str:
        if info.content_type in IMAGE_TYPES:
            self.image_view = ImagePreviewView()
            if self.image_view.load(data):
                self._stack.addWidget(self.image_view)
                return "image"
        elif info.content_type == PDF:
            self.pdf_view = PdfPreviewView()
            if self.pdf_view.load(data):
                self._stack.addWidget(self.pdf_view)
                return "pdf"
        elif info.content_type == TEXT:
            self.text_view = QPlainTextEdit()
            self.text_view.setObjectName("textPreview")
            self.text_view.setReadOnly(True)
            font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
            font.setStyleHint(QFont.StyleHint.Monospace)
            self.text_view.setFont(font)
            text = data.decode("utf-8", errors="replace")
            self.text_view.setPlainText(text[:MAX_TEXT_CHARS])
            self._stack.addWidget(self.text_view)
            return "text"
        elif info.content_type == DICOM:
            return self._placeholder(
                "dicom",
                "DICOM image",
                "DICOM files open in the imaging viewer. Export it to open it elsewhere.",
            )
        else:
            return self._placeholder(
                "none",
                "No preview for this type of file",
                "Export it to open it in another program.",
            )
        return self._placeholder(
            "unreadable",
            "This file can't be shown",
            "Its content could not be read (it may be damaged). Export it to check it elsewhere.",
        )

    def _placeholder(self, kind: str, title: str, text: str) -> str:
        self.placeholder = EmptyState("attachment")
        self.placeholder.set_message(title, text)
        self._stack.addWidget(self.placeholder)
        return kind

    def _build_buttons(self, can_export: bool) -> QHBoxLayout:
        row = QHBoxLayout()
        zoomable = self.kind in ("image", "pdf")
        view = getattr(self, "image_view", None) if self.kind == "image" else None
        view = view or (getattr(self, "pdf_view", None) if self.kind == "pdf" else None)
        for name, text, keys, slot in (
            ("zoom_out", "Zoom out", "Ctrl+-", "zoom_out"),
            ("zoom_in", "Zoom in", "Ctrl++", "zoom_in"),
            ("zoom_fit", "Fit", "Ctrl+0", "fit"),
        ):
            button = QPushButton(icon(name), text)
            button.setToolTip(f"{text} ({keys})")
            button.setVisible(zoomable)
            row.addWidget(button)
            if view is not None:
                action = getattr(view, slot)
                button.clicked.connect(action)
                QShortcut(QKeySequence(keys), self, action)
                if keys == "Ctrl++":
                    QShortcut(QKeySequence("Ctrl+="), self, action)
        row.addStretch(1)
        self.export_button = QPushButton(icon("export"), "Export…")
        self.export_button.setVisible(can_export)
        self.export_button.clicked.connect(lambda: self.export_requested.emit(self.info))
        close = QPushButton("Close")
        close.setDefault(True)
        close.clicked.connect(self.close)
        row.addWidget(self.export_button)
        row.addWidget(close)
        return row
