"""The calendar's legend: what each colour and stripe means."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from clinic_app.scheduling.models import AppointmentStatus
from clinic_app.ui.scheduling.appointment_labels import (
    BLOCKED_FILL,
    BLOCKED_HATCH,
    OPEN_EDGE,
    OPEN_FILL,
    STATUS_COLOURS,
    STATUS_LABELS,
    TYPE_COLOURS,
    TYPE_LABELS,
)

_SHOWN_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.NO_SHOW,
)


class _Swatch(QWidget):
    def __init__(self, fill: str, edge: str, *, stripe: str = "", hatch: bool = False) -> None:
        super().__init__()
        self._fill, self._edge, self._stripe, self._hatch = fill, edge, stripe, hatch
        self.setFixedSize(QSize(22, 14))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = QRectF(0.5, 0.5, self.width() - 1, self.height() - 1)
        painter.setPen(QPen(QColor(self._edge), 1))
        painter.setBrush(QColor(self._fill))
        painter.drawRoundedRect(rect, 3, 3)
        if self._hatch:
            painter.setBrush(QBrush(QColor(BLOCKED_HATCH), Qt.BrushStyle.BDiagPattern))
            painter.drawRoundedRect(rect, 3, 3)
        if self._stripe:
            painter.fillRect(QRectF(0.5, 0.5, 5, rect.height()), QColor(self._stripe))
        painter.end()


class CalendarLegend(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarLegend")
        row = QHBoxLayout(self)
        row.setContentsMargins(2, 0, 2, 0)
        row.setSpacing(6)
        self.labels: list[str] = []
        for kind, (fill, edge) in TYPE_COLOURS.items():
            self._add(row, _Swatch(fill, edge), TYPE_LABELS[kind])
        row.addSpacing(8)
        for status in _SHOWN_STATUSES:
            swatch = _Swatch("#f7f9fb", "#c4cdd6", stripe=STATUS_COLOURS[status])
            self._add(row, swatch, STATUS_LABELS[status])
        row.addSpacing(8)
        self._add(row, _Swatch(OPEN_FILL, OPEN_EDGE), "Free slot")
        self._add(row, _Swatch(BLOCKED_FILL, OPEN_EDGE, hatch=True), "Blocked")
        row.addStretch(1)

    def _add(self, row: QHBoxLayout, swatch: QWidget, text: str) -> None:
        label = QLabel(text)
        label.setObjectName("legendLabel")
        font = label.font()
        font.setPointSizeF(max(8.0, font.pointSizeF() - 1))
        label.setFont(font)
        row.addWidget(swatch)
        row.addWidget(label)
        row.addSpacing(2)
        self.labels.append(text)
