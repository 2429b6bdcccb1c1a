"""What the image canvas draws over an image: measurement lines with their length, the
lesion outline of an ABCD result, and the corner text (painted in screen coordinates)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPathItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

MEASURE_COLOUR = QColor("#ffd400")
CALIBRATE_COLOUR = QColor("#4cc9f0")
OUTLINE_COLOUR = QColor("#39e75f")
OVERLAY_TEXT = QColor("#f2f6f8")
LABEL_PADDING = 3.0


class Corner(IntEnum):
    TOP_LEFT = 0
    TOP_RIGHT = 1
    BOTTOM_LEFT = 2
    BOTTOM_RIGHT = 3


class LabelItem(QGraphicsItem):
    """Text on a dark box that keeps its size on screen whatever the zoom."""

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self._text = ""
        self._font = QFont()
        self._font.setPointSizeF(9.5)
        self._font.setBold(True)
        self.colour = MEASURE_COLOUR

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self.prepareGeometryChange()
        self._text = text

    def boundingRect(self) -> QRectF:
        metrics = QFontMetricsF(self._font)
        width = metrics.horizontalAdvance(self._text) + 2 * LABEL_PADDING
        return QRectF(6, -metrics.height() - 6, width, metrics.height() + 2 * LABEL_PADDING)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        if not self._text:
            return
        box = self.boundingRect()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.drawRoundedRect(box, 3, 3)
        painter.setFont(self._font)
        painter.setPen(self.colour)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self._text)


class MeasurementItem(QGraphicsLineItem):
    """A line between two image points with its length written beside its end."""

    def __init__(self, start: QPointF, colour: QColor = MEASURE_COLOUR) -> None:
        super().__init__(QLineF(start, start))
        pen = QPen(colour, 2)
        pen.setCosmetic(True)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.setPen(pen)
        self.setZValue(3)
        self.label = LabelItem(self)
        self.label.colour = colour

    def set_end(self, end: QPointF, text: str) -> None:
        line = self.line()
        self.setLine(QLineF(line.p1(), end))
        self.label.setPos(end)
        self.label.set_text(text)

    @property
    def points(self) -> tuple[QPointF, QPointF]:
        return self.line().p1(), self.line().p2()


def outline_item(points: Sequence[tuple[float, float]]) -> QGraphicsPathItem:
    """A closed outline through (x, y) image points (an ABCD segmentation)."""
    path = QPainterPath()
    if points:
        path.moveTo(QPointF(*points[0]))
        for x, y in points[1:]:
            path.lineTo(QPointF(x, y))
        path.closeSubpath()
    item = QGraphicsPathItem(path)
    pen = QPen(OUTLINE_COLOUR, 2)
    pen.setCosmetic(True)
    item.setPen(pen)
    item.setBrush(QBrush(Qt.BrushStyle.NoBrush))
    item.setZValue(2)
    return item


def paint_corner_text(
    painter: QPainter, area: QRectF, corners: dict[Corner, Sequence[str]], font: QFont
) -> None:
    """Overlay text in the four corners of the viewport, with a shadow for any background."""
    metrics = QFontMetricsF(font)
    line_height = metrics.height()
    painter.setFont(font)
    margin = 8.0
    for corner, lines in corners.items():
        top = corner in (Corner.TOP_LEFT, Corner.TOP_RIGHT)
        right = corner in (Corner.TOP_RIGHT, Corner.BOTTOM_RIGHT)
        for index, text in enumerate(lines):
            row = index if top else len(lines) - 1 - index
            y = (
                area.top() + margin + row * line_height
                if top
                else area.bottom() - margin - (row + 1) * line_height
            )
            width = metrics.horizontalAdvance(text)
            x = area.right() - margin - width if right else area.left() + margin
            box = QRectF(x, y, width + 2, line_height)
            painter.setPen(QColor(0, 0, 0, 220))
            painter.drawText(box.translated(1, 1), Qt.AlignmentFlag.AlignLeft, text)
            painter.setPen(OVERLAY_TEXT)
            painter.drawText(box, Qt.AlignmentFlag.AlignLeft, text)
