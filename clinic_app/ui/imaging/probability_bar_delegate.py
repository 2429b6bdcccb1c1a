"""Draws a probability as a bar with its percentage (the top label's bar in the accent)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from clinic_app.ui.imaging.probability_table_model import IS_TOP_ROLE, PROBABILITY_ROLE

TOP_COLOUR = QColor("#1b6a8a")
OTHER_COLOUR = QColor("#9fb4c2")
TRACK_COLOUR = QColor("#e6edf2")


class ProbabilityBarDelegate(QStyledItemDelegate):
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        value = index.data(PROBABILITY_ROLE)
        if not isinstance(value, float):
            super().paint(painter, option, index)
            return
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:  # type: ignore[attr-defined]
            painter.fillRect(option.rect, option.palette.highlight())  # type: ignore[attr-defined]
        rect = QRectF(option.rect).adjusted(4, 5, -4, -5)  # type: ignore[attr-defined]
        text_width = 52.0
        track = QRectF(rect.left(), rect.top(), max(rect.width() - text_width, 10), rect.height())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(TRACK_COLOUR)
        painter.drawRoundedRect(track, 3, 3)
        bar = QRectF(
            track.left(), track.top(), track.width() * min(max(value, 0.0), 1.0), track.height()
        )
        painter.setBrush(TOP_COLOUR if index.data(IS_TOP_ROLE) else OTHER_COLOUR)
        painter.drawRoundedRect(bar, 3, 3)
        painter.setPen(option.palette.text().color())  # type: ignore[attr-defined]
        text = QRectF(track.right() + 4, rect.top() - 4, text_width - 4, rect.height() + 8)
        painter.drawText(
            text, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{value * 100:.1f}%"
        )
        painter.restore()
