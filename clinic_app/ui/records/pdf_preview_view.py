"""A PDF attachment in QtPdf: pages one under another, fitted to the width, zoomable.

The document and its buffer are children of this container, created after the QPdfView, so
Qt deletes the view first: a QPdfDocument parented to its own QPdfView crashes when the view
is destroyed (seen with PySide6 6.12).
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QVBoxLayout, QWidget

ZOOM_STEP = 1.25


class PdfPreviewView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPreview")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.view = QPdfView()
        layout.addWidget(self.view)
        self.document = QPdfDocument(self)
        self._buffer = QBuffer(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def load(self, data: bytes) -> bool:
        """False when QtPdf can't read it (damaged, encrypted with a password, not a PDF)."""
        self.document.close()
        self._buffer.close()
        self._buffer.setData(QByteArray(data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        return self.document.status() == QPdfDocument.Status.Ready and self.document.pageCount() > 0

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    def fit(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def zoom_in(self) -> None:
        self._zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom(1 / ZOOM_STEP)

    def _zoom(self, factor: float) -> None:
        current = self.view.zoomFactor()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.1, min(8.0, current * factor)))
