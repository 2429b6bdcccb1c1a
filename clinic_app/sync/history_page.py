"""Reading a FHIR history Bundle page into staged versions, strictly.

A page that is not a history Bundle, or an entry without what a version needs (type, id,
versionId, lastUpdated), makes the whole page a `BadResponseError`: nothing from it is staged,
so nothing half-read is ever applied. Types this workstation does not keep are skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from clinic_app.sync.errors import BadResponseError, MappingError
from clinic_app.sync.fhir_values import (
    as_object,
    etag_version,
    is_fhir_id,
    sortable_instant,
    version_rank,
)


@dataclass(frozen=True)
class StagedVersion:
    resource_type: str
    resource_id: str
    version_id: str
    version_rank: int
    last_updated: str  # fixed-width UTC instant, sortable as text
    deleted: bool
    body: str | None


@dataclass(frozen=True)
class HistoryPage:
    versions: list[StagedVersion]
    next_link: str | None
    snapshot: str | None  # Bundle.meta.lastUpdated, as a sortable instant
    skipped: int


def parse_history_page(page: dict[str, Any], wanted_types: set[str]) -> HistoryPage:
    if page.get("resourceType") != "Bundle" or page.get("type") != "history":
        raise BadResponseError("The server's history answer was not a history Bundle.")
    entries = page.get("entry", [])
    links = page.get("link", [])
    if not isinstance(entries, list) or not isinstance(links, list):
        raise BadResponseError("The server's history Bundle has malformed entries or links.")
    next_link = None
    for link in links:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            if not isinstance(url, str) or not url:
                raise BadResponseError("The server's history Bundle has a malformed next link.")
            next_link = url
    snapshot = None
    meta = page.get("meta")
    if isinstance(meta, dict) and meta.get("lastUpdated") is not None:
        snapshot = _instant(meta.get("lastUpdated"), "Bundle.meta.lastUpdated")
    versions: list[StagedVersion] = []
    skipped = 0
    for index, entry in enumerate(entries):
        staged = _entry(index, entry, wanted_types)
        if staged is None:
            skipped += 1
        else:
            versions.append(staged)
    return HistoryPage(versions, next_link, snapshot, skipped)


def _instant(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise BadResponseError(f"The server's history has no valid {where}.")
    try:
        return sortable_instant(value)
    except MappingError as exc:
        raise BadResponseError(f"The server's history has an invalid {where}.") from exc


def _entry(index: int, entry: object, wanted_types: set[str]) -> StagedVersion | None:
    where = f"entry {index}"
    if not isinstance(entry, dict):
        raise BadResponseError(f"History {where} is not an object.")
    resource = entry.get("resource")
    request = as_object(entry.get("request"))
    response = as_object(entry.get("response"))
    if resource is None:
        return _deletion(where, entry, request, response, wanted_types)
    if not isinstance(resource, dict):
        raise BadResponseError(f"History {where} has a resource that is not an object.")
    resource_type = resource.get("resourceType")
    if not isinstance(resource_type, str):
        raise BadResponseError(f"History {where} has no resourceType.")
    if resource_type not in wanted_types:
        return None
    resource_id = resource.get("id")
    if not is_fhir_id(resource_id):
        raise BadResponseError(f"History {where} has no valid id.")
    meta = as_object(resource.get("meta"))
    version = meta.get("versionId") or etag_version(_text(response.get("etag")))
    if not isinstance(version, str) or not version:
        raise BadResponseError(f"History {where} has no versionId.")
    last_updated = _instant(
        meta.get("lastUpdated") or response.get("lastModified"), f"lastUpdated of {where}"
    )
    return StagedVersion(
        resource_type,
        str(resource_id),
        version,
        version_rank(version),
        last_updated,
        False,
        json.dumps(resource, separators=(",", ":"), ensure_ascii=False),
    )


def _deletion(
    where: str,
    entry: dict[str, Any],
    request: dict[str, Any],
    response: dict[str, Any],
    wanted_types: set[str],
) -> StagedVersion | None:
    method = str(request.get("method", "")).upper()
    status = str(response.get("status", ""))
    if method != "DELETE" and not status.startswith(("204", "410")):
        raise BadResponseError(f"History {where} has neither a resource nor a deletion.")
    url = request.get("url") or entry.get("fullUrl")
    if not isinstance(url, str):
        raise BadResponseError(f"History {where} names no deleted resource.")
    parts = url.split("?")[0].rstrip("/").split("/")
    history_version = None
    if "_history" in parts:
        at = parts.index("_history")
        history_version = parts[at + 1] if at + 1 < len(parts) else None
        parts = parts[:at]
    if len(parts) < 2 or not is_fhir_id(parts[-1]):
        raise BadResponseError(f"History {where} names no deleted resource.")
    resource_type, resource_id = parts[-2], parts[-1]
    if resource_type not in wanted_types:
        return None
    version = etag_version(_text(response.get("etag"))) or history_version
    if not version:
        raise BadResponseError(f"History {where} has no version for the deletion.")
    last_updated = _instant(response.get("lastModified"), f"lastModified of {where}")
    return StagedVersion(
        resource_type, resource_id, version, version_rank(version), last_updated, True, None
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
