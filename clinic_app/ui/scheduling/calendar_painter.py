"""Draws the calendar grid: the time gutter, column headers, hour lines and the entries.

Kept apart from the widget's mouse handling (`calendar_grid_view.py`); the geometry both use
lives in `GridGeometry`. Only what is on screen is drawn, so a week of fifty doctors
(~11,000 entries) paints as fast as one doctor's day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPen

from clinic_app.scheduling.calendar_models import CalendarEntry
from clinic_app.scheduling.models import AppointmentStatus, SlotStatus
from clinic_app.ui.scheduling.appointment_labels import (
    BLOCKED_FILL,
    BLOCKED_HATCH,
    MUTED_TEXT,
    OPEN_EDGE,
    OPEN_FILL,
    STATUS_COLOURS,
    TEXT_COLOUR,
    TYPE_COLOURS,
    clock_time,
    status_label,
    time_span,
    type_label,
)
from clinic_app.ui.scheduling.calendar_layout import CalendarLayout, PlacedEntry

GUTTER = 58
HEADER = 44
GROUPED_HEADER = 58
PX_PER_MINUTE = 1.6
STRIPE = 4
WIDE_ENTRY = 150  # pixels: room for the time before the name
ELIDED_CACHE = 20_000

_LINE = QColor("#e3e8ed")
_HALF_LINE = QColor("#f1f4f6")
_GROUP_LINE = QColor("#aab6c1")
_TODAY_TINT = QColor("#f1f8fb")
_HEADER_FILL = QColor("#f1f4f7")
_ACCENT = QColor("#1b6a8a")
_NOW = QColor("#d0342c")
_DROP_OK = QColor("#15803d")
_DROP_BAD = QColor("#b42318")
_FADED = {AppointmentStatus.NO_SHOW, AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED}


@dataclass
class GridGeometry:
    """Sizes and scroll offsets; maps layout positions to viewport pixels."""

    column_width: float = 120.0
    header: int = HEADER
    scroll_x: int = 0
    scroll_y: int = 0
    first_minute: int = 0

    def column_x(self, column: int) -> float:
        return GUTTER + column * self.column_width - self.scroll_x

    def minute_y(self, minute: float) -> float:
        return self.header + (minute - self.first_minute) * PX_PER_MINUTE - self.scroll_y

    def entry_rect(self, placed: PlacedEntry) -> QRectF:
        lane_width = self.column_width / placed.lanes
        left = self.column_x(placed.column) + placed.lane * lane_width
        top = self.minute_y(placed.start_minute)
        height = (placed.end_minute - placed.start_minute) * PX_PER_MINUTE
        return QRectF(left + 2, top + 1, max(4.0, lane_width - 4), max(3.0, height - 2))


@dataclass
class DragState:
    source: PlacedEntry | None = None
    target: PlacedEntry | None = None
    target_ok: bool = False


class CalendarPainter:
    def __init__(self, font: QFont) -> None:
        self.font = QFont(font)
        self.bold = QFont(font)
        self.bold.setBold(True)
        self.small = QFont(font)
        self.small.setPointSizeF(max(7.5, font.pointSizeF() - 1.5))
        self.metrics = QFontMetrics(self.font)
        self.small_metrics = QFontMetrics(self.small)
        self.line_height = self.metrics.height()
        self._hatch = QBrush(QColor(BLOCKED_HATCH), Qt.BrushStyle.BDiagPattern)
        self._elided: dict[tuple[str, int, bool], str] = {}

    def paint(
        self,
        painter: QPainter,
        layout: CalendarLayout,
        geometry: GridGeometry,
        size: tuple[int, int],
        *,
        today: date | None,
        now_minute: int | None,
        selected: PlacedEntry | None,
        drag: DragState,
        empty_text: str,
    ) -> None:
        width, height = size
        painter.fillRect(QRectF(0, 0, width, height), QColor("#ffffff"))
        columns = range(0)
        if layout.columns:
            first = max(0, int(geometry.scroll_x // geometry.column_width))
            last = min(
                len(layout.columns) - 1,
                int((geometry.scroll_x + width - GUTTER) // geometry.column_width),
            )
            columns = range(first, last + 1)
        painter.save()
        painter.setClipRect(QRectF(GUTTER, geometry.header, width, height))
        self._background(painter, layout, geometry, columns, height, today)
        painter.setFont(self.font)
        top_minute = geometry.first_minute + geometry.scroll_y / PX_PER_MINUTE
        bottom_minute = top_minute + height / PX_PER_MINUTE
        for column in columns:
            for placed in layout.by_column[column]:
                if placed.end_minute < top_minute or placed.start_minute > bottom_minute:
                    continue
                self._entry(painter, geometry.entry_rect(placed), placed, placed is drag.source)
        if selected is not None and selected.column in columns:
            painter.setPen(QPen(_ACCENT, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(geometry.entry_rect(selected).adjusted(-1, -1, 1, 1), 4, 4)
        if drag.target is not None:
            colour = _DROP_OK if drag.target_ok else _DROP_BAD
            fill = QColor(colour)
            fill.setAlpha(40)
            painter.setPen(QPen(colour, 2, Qt.PenStyle.DashLine))
            painter.setBrush(fill)
            painter.drawRoundedRect(geometry.entry_rect(drag.target), 4, 4)
        if today is not None and now_minute is not None:
            self._now_line(painter, layout, geometry, columns, today, now_minute)
        painter.restore()
        self._gutter(painter, layout, geometry, height)
        self._header(painter, layout, geometry, columns, width, today)
        if layout.columns and layout.empty and empty_text:
            painter.setPen(QColor(MUTED_TEXT))
            painter.setFont(self.bold)
            area = QRectF(GUTTER, geometry.header, width - GUTTER, height - geometry.header)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, empty_text)

    # --- parts ---------------------------------------------------------------------------

    def _background(
        self,
        painter: QPainter,
        layout: CalendarLayout,
        geometry: GridGeometry,
        columns: range,
        height: int,
        today: date | None,
    ) -> None:
        bottom = geometry.minute_y(layout.last_minute)
        for column in columns:
            if layout.columns[column].day == today and layout.mode == "week":
                x = geometry.column_x(column)
                painter.fillRect(
                    QRectF(x, geometry.header, geometry.column_width, bottom - geometry.header),
                    _TODAY_TINT,
                )
        left, right = GUTTER, geometry.column_x(len(layout.columns))
        for minute in range(layout.first_minute, layout.last_minute + 1, 30):
            y = geometry.minute_y(minute)
            if geometry.header <= y <= height:
                painter.setPen(_LINE if minute % 60 == 0 else _HALF_LINE)
                painter.drawLine(QPointF(left, y), QPointF(right, y))
        for column in columns:
            x = geometry.column_x(column)
            group_start = layout.grouped and layout.columns[column].group_size > 0
            painter.setPen(QPen(_GROUP_LINE if group_start else _LINE, 1))
            painter.drawLine(QPointF(x, geometry.header), QPointF(x, bottom))

    def _entry(self, painter: QPainter, rect: QRectF, placed: PlacedEntry, dragged: bool) -> None:
        entry = placed.entry
        appointment = entry.appointment
        painter.setOpacity(0.35 if dragged else 1.0)
        if appointment is None:
            blocked = entry.slot_status is SlotStatus.BLOCKED
            painter.setPen(QPen(QColor(OPEN_EDGE), 1))
            painter.setBrush(QColor(BLOCKED_FILL if blocked else OPEN_FILL))
            painter.drawRoundedRect(rect, 3, 3)
            if blocked:
                painter.setBrush(self._hatch)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.drawRoundedRect(rect, 3, 3)
                text = "Blocked" + (f" · {entry.block_reason}" if entry.block_reason else "")
                self._text(painter, rect, text, QColor("#4a5866"), self.small)
            else:
                self._text(
                    painter, rect, clock_time(entry.local_start), QColor(MUTED_TEXT), self.small
                )
            painter.setOpacity(1.0)
            return
        fill, edge = TYPE_COLOURS[appointment.appointment_type]
        if appointment.status in _FADED and not dragged:
            painter.setOpacity(0.55)
        painter.setPen(QPen(QColor(edge), 1))
        painter.setBrush(QColor(fill))
        painter.drawRoundedRect(rect, 3, 3)
        stripe = QRectF(rect.left(), rect.top(), STRIPE, rect.height())
        painter.fillRect(stripe, QColor(STATUS_COLOURS[appointment.status]))
        status = appointment.status
        suffix = "" if status is AppointmentStatus.BOOKED else f" · {status_label(status)}"
        # A narrow column has no room for the time (the row says it) nor the given name: the
        # tooltip has the rest.
        wide = rect.width() >= WIDE_ENTRY
        name = appointment.patient_name if wide else appointment.patient_name.split(",")[0]
        if appointment.walk_in:
            name = f"Walk-in · {name}"
        first_line = f"{clock_time(appointment.local_start)} {name}" if wide else name
        text_rect = rect.adjusted(STRIPE + 3, 0, 0, 0)
        if rect.height() >= self.line_height * 2 + 2:
            second = type_label(appointment.appointment_type) + suffix
            self._text(painter, text_rect, first_line, QColor(TEXT_COLOUR), self.font, top=True)
            lower = text_rect.adjusted(0, self.line_height, 0, 0)
            self._text(painter, lower, second, QColor("#3d4f5f"), self.small, top=True)
        else:
            text = first_line + (suffix if wide else "")
            self._text(painter, text_rect, text, QColor(TEXT_COLOUR), self.font)
        painter.setOpacity(1.0)

    def _text(
        self,
        painter: QPainter,
        rect: QRectF,
        text: str,
        colour: QColor,
        font: QFont,
        *,
        top: bool = False,
    ) -> None:
        """One line, elided to fit; drawn at a baseline (no text layout engine per call)."""
        small = font is self.small
        metrics = self.small_metrics if small else self.metrics
        inner = rect.adjusted(3, 1, -3, -1)
        if inner.width() < 8 or inner.height() < metrics.ascent() * 0.8:
            return
        key = (text, int(inner.width()), small)
        elided = self._elided.get(key)
        if elided is None:
            if len(self._elided) > ELIDED_CACHE:
                self._elided.clear()
            elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, key[1])
            self._elided[key] = elided
        painter.setFont(font)
        painter.setPen(colour)
        if top:
            baseline = inner.top() + metrics.ascent()
        else:
            baseline = inner.center().y() + (metrics.ascent() - metrics.descent()) / 2
        painter.drawText(QPointF(inner.left(), baseline), elided)

    def _now_line(
        self,
        painter: QPainter,
        layout: CalendarLayout,
        geometry: GridGeometry,
        columns: range,
        today: date,
        now_minute: int,
    ) -> None:
        if not layout.first_minute <= now_minute <= layout.last_minute:
            return
        y = geometry.minute_y(now_minute)
        painter.setPen(QPen(_NOW, 2))
        for column in columns:
            if layout.columns[column].day == today:
                x = geometry.column_x(column)
                painter.drawLine(QPointF(x, y), QPointF(x + geometry.column_width, y))

    def _gutter(
        self, painter: QPainter, layout: CalendarLayout, geometry: GridGeometry, height: int
    ) -> None:
        painter.fillRect(QRectF(0, geometry.header, GUTTER, height), _HEADER_FILL)
        painter.setPen(_LINE)
        painter.drawLine(QPointF(GUTTER - 0.5, 0), QPointF(GUTTER - 0.5, height))
        painter.setFont(self.small)
        painter.setPen(QColor("#5b6b79"))
        for minute in range(layout.first_minute, layout.last_minute, 60):
            y = geometry.minute_y(minute)
            if y < geometry.header - 2 or y > height:
                continue
            label = f"{minute // 60:02d}:00"
            painter.drawText(
                QRectF(0, y + 1, GUTTER - 8, self.line_height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                label,
            )

    def _header(
        self,
        painter: QPainter,
        layout: CalendarLayout,
        geometry: GridGeometry,
        columns: range,
        width: int,
        today: date | None,
    ) -> None:
        painter.fillRect(QRectF(0, 0, width, geometry.header), _HEADER_FILL)
        painter.setPen(_LINE)
        painter.drawLine(QPointF(0, geometry.header - 0.5), QPointF(width, geometry.header - 0.5))
        painter.save()
        painter.setClipRect(QRectF(GUTTER, 0, width - GUTTER, geometry.header))
        half = geometry.header / 2
        for column in columns:
            info = layout.columns[column]
            x = geometry.column_x(column)
            is_today = info.day == today and layout.mode == "week"
            title_colour = _ACCENT if is_today else QColor(TEXT_COLOUR)
            if layout.grouped:
                start = column
                while start > 0 and layout.columns[start].group_size == 0:
                    start -= 1
                if column in (start, columns.start):
                    span = layout.columns[start].group_size * geometry.column_width
                    box = QRectF(geometry.column_x(start), 0, span, half)
                    self._label(painter, box, info.title, title_colour, self.bold, centre=True)
                    painter.setPen(_GROUP_LINE)
                    painter.drawLine(QPointF(box.left(), 0), QPointF(box.left(), geometry.header))
                box = QRectF(x, half, geometry.column_width, half)
                self._label(painter, box, info.subtitle, QColor("#3d4f5f"), self.small, True)
                painter.setPen(_LINE)
                painter.drawLine(QPointF(x, half), QPointF(x, geometry.header))
            else:
                top = QRectF(x, 3, geometry.column_width, half)
                self._label(painter, top, info.title, title_colour, self.bold, centre=True)
                bottom = QRectF(x, half, geometry.column_width, half - 3)
                self._label(painter, bottom, info.subtitle, QColor("#5b6b79"), self.small, True)
                painter.setPen(_LINE)
                painter.drawLine(QPointF(x, 0), QPointF(x, geometry.header))
        painter.restore()
        painter.fillRect(QRectF(0, 0, GUTTER, geometry.header), _HEADER_FILL)

    def _label(
        self,
        painter: QPainter,
        box: QRectF,
        text: str,
        colour: QColor,
        font: QFont,
        centre: bool,
    ) -> None:
        metrics = self.small_metrics if font is self.small else QFontMetrics(font)
        painter.setFont(font)
        painter.setPen(colour)
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(box.width()) - 8)
        align = Qt.AlignmentFlag.AlignHCenter if centre else Qt.AlignmentFlag.AlignLeft
        painter.drawText(box, align | Qt.AlignmentFlag.AlignVCenter, elided)


def describe_entry(entry: CalendarEntry) -> str:
    """The tooltip: what the block is, in words."""
    span = time_span(entry.local_start, entry.local_end)
    appointment = entry.appointment
    if appointment is None:
        if entry.slot_status is SlotStatus.BLOCKED:
            reason = entry.block_reason or "no reason given"
            return f"{span} · Blocked: {reason}"
        return f"{span} · Free slot"
    lines = [
        f"{span} · {appointment.patient_name}",
        f"{type_label(appointment.appointment_type)} · {status_label(appointment.status)}"
        + (" · walk-in" if appointment.walk_in else "")
        + ("" if appointment.confirmed else " · provisional (not yet confirmed)"),
    ]
    if appointment.meeting_link:
        lines.append(f"Meeting link: {appointment.meeting_link}")
    return "\n".join(lines)
