"""Where each calendar entry goes on the time grid: plain Python, no Qt, no service calls.

Rows are wall-clock minutes after the local midnight of the column's day, in the doctor's own
time zone (`CalendarEntry.local_start`, computed by the service from the stored UTC instant),
so a 09:00 appointment sits in the 09:00 row on either side of a daylight-saving change.
Entries that overlap in wall-clock time (a walk-in beside a slot, a no-show beside the slot
it freed, the repeated hour of an autumn night) are laid side by side in lanes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from clinic_app.scheduling.calendar_models import CalendarEntry, CalendarView

MINUTES_PER_DAY = 1440
DEFAULT_FIRST_MINUTE = 8 * 60
DEFAULT_LAST_MINUTE = 18 * 60


class CalendarMode(StrEnum):
    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True)
class GridColumn:
    """One doctor on one day. `group_size` > 0 on the first column of a day group (a week
    of several doctors draws the day's title once across its doctors)."""

    doctor_id: str
    doctor_name: str
    specialisation: str
    room: str | None
    time_zone: str
    day: date
    title: str
    subtitle: str
    group_size: int


class PlacedEntry(NamedTuple):
    """An entry's place: its column, its lane of `lanes` side by side, its wall-clock span.
    (A tuple, not a dataclass: a busy week makes thousands at a time.)"""

    column: int
    lane: int
    lanes: int
    start_minute: int
    end_minute: int
    entry: CalendarEntry


@dataclass(frozen=True)
class CalendarLayout:
    mode: CalendarMode
    columns: list[GridColumn]
    by_column: list[list[PlacedEntry]]
    first_minute: int
    last_minute: int
    grouped: bool  # a week of several doctors: day titles span their doctors

    @property
    def entry_count(self) -> int:
        return sum(len(items) for items in self.by_column)

    @property
    def empty(self) -> bool:
        return self.entry_count == 0

    def placed(self) -> list[PlacedEntry]:
        return [item for items in self.by_column for item in items]


def day_title(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _subtitle(specialisation: str, room: str | None) -> str:
    return f"{specialisation} · room {room}" if room else specialisation


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Thousands of new tuples would set off collections that walk the whole view (the
    service reads it the same way)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_layout(view: CalendarView, mode: CalendarMode) -> CalendarLayout:
    """Columns in the order the GUI reads them: a day view and a one-doctor week in the
    service's order (doctor, then date); a week of several doctors by date, then doctor."""
    with _paused_gc():
        return _build(view, mode)


def _build(view: CalendarView, mode: CalendarMode) -> CalendarLayout:
    doctors = list(dict.fromkeys(column.doctor_id for column in view.columns))
    grouped = mode is CalendarMode.WEEK and len(doctors) > 1
    days = view.columns
    if grouped:
        days = sorted(view.columns, key=lambda c: (c.day, doctors.index(c.doctor_id)))
    columns: list[GridColumn] = []
    by_column: list[list[PlacedEntry]] = []
    first, last = MINUTES_PER_DAY, 0
    for index, day in enumerate(days):
        if grouped:
            new_group = index == 0 or days[index - 1].day != day.day
            title, subtitle = day_title(day.day), day.doctor_name
            group_size = len(doctors) if new_group else 0
        elif mode is CalendarMode.WEEK:
            title, subtitle, group_size = day_title(day.day), day.doctor_name, 1
        else:
            title = day.doctor_name
            subtitle, group_size = _subtitle(day.specialisation, day.room), 1
        columns.append(
            GridColumn(
                day.doctor_id,
                day.doctor_name,
                day.specialisation,
                day.room,
                day.time_zone,
                day.day,
                title,
                subtitle,
                group_size,
            )
        )
        placed = _place(index, day.day, day.entries)
        if placed:
            first = min(first, placed[0].start_minute, *(p.start_minute for p in placed))
            last = max(last, *(p.end_minute for p in placed))
        by_column.append(placed)
    if first >= last:
        first, last = DEFAULT_FIRST_MINUTE, DEFAULT_LAST_MINUTE
    first = max(0, first // 60 * 60)
    last = min(MINUTES_PER_DAY, -(-last // 60) * 60)
    return CalendarLayout(mode, columns, by_column, first, last, grouped)


def _place(column: int, day: date, entries: list[CalendarEntry]) -> list[PlacedEntry]:
    """Entries (sorted by start, as the service returns them) → lanes within overlap
    clusters: each takes the first lane free at its start; a cluster shares its lane count."""
    spans: list[tuple[int, int, CalendarEntry]] = []
    day_number = day.toordinal()
    for entry in entries:
        start_at, end_at = entry.local_start, entry.local_end
        start = start_at.hour * 60 + start_at.minute
        if start_at.day != day.day:  # began the evening before (or runs past midnight)
            start += (start_at.toordinal() - day_number) * MINUTES_PER_DAY
        end = end_at.hour * 60 + end_at.minute
        if end_at.day != day.day:
            end += (end_at.toordinal() - day_number) * MINUTES_PER_DAY
        start = min(max(start, 0), MINUTES_PER_DAY - 1)
        end = min(max(end, start + 1), MINUTES_PER_DAY)
        spans.append((start, end, entry))
    spans.sort(key=lambda span: (span[0], span[1]))
    result: list[PlacedEntry] = []
    cluster: list[tuple[int, int, int, CalendarEntry]] = []
    lane_ends: list[int] = []
    cluster_end = -1
    for start, end, entry in spans:
        if start >= cluster_end and cluster:
            _close(result, column, cluster, len(lane_ends))
            cluster, lane_ends = [], []
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= start:
                lane_ends[lane] = end
                break
        else:
            lane = len(lane_ends)
            lane_ends.append(end)
        cluster.append((lane, start, end, entry))
        cluster_end = max(cluster_end, end) if cluster_end > start else end
    if cluster:
        _close(result, column, cluster, len(lane_ends))
    return result


def _close(
    result: list[PlacedEntry],
    column: int,
    cluster: list[tuple[int, int, int, CalendarEntry]],
    lanes: int,
) -> None:
    for lane, start, end, entry in cluster:
        result.append(PlacedEntry(column, lane, lanes, start, end, entry))
