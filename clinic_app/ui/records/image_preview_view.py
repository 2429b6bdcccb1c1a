"""An image attachment, zoomable: Ctrl++ / Ctrl+- / Ctrl+0 (fit), or Ctrl+wheel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

ZOOM_STEP = 1.25
MIN_SCALE = 0.05
MAX_SCALE = 20.0


class ImagePreviewView(QGraphicsView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imagePreview")
        self.setScene(QGraphicsScene(self))
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._item)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(Qt.GlobalColor.darkGray)
        self._fit = True

    def load(self, data: bytes) -> bool:
        """False when the bytes are not an image Qt can read."""
        image = QImage.fromData(data)
        if image.isNull():
            return False
        self._item.setPixmap(QPixmap.fromImage(image))
        self.scene().setSceneRect(self._item.boundingRect())
        self.fit()
        return True

    @property
    def image_size(self) -> tuple[int, int]:
        pixmap = self._item.pixmap()
        return pixmap.width(), pixmap.height()

    @property
    def scale_factor(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        self._fit = True
        self.fitInView(self._item, Qt.AspectRatioMode.KeepAspectRatio)
        if self.scale_factor > 1.0:  # small images stay at their real size
            self.resetTransform()

    def zoom(self, factor: float) -> None:
        target = self.scale_factor * factor
        if MIN_SCALE <= target <= MAX_SCALE:
            self._fit = False
            self.scale(factor, factor)

    def zoom_in(self) -> None:
        self.zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom(1 / ZOOM_STEP)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self._fit and not self._item.pixmap().isNull():
            self.fit()
