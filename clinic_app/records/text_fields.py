"""Cleaning the free text of visits, records, addenda and annotations.

Errors name the field and say what to fix; they never repeat the text itself.
"""

from __future__ import annotations

import re

from clinic_app.errors import ValidationError

MAX_CLINICAL_TEXT = 20_000
MAX_TITLE = 200
MAX_FILENAME = 255

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_multiline(
    value: str | None,
    field: str,
    errors: dict[str, str],
    *,
    limit: int = MAX_CLINICAL_TEXT,
    required: bool = False,
) -> str | None:
    """Keeps line breaks and tabs; refuses other control characters; "" becomes None."""
    if value is None:
        if required:
            errors[field] = "Required."
        return None
    if not isinstance(value, str):
        errors[field] = "Must be text."
        return None
    if _CONTROL.search(value):
        errors[field] = "Must not contain control characters."
        return None
    cleaned = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not cleaned:
        if required:
            errors[field] = "Required."
        return None
    if len(cleaned) > limit:
        errors[field] = f"At most {limit} characters (this has {len(cleaned)})."
        return None
    return cleaned


def clean_line(
    value: str | None,
    field: str,
    errors: dict[str, str],
    *,
    limit: int = MAX_TITLE,
    required: bool = False,
) -> str | None:
    """One line: whitespace runs collapse; control characters and line breaks are refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[field] = "Required."
        return None
    if not isinstance(value, str):
        errors[field] = "Must be text."
        return None
    if _LINE_CONTROL.search(value):
        errors[field] = "Must not contain control characters or line breaks."
        return None
    cleaned = " ".join(value.split())
    if len(cleaned) > limit:
        errors[field] = f"At most {limit} characters."
        return None
    return cleaned


def raise_if_errors(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(f"Please correct: {', '.join(sorted(errors))}.", errors)


def require_text(value: str | None, field: str, *, limit: int = MAX_CLINICAL_TEXT) -> str:
    errors: dict[str, str] = {}
    cleaned = clean_multiline(value, field, errors, limit=limit, required=True)
    raise_if_errors(errors)
    assert cleaned is not None
    return cleaned


def clean_id(value: str | None, field: str) -> str:
    """Ids are UUID strings; anything else is reported as not found by the caller's lookup."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"Please correct: {field}.", {field: "Required."})
    return value.strip()[:36]
