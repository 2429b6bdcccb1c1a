"""The calendar's time grid: a custom-painted scroll area with click, double-click, context
menu and drag to reschedule. It never calls a service: it says what the user asked for.

Drag: press on a booked appointment, move past the drag distance, release on a free slot →
`reschedule_requested(appointment, target entry)`. Releasing anywhere else says why not
(`drop_refused`). The target is highlighted while dragging (green: free, red: not).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QToolTip, QWidget

from clinic_app.scheduling.calendar_models import CalendarEntry
from clinic_app.scheduling.models import AppointmentStatus, SlotStatus
from clinic_app.ui.scheduling.calendar_layout import (
    CalendarLayout,
    CalendarMode,
    PlacedEntry,
)
from clinic_app.ui.scheduling.calendar_painter import (
    GROUPED_HEADER,
    GUTTER,
    HEADER,
    PX_PER_MINUTE,
    CalendarPainter,
    DragState,
    GridGeometry,
    describe_entry,
)

MIN_COLUMN = {CalendarMode.DAY: 150, CalendarMode.WEEK: 96}
MIN_GROUPED_COLUMN = 92


def _empty_layout() -> CalendarLayout:
    return CalendarLayout(CalendarMode.DAY, [], [], 8 * 60, 18 * 60, grouped=False)


class CalendarGridView(QAbstractScrollArea):
    # An appointment dropped on a free slot: (AppointmentSummary, CalendarEntry).
    reschedule_requested = Signal(object, object)
    # Double-click (or Enter) on a free slot: book it. (CalendarEntry, the doctor's id)
    slot_activated = Signal(object, str)
    # The selection moved to an entry, or to nothing (None).
    entry_selected = Signal(object)
    # Right-click on an entry: (CalendarEntry, global QPoint).
    context_menu_requested = Signal(object, QPoint)
    # A drop that can't be done, with the reason in words.
    drop_refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarGrid")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(False)
        self.layout_data = _empty_layout()
        self.geometry_data = GridGeometry()
        self._painter = CalendarPainter(self.font())
        self.today: date | None = None
        self.now_minute: int | None = None
        self.drag_enabled = False
        self.empty_text = "Nothing is scheduled here."
        self.selected: PlacedEntry | None = None
        self._drag = DragState()
        self._press: tuple[PlacedEntry, QPointF] | None = None
        self._dragging = False
        self.horizontalScrollBar().valueChanged.connect(self._on_scroll_changed)
        self.verticalScrollBar().valueChanged.connect(self._on_scroll_changed)

    # --- data ----------------------------------------------------------------------------

    def set_layout(
        self, layout: CalendarLayout, today: date | None, now_minute: int | None = None
    ) -> None:
        keep_scroll = (
            self.layout_data.mode == layout.mode
            and len(self.layout_data.columns) == len(layout.columns)
            and self.layout_data.first_minute == layout.first_minute
        )
        selected_key = self._key(self.selected) if self.selected is not None else None
        self.layout_data = layout
        self.today = today
        self.now_minute = now_minute
        self.selected = None
        self._cancel_drag()
        self.geometry_data.header = GROUPED_HEADER if layout.grouped else HEADER
        self.geometry_data.first_minute = layout.first_minute
        if selected_key is not None:
            self.selected = next((p for p in layout.placed() if self._key(p) == selected_key), None)
        self._update_geometry()
        if not keep_scroll:
            self.horizontalScrollBar().setValue(0)
            self.verticalScrollBar().setValue(0)
        self.viewport().update()

    @staticmethod
    def _key(placed: PlacedEntry) -> tuple[object, ...]:
        entry = placed.entry
        return (entry.slot_id, entry.appointment.id if entry.appointment else None)

    # --- geometry ------------------------------------------------------------------------

    def _update_geometry(self) -> None:
        layout = self.layout_data
        viewport = self.viewport()
        count = max(1, len(layout.columns))
        minimum = MIN_GROUPED_COLUMN if layout.grouped else MIN_COLUMN[layout.mode]
        available = max(1, viewport.width() - GUTTER)
        self.geometry_data.column_width = max(float(minimum), available / count)
        content_width = self.geometry_data.column_width * len(layout.columns)
        content_height = (layout.last_minute - layout.first_minute) * PX_PER_MINUTE
        visible_height = viewport.height() - self.geometry_data.header
        horizontal, vertical = self.horizontalScrollBar(), self.verticalScrollBar()
        horizontal.setRange(0, max(0, int(content_width - available)))
        horizontal.setPageStep(available)
        horizontal.setSingleStep(int(self.geometry_data.column_width))
        vertical.setRange(0, max(0, int(content_height - visible_height) + 2))
        vertical.setPageStep(max(1, visible_height))
        vertical.setSingleStep(int(15 * PX_PER_MINUTE))
        self._sync_scroll()

    def _sync_scroll(self) -> None:
        self.geometry_data.scroll_x = self.horizontalScrollBar().value()
        self.geometry_data.scroll_y = self.verticalScrollBar().value()

    def _on_scroll_changed(self, _value: int) -> None:
        self._sync_scroll()
        self.viewport().update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_geometry()

    def entry_centre(self, placed: PlacedEntry) -> QPoint:
        """The centre of an entry in viewport pixels (where a click or a drop lands)."""
        return self.geometry_data.entry_rect(placed).center().toPoint()

    def scroll_to(self, placed: PlacedEntry) -> None:
        """Scrolls so the entry is on screen."""
        geometry = self.geometry_data
        rect = geometry.entry_rect(placed)
        viewport = self.viewport()
        if rect.left() < GUTTER or rect.right() > viewport.width():
            target = placed.column * geometry.column_width - GUTTER
            self.horizontalScrollBar().setValue(int(target))
        if rect.top() < geometry.header or rect.bottom() > viewport.height():
            top = (placed.start_minute - geometry.first_minute) * PX_PER_MINUTE
            self.verticalScrollBar().setValue(int(top - 30 * PX_PER_MINUTE))

    def find_entry(self, predicate: Callable[[CalendarEntry], bool]) -> PlacedEntry | None:
        """The first placed entry whose `CalendarEntry` matches `predicate(entry)`."""
        for placed in self.layout_data.placed():
            if predicate(placed.entry):
                return placed
        return None

    @property
    def drop_target(self) -> PlacedEntry | None:
        """What a drag in progress would drop on (highlighted green or red)."""
        return self._drag.target

    def placed_at(self, position: QPointF) -> PlacedEntry | None:
        geometry = self.geometry_data
        x, y = position.x(), position.y()
        if x < GUTTER or y < geometry.header or not self.layout_data.columns:
            return None
        column = int((x - GUTTER + geometry.scroll_x) // geometry.column_width)
        if not 0 <= column < len(self.layout_data.columns):
            return None
        for placed in self.layout_data.by_column[column]:
            if geometry.entry_rect(placed).adjusted(-2, -1, 2, 1).contains(position):
                return placed
        return None

    # --- painting ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        viewport = self.viewport()
        painter = QPainter(viewport)
        try:
            self._painter.paint(
                painter,
                self.layout_data,
                self.geometry_data,
                (viewport.width(), viewport.height()),
                today=self.today,
                now_minute=self.now_minute,
                selected=self.selected,
                drag=self._drag,
                empty_text=self.empty_text,
            )
        finally:
            painter.end()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            placed = self.placed_at(QPointF(event.pos()))
            if placed is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), describe_entry(placed.entry), self)
            return True
        return super().viewportEvent(event)

    # --- mouse ---------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        placed = self.placed_at(event.position())
        self._select(placed)
        if placed is not None and self._draggable(placed):
            self._press = (placed, event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            super().mouseMoveEvent(event)
            return
        source, start = self._press
        if not self._dragging:
            moved = (event.position() - start).manhattanLength()
            if moved < QApplication.startDragDistance():
                return
            self._dragging = True
            self._drag.source = source
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        target = self.placed_at(event.position())
        self._drag.target = target if target is not source else None
        self._drag.target_ok = target is not None and self._refusal(source, target) == ""
        self.viewport().update()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        source, _start = self._press
        dragging = self._dragging
        self._cancel_drag()
        if not dragging:
            return
        target = self.placed_at(event.position())
        if target is None or target is source:
            return
        refusal = self._refusal(source, target)
        if refusal:
            self.drop_refused.emit(refusal)
            return
        assert source.entry.appointment is not None
        self.reschedule_requested.emit(source.entry.appointment, target.entry)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        placed = self.placed_at(event.position())
        if placed is not None and self._is_free(placed.entry):
            self._activate(placed)
        event.accept()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        placed = self.placed_at(QPointF(event.pos()))
        if placed is not None:
            self._select(placed)
            self.context_menu_requested.emit(placed.entry, event.globalPos())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape and self._dragging:
            self._cancel_drag()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selected is not None:
            if self._is_free(self.selected.entry):
                self._activate(self.selected)
            return
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.layout_data.columns:
            self._step(1 if key == Qt.Key.Key_Down else -1)
            return
        super().keyPressEvent(event)

    # --- helpers -------------------------------------------------------------------------

    def _activate(self, placed: PlacedEntry) -> None:
        self.slot_activated.emit(placed.entry, self.layout_data.columns[placed.column].doctor_id)

    def doctor_of(self, entry: CalendarEntry) -> str:
        """The doctor whose column holds `entry` ("" if it is not on the grid)."""
        for placed in self.layout_data.placed():
            if placed.entry is entry:
                return self.layout_data.columns[placed.column].doctor_id
        return ""

    def _step(self, delta: int) -> None:
        """Moves the selection to the next or previous entry in the column (keyboard)."""
        column = self.selected.column if self.selected is not None else 0
        items = self.layout_data.by_column[column]
        if not items:
            return
        index = items.index(self.selected) + delta if self.selected in items else 0
        placed = items[max(0, min(len(items) - 1, index))]
        self._select(placed)
        self.scroll_to(placed)

    def _select(self, placed: PlacedEntry | None) -> None:
        if placed is not self.selected:
            self.selected = placed
            self.entry_selected.emit(placed.entry if placed is not None else None)
            self.viewport().update()

    def _draggable(self, placed: PlacedEntry) -> bool:
        appointment = placed.entry.appointment
        return (
            self.drag_enabled
            and appointment is not None
            and appointment.status is AppointmentStatus.BOOKED
            and not appointment.walk_in
        )

    @staticmethod
    def _is_free(entry: CalendarEntry) -> bool:
        return (
            entry.appointment is None
            and entry.slot_id is not None
            and entry.slot_status is SlotStatus.OPEN
        )

    def _refusal(self, source: PlacedEntry, target: PlacedEntry) -> str:
        entry = target.entry
        if entry.appointment is not None or entry.slot_status is SlotStatus.BOOKED:
            return "That slot is already booked. Drop the appointment on a free slot."
        if entry.slot_status is SlotStatus.BLOCKED:
            reason = f" ({entry.block_reason})" if entry.block_reason else ""
            return f"That slot is blocked{reason}. Drop the appointment on a free slot."
        if entry.slot_id is None:
            return "Drop the appointment on a free slot."
        return ""

    def _cancel_drag(self) -> None:
        self._press = None
        self._dragging = False
        self._drag = DragState()
        self.viewport().unsetCursor()
        self.viewport().update()
