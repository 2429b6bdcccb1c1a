"""Paints one code in the picker's list: the code in bold, its description, a billable mark."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from clinic_app.ui.codes.code_hit_list_model import BILLABLE_ROLE, CODE_ROLE, DESCRIPTION_ROLE

CODE_WIDTH = 84
MARK_WIDTH = 92
_INK = QColor("#1d2733")
_MUTED = QColor("#5b6b79")
_BILLABLE = QColor("#1e6b3a")
_SELECTED = QColor("#cfe3ec")


class CodeHitDelegate(QStyledItemDelegate):
    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        height = QFontMetrics(option.font).height() + 12
        return QSize(400, height)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        painter.save()
        rect = QRect(option.rect)  # type: ignore[attr-defined]
        if option.state & QStyle.StateFlag.State_Selected:  # type: ignore[attr-defined]
            painter.fillRect(rect, _SELECTED)
        inner = rect.adjusted(10, 0, -10, 0)
        bold = QFont(option.font)  # type: ignore[attr-defined]
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(_INK)
        code_rect = QRect(inner.left(), inner.top(), CODE_WIDTH, inner.height())
        align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        painter.drawText(code_rect, align, str(index.data(CODE_ROLE) or ""))
        small = QFont(option.font)  # type: ignore[attr-defined]
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        billable = bool(index.data(BILLABLE_ROLE))
        mark_rect = QRect(inner.right() - MARK_WIDTH, inner.top(), MARK_WIDTH, inner.height())
        painter.setFont(small)
        painter.setPen(_BILLABLE if billable else _MUTED)
        right = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
        painter.drawText(mark_rect, right, "✓ billable" if billable else "not billable")
        painter.setFont(option.font)  # type: ignore[attr-defined]
        painter.setPen(_INK)
        text_rect = QRect(
            code_rect.right() + 6,
            inner.top(),
            mark_rect.left() - code_rect.right() - 12,
            inner.height(),
        )
        metrics = QFontMetrics(option.font)  # type: ignore[attr-defined]
        text = metrics.elidedText(
            str(index.data(DESCRIPTION_ROLE) or ""), Qt.TextElideMode.ElideRight, text_rect.width()
        )
        painter.drawText(text_rect, align, text)
        painter.restore()
