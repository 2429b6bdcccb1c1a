"""Removing names and identifiers from text before it leaves the workstation.

Used only for the optional online analysis. It removes the patient's own names (when known),
e-mail addresses, phone-like numbers, dates and long digit runs (record numbers, national
ids). It can't promise to find every name a clinician might type about a third person, which
is one reason the online analysis is off by default and labelled as decision support.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REMOVED = "[removed]"
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_DATE = re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d ()./-]{6,}\d(?!\w)")
_LONG_DIGITS = re.compile(r"\b[A-Za-z]{0,3}\d{5,}[A-Za-z]{0,3}\b")


def redact(text: str, names: Iterable[str] = ()) -> str:
    result = _EMAIL.sub(REMOVED, text)
    result = _DATE.sub(REMOVED, result)
    result = _PHONE.sub(REMOVED, result)
    result = _LONG_DIGITS.sub(REMOVED, result)
    for name in sorted({n for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        for part in name.split():
            if len(part) >= 2:
                result = re.sub(rf"(?i)\b{re.escape(part)}\b", REMOVED, result)
    return result
