"""How the records screens write times and sizes: local time, to the minute."""

from __future__ import annotations

from datetime import UTC, datetime


def local_time(moment: datetime | None) -> str:
    """ "2026-03-02 10:30" in the workstation's time zone ("" for None)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def local_date(moment: datetime | None) -> str:
    return local_time(moment)[:10]


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"
