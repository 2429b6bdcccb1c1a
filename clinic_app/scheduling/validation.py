"""Checks on what people type into scheduling forms and commands: dates, ranges, text, links."""

from __future__ import annotations

import re
from datetime import date, time
from urllib.parse import urlsplit

from clinic_app.errors import ValidationError

MAX_RANGE_DAYS = 366  # slot generation, leave, the earliest-slot search window
MAX_NOTE = 500
MAX_REASON = 200
MAX_LINK = 500
MAX_SPECIALISATION = 100
MAX_ROOM = 50
MIN_CONSULTATION = 5
MAX_CONSULTATION = 480
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def parse_date(value: str | date, field: str = "date") -> date:
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(
            f"{field.replace('_', ' ').capitalize()} must be a date written YYYY-MM-DD "
            f"(got {text[:20]!r}).",
            {field: "YYYY-MM-DD"},
        ) from exc


def parse_time(value: str | time, field: str = "time") -> time:
    if isinstance(value, time):
        return value
    text = (value or "").strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValidationError(
            f"{field.replace('_', ' ').capitalize()} must be a time written HH:MM "
            f"(got {text[:20]!r}).",
            {field: "HH:MM"},
        )
    return time(int(match.group(1)), int(match.group(2)))


def check_range(start: date, end: date, *, limit: int = MAX_RANGE_DAYS) -> None:
    if end < start:
        raise ValidationError(
            "The end date is before the start date.", {"date_to": "Must not be before the start."}
        )
    if (end - start).days + 1 > limit:
        raise ValidationError(
            f"The date range is too long: at most {limit} days at a time.",
            {"date_to": f"At most {limit} days."},
        )


def clean_text(value: str | None, field: str, limit: int, *, required: bool = False) -> str | None:
    """One or more lines of free text: trimmed, bounded, no control characters but newlines."""
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationError(
                f"{field.replace('_', ' ').capitalize()} is required.", {field: "Required."}
            )
        return None
    if len(text) > limit:
        raise ValidationError(
            f"{field.replace('_', ' ').capitalize()} is too long (at most {limit} characters).",
            {field: f"At most {limit} characters."},
        )
    if any((ord(ch) < 32 and ch not in "\n\t") or ord(ch) == 127 for ch in text):
        raise ValidationError(
            f"{field.replace('_', ' ').capitalize()} must not contain control characters.",
            {field: "No control characters."},
        )
    return text


def clean_meeting_link(value: str | None) -> str:
    """A telehealth link: an absolute https URL to a named host, no credentials, no spaces."""
    text = (value or "").strip()
    bad = ValidationError(
        "A telehealth appointment needs a meeting link: a full https:// address.",
        {"meeting_link": "https://… address."},
    )
    if not text or len(text) > MAX_LINK or any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise bad
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        _ = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        raise bad from exc
    if parts.scheme != "https" or parts.username or parts.password or not _HOST.match(host):
        raise bad
    return text
