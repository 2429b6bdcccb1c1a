"""Clinic-local time: IANA zones (zoneinfo), local wall-clock ↔ UTC, and the day's bounds.

A working interval's boundaries are local wall-clock times; they become UTC instants with
PEP 495's `fold=0` (an ambiguous time in the autumn is its first occurrence; a time inside the
spring gap is read with the offset before the change). Slots are then laid in real time between
those instants, so every slot has a real duration and a short night on the spring change has
fewer slots, the long autumn night more.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clinic_app.errors import ValidationError

MAX_ZONE_NAME = 64


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone(name: str) -> ZoneInfo:
    """A checked IANA time zone ("Europe/Berlin"); a clear error for anything else."""
    text = (name or "").strip()
    if not text or len(text) > MAX_ZONE_NAME or text.startswith("/") or ".." in text:
        raise ValidationError(
            "Give the clinic's time zone as an IANA name, e.g. Europe/Berlin.",
            {"time_zone": "IANA name, e.g. Europe/Berlin."},
        )
    try:
        return _zone(text)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValidationError(
            f"Unknown time zone {text!r}; use an IANA name such as Europe/Berlin.",
            {"time_zone": "Unknown time zone."},
        ) from exc


def local_to_utc(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """Local wall-clock `minute` after midnight of `day` (1440 = next midnight) → UTC."""
    wall = datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=minute)
    # Adding to an aware datetime is wall-clock arithmetic; rebuild so zoneinfo picks the offset.
    local = datetime(wall.year, wall.month, wall.day, wall.hour, wall.minute, tzinfo=tz, fold=0)
    return local.astimezone(UTC)


def to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz)


def minute_of(local: datetime, day: date) -> int:
    """Wall-clock minutes of `local` after the midnight starting `day` (may pass 1440)."""
    return (local.date() - day).days * 1440 + local.hour * 60 + local.minute


def day_bounds_utc(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of the local day's start and the next day's start."""
    return local_to_utc(day, 0, tz), local_to_utc(day + timedelta(days=1), 0, tz)


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()
