"""The image itself: a QGraphicsView with the rendered frame, the heatmap and outline layers,
measurement lines and the corner text. It only shows and reports gestures; the viewer
controller decides what they mean (a new window, a length in mm, a calibration).

Mouse: the current tool on the left button (pan, window/level, measure, ruler); the right
button always drags window/level; the middle button always pans. Wheel zooms at the cursor,
Ctrl+wheel steps through frames. Keys: F fit, + / - zoom, PgUp / PgDn frames, O the overlay,
Delete clears the measurements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from clinic_app.ui.imaging.canvas_items import (
    CALIBRATE_COLOUR,
    Corner,
    MeasurementItem,
    outline_item,
    paint_corner_text,
)

ZOOM_STEP = 1.25
MIN_SCALE = 0.05
MAX_SCALE = 40.0
MIN_LINE_PX = 2.0

LengthLabeller = Callable[[QPointF, QPointF], str]


class ViewerTool(StrEnum):
    PAN = "pan"
    WINDOW = "window"
    MEASURE = "measure"
    CALIBRATE = "calibrate"


class ImageCanvas(QGraphicsView):
    window_drag_started = Signal()
    window_dragged = Signal(float, float)  # screen pixels moved since the drag started
    measurement_drawn = Signal(QPointF, QPointF)  # image pixels (x, y)
    calibration_drawn = Signal(QPointF, QPointF)
    frame_step_requested = Signal(int)
    zoom_changed = Signal(float)
    overlay_toggle_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageCanvas")
        self.setScene(QGraphicsScene(self))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(QColor("#101418"))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(240, 200)
        self.image_item = QGraphicsPixmapItem()
        self.image_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.heatmap_item = QGraphicsPixmapItem()
        self.heatmap_item.setZValue(1)
        self.heatmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.heatmap_item.hide()
        self.scene().addItem(self.image_item)
        self.scene().addItem(self.heatmap_item)
        self._outline: QGraphicsPathItem | None = None
        self.measurements: list[MeasurementItem] = []
        self.tool = ViewerTool.PAN
        self.labeller: LengthLabeller = lambda _a, _b: ""
        self.corners: dict[Corner, Sequence[str]] = {}
        self.overlay_visible = True
        self._overlay_font = QFont()
        self._overlay_font.setPointSizeF(9.0)
        self._fit = True
        self._drag_button = Qt.MouseButton.NoButton
        self._drag_mode: ViewerTool | None = None
        self._press = QPoint()
        self._last = QPoint()
        self._rubber: MeasurementItem | None = None

    # --- content -------------------------------------------------------------------------

    @property
    def has_image(self) -> bool:
        return not self.image_item.pixmap().isNull()

    @property
    def image_size(self) -> tuple[int, int]:
        pixmap = self.image_item.pixmap()
        return pixmap.width(), pixmap.height()

    def show_picture(self, picture: QImage) -> None:
        """Replaces the pixels; a picture of another size is fitted to the view."""
        resized = (picture.width(), picture.height()) != self.image_size
        self.image_item.setPixmap(QPixmap.fromImage(picture))
        if resized:
            box = QRectF(0, 0, picture.width(), picture.height())
            margin = max(box.width(), box.height()) * 2
            self.scene().setSceneRect(box.adjusted(-margin, -margin, margin, margin))
            self.fit()

    def clear_picture(self) -> None:
        self.image_item.setPixmap(QPixmap())
        self.set_heatmap(None)
        self.set_outline(None)
        self.clear_measurements()

    def set_heatmap(self, picture: QImage | None, opacity: float = 0.5) -> None:
        if picture is None:
            self.heatmap_item.setPixmap(QPixmap())
            self.heatmap_item.hide()
            return
        self.heatmap_item.setPixmap(QPixmap.fromImage(picture))
        self.heatmap_item.setOpacity(opacity)
        self.heatmap_item.show()

    def set_heatmap_opacity(self, opacity: float) -> None:
        self.heatmap_item.setOpacity(opacity)

    def set_heatmap_visible(self, visible: bool) -> None:
        self.heatmap_item.setVisible(visible and not self.heatmap_item.pixmap().isNull())

    def set_outline(self, points: Sequence[tuple[float, float]] | None) -> None:
        if self._outline is not None:
            self.scene().removeItem(self._outline)
            self._outline = None
        if points:
            self._outline = outline_item(points)
            self.scene().addItem(self._outline)

    @property
    def outline_shown(self) -> bool:
        return self._outline is not None and self._outline.isVisible()

    def clear_measurements(self) -> None:
        for item in self.measurements:
            self.scene().removeItem(item)
        self.measurements.clear()

    def set_corner_text(self, corners: dict[Corner, Sequence[str]]) -> None:
        self.corners = corners
        self.viewport().update()

    def set_overlay_visible(self, visible: bool) -> None:
        self.overlay_visible = visible
        self.viewport().update()

    # --- zoom ----------------------------------------------------------------------------

    @property
    def scale_factor(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        self._fit = True
        if self.has_image:
            self.fitInView(self.image_item, Qt.AspectRatioMode.KeepAspectRatio)
        self.zoom_changed.emit(self.scale_factor)

    def zoom(self, factor: float) -> None:
        target = self.scale_factor * factor
        if MIN_SCALE <= target <= MAX_SCALE:
            self._fit = False
            self.scale(factor, factor)
            self.zoom_changed.emit(self.scale_factor)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit:
            self.fit()

    def drawForeground(self, painter: QPainter, rect: QRectF | QPoint) -> None:
        if not self.overlay_visible or not self.corners:
            return
        painter.save()
        painter.resetTransform()
        paint_corner_text(painter, QRectF(self.viewport().rect()), self.corners, self._overlay_font)
        painter.restore()

    # --- input ---------------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y()
        if steps == 0:
            return
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.frame_step_requested.emit(-1 if steps > 0 else 1)
        else:
            self.zoom(ZOOM_STEP if steps > 0 else 1 / ZOOM_STEP)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        actions: dict[int, Callable[[], object]] = {
            Qt.Key.Key_F: self.fit,
            Qt.Key.Key_Plus: lambda: self.zoom(ZOOM_STEP),
            Qt.Key.Key_Equal: lambda: self.zoom(ZOOM_STEP),
            Qt.Key.Key_Minus: lambda: self.zoom(1 / ZOOM_STEP),
            Qt.Key.Key_PageDown: lambda: self.frame_step_requested.emit(1),
            Qt.Key.Key_PageUp: lambda: self.frame_step_requested.emit(-1),
            Qt.Key.Key_O: self.overlay_toggle_requested.emit,
            Qt.Key.Key_Delete: self.clear_measurements,
        }
        action = actions.get(key)
        if action is None:
            super().keyPressEvent(event)
            return
        action()
        event.accept()

    def _mode_for(self, button: Qt.MouseButton) -> ViewerTool | None:
        if button == Qt.MouseButton.RightButton:
            return ViewerTool.WINDOW
        if button == Qt.MouseButton.MiddleButton:
            return ViewerTool.PAN
        if button == Qt.MouseButton.LeftButton:
            return self.tool
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        mode = self._mode_for(event.button())
        if mode is None or not self.has_image or self._drag_mode is not None:
            super().mousePressEvent(event)
            return
        self._drag_mode, self._drag_button = mode, event.button()
        self._press = self._last = event.position().toPoint()
        if mode is ViewerTool.WINDOW:
            self.window_drag_started.emit()
        elif mode in (ViewerTool.MEASURE, ViewerTool.CALIBRATE):
            colour = CALIBRATE_COLOUR if mode is ViewerTool.CALIBRATE else None
            start = self.mapToScene(self._press)
            self._rubber = (
                MeasurementItem(start) if colour is None else MeasurementItem(start, colour)
            )
            self.scene().addItem(self._rubber)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_mode is None:
            super().mouseMoveEvent(event)
            return
        position = event.position().toPoint()
        if self._drag_mode is ViewerTool.PAN:
            delta = position - self._last
            horizontal, vertical = self.horizontalScrollBar(), self.verticalScrollBar()
            horizontal.setValue(horizontal.value() - delta.x())
            vertical.setValue(vertical.value() - delta.y())
        elif self._drag_mode is ViewerTool.WINDOW:
            moved = position - self._press
            self.window_dragged.emit(float(moved.x()), float(moved.y()))
        elif self._rubber is not None:
            start = self._rubber.line().p1()
            end = self.mapToScene(position)
            self._rubber.set_end(end, self.labeller(start, end))
        self._last = position
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag_mode is None or event.button() != self._drag_button:
            super().mouseReleaseEvent(event)
            return
        mode, self._drag_mode = self._drag_mode, None
        rubber, self._rubber = self._rubber, None
        if rubber is not None:
            start, end = rubber.points
            long_enough = rubber.line().length() >= MIN_LINE_PX
            if mode is ViewerTool.MEASURE and long_enough:
                rubber.set_end(end, self.labeller(start, end))
                self.measurements.append(rubber)
                self.measurement_drawn.emit(start, end)
            else:
                self.scene().removeItem(rubber)
                if mode is ViewerTool.CALIBRATE and long_enough:
                    self.calibration_drawn.emit(start, end)
        event.accept()
