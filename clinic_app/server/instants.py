"""FHIR `instant` values <-> integer microseconds since the epoch (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clinic_app.server.outcome import bad_request

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def format_instant(us: int) -> str:
    moment = _EPOCH + timedelta(microseconds=us)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def http_date(us: int) -> str:
    return (_EPOCH + timedelta(microseconds=us)).strftime("%a, %d %b %Y %H:%M:%S GMT")


def parse_instant(text: str, parameter: str) -> int:
    """An instant with a time zone (`2026-01-02T03:04:05.678Z`), or a date (midnight UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "+"))
    except ValueError:
        raise bad_request(
            f"{parameter} must be a FHIR instant, e.g. 2026-01-02T03:04:05Z"
        ) from None
    if "T" in text and moment.tzinfo is None:
        raise bad_request(f"{parameter} must carry a time zone (Z or +hh:mm)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
