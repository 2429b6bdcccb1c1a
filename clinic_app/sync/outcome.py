"""The human-readable part of a FHIR OperationOutcome (or of a transaction-response entry)."""

from __future__ import annotations

from typing import Any

MAX_MESSAGE = 1000


def outcome_message(body: object) -> str | None:
    """`issue[].diagnostics` or `details.text`, joined; None when there is none."""
    if not isinstance(body, dict):
        return None
    if body.get("resourceType") == "Bundle":
        for entry in body.get("entry") or []:
            nested = _entry_outcome(entry)
            if nested:
                return nested
        return None
    if body.get("resourceType") != "OperationOutcome":
        return None
    texts: list[str] = []
    for issue in body.get("issue") or []:
        if not isinstance(issue, dict):
            continue
        text = issue.get("diagnostics")
        details = issue.get("details")
        if not isinstance(text, str) and isinstance(details, dict):
            text = details.get("text")
        if isinstance(text, str) and text.strip():
            where = issue.get("expression") or issue.get("location")
            if isinstance(where, list) and where and isinstance(where[0], str):
                text = f"{text.strip()} ({where[0]})"
            texts.append(" ".join(text.split()))
    joined = "; ".join(texts)
    return joined[:MAX_MESSAGE] if joined else None


def _entry_outcome(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return None
    response = entry.get("response")
    if isinstance(response, dict):
        return outcome_message(response.get("outcome"))
    return None
