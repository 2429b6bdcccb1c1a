"""Working hours and breaks: parsing, checking, storing, and the free intervals of a day.

Text form, for the CLI and forms: `mon-fri=08:00-12:00,13:00-17:00; sat=09:00-12:00`.
Day names: mon tue wed thu fri sat sun; a range (`mon-fri`) or a list (`mon,wed`); an empty
right-hand side (`sun=`) means no hours that day.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from itertools import pairwise

from clinic_app.errors import ValidationError
from clinic_app.scheduling.models import TimeRange, WeeklyHours

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MAX_INTERVALS_PER_DAY = 12
MAX_SPEC_LENGTH = 2000
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_clock(text: str, field: str = "time") -> int:
    """`HH:MM` (00:00–24:00) → minutes after midnight."""
    match = _TIME.match(text.strip())
    if not match:
        raise ValidationError(
            f"Times are written HH:MM, e.g. 08:30 (got {text.strip()[:20]!r}).", {field: "HH:MM"}
        )
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValidationError(
            f"{text.strip()} is not a time of day (00:00 to 24:00).", {field: "00:00 to 24:00"}
        )
    return hours * 60 + minutes


def parse_range(text: str, field: str = "hours") -> TimeRange:
    start_text, sep, end_text = text.strip().partition("-")
    if not sep:
        raise ValidationError(
            f"An interval is written HH:MM-HH:MM (got {text.strip()[:20]!r}).",
            {field: "HH:MM-HH:MM"},
        )
    start, end = parse_clock(start_text, field), parse_clock(end_text, field)
    if end <= start:
        raise ValidationError(
            f"The interval {text.strip()} ends before it starts.",
            {field: "The end must be after the start."},
        )
    return TimeRange(start, end)


def parse_days(text: str) -> list[int]:
    """`mon-fri`, `mon,wed,sat` or a mix → weekday numbers (Monday 0)."""
    days: list[int] = []
    for part in text.split(","):
        name = part.strip().lower()
        first, dash, last = name.partition("-")
        if first not in DAY_NAMES or (dash and last not in DAY_NAMES):
            raise ValidationError(
                f"Unknown day {part.strip()[:10]!r}: use {', '.join(DAY_NAMES)} or a range "
                "such as mon-fri.",
                {"hours": "Unknown day."},
            )
        lo = DAY_NAMES.index(first)
        hi = DAY_NAMES.index(last) if dash else lo
        if hi < lo:
            raise ValidationError(f"The day range {name} runs backwards.", {"hours": "Day range."})
        days.extend(range(lo, hi + 1))
    return days


def parse_weekly(text: str) -> WeeklyHours:
    """`mon-fri=08:00-12:00,13:00-17:00; sat=09:00-12:00` → checked weekly intervals."""
    if len(text) > MAX_SPEC_LENGTH:
        raise ValidationError(f"The hours text is too long (at most {MAX_SPEC_LENGTH} characters).")
    result: dict[int, list[TimeRange]] = {}
    for clause in filter(None, (c.strip() for c in text.split(";"))):
        days_text, sep, ranges_text = clause.partition("=")
        if not sep:
            raise ValidationError(
                f"Write each day's hours as DAYS=HH:MM-HH:MM (got {clause[:30]!r}).",
                {"hours": "DAYS=HH:MM-HH:MM"},
            )
        ranges = [parse_range(r) for r in ranges_text.split(",") if r.strip()]
        for day in parse_days(days_text):
            result[day] = list(ranges)
    return check_weekly(result)


def check_weekly(hours: Mapping[int, object], field: str = "hours") -> WeeklyHours:
    """Checks weekday keys and intervals (in order, inside the day, not overlapping)."""
    clean: WeeklyHours = {}
    for day, ranges in hours.items():
        if not isinstance(day, int) or not 0 <= day <= 6:
            raise ValidationError("Weekdays are 0 (Monday) to 6 (Sunday).", {field: "Weekday."})
        items = sorted(ranges)  # type: ignore[call-overload]
        if len(items) > MAX_INTERVALS_PER_DAY:
            raise ValidationError(
                f"At most {MAX_INTERVALS_PER_DAY} intervals per day.", {field: "Too many."}
            )
        for item in items:
            if not isinstance(item, TimeRange) or not (
                0 <= item.start < item.end <= MINUTES_PER_DAY
            ):
                raise ValidationError(
                    "Each interval must end after it starts, within the day.",
                    {field: "Bad interval."},
                )
        for before, after in pairwise(items):
            if after.start < before.end:
                raise ValidationError(
                    f"{DAY_NAMES[day]}: the intervals {before} and {after} overlap.",
                    {field: "Overlapping intervals."},
                )
        if items:
            clean[day] = tuple(items)
    return clean


def format_weekly(hours: WeeklyHours) -> str:
    return "; ".join(
        f"{DAY_NAMES[day]}={','.join(str(r) for r in ranges)}"
        for day, ranges in sorted(hours.items())
    )


def to_json(hours: WeeklyHours) -> str:
    return json.dumps(
        {str(day): [[r.start, r.end] for r in ranges] for day, ranges in sorted(hours.items())},
        separators=(",", ":"),
    )


def from_json(text: str) -> WeeklyHours:
    raw = json.loads(text or "{}")
    return {
        int(day): tuple(TimeRange(int(a), int(b)) for a, b in ranges) for day, ranges in raw.items()
    }


def subtract(ranges: tuple[TimeRange, ...], cuts: tuple[TimeRange, ...]) -> list[TimeRange]:
    """The parts of `ranges` not covered by any of `cuts` (breaks)."""
    pieces = list(ranges)
    for cut in cuts:
        next_pieces: list[TimeRange] = []
        for piece in pieces:
            if cut.end <= piece.start or cut.start >= piece.end:
                next_pieces.append(piece)
                continue
            if piece.start < cut.start:
                next_pieces.append(TimeRange(piece.start, cut.start))
            if cut.end < piece.end:
                next_pieces.append(TimeRange(cut.end, piece.end))
        pieces = next_pieces
    return sorted(pieces)


def working_intervals(hours: WeeklyHours, breaks: WeeklyHours, weekday: int) -> list[TimeRange]:
    return subtract(hours.get(weekday, ()), breaks.get(weekday, ()))
