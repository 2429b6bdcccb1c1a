"""Small FHIR R4 value helpers: instants, ETags, references, extensions, our tag.

Everything the mappings write is standard FHIR R4; what has no standard element goes into an
extension under `EXTENSION_BASE`. Each resource carries a `meta.tag` naming the local table it
came from, so a resource type shared by several tables (DocumentReference) finds its way back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from clinic_app.sync.errors import MappingError

EXTENSION_BASE = "https://fhir.clinic-app.local/StructureDefinition/"
TABLE_TAG_SYSTEM = "https://fhir.clinic-app.local/CodeSystem/local-table"
USER_SYSTEM = "https://fhir.clinic-app.local/NamingSystem/user-id"
MRN_SYSTEM = "https://fhir.clinic-app.local/NamingSystem/mrn"
NATIONAL_ID_SYSTEM = "https://fhir.clinic-app.local/NamingSystem/national-id"

_ETAG = re.compile(r'^(?:W/)?"?([^"]+)"?$')
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def instant(value: datetime) -> str:
    """A FHIR instant in UTC with microseconds, so our own timestamps round-trip exactly."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_instant(text: object, what: str = "timestamp") -> datetime:
    if not isinstance(text, str) or "T" not in text:
        raise MappingError(f"The {what} is not a FHIR instant.")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MappingError(f"The {what} is not a FHIR instant.") from exc
    if parsed.tzinfo is None:
        raise MappingError(f"The {what} has no time zone.")
    return parsed.astimezone(UTC)


def sortable_instant(text: str) -> str:
    """A fixed-width UTC form for ordering staged versions by `meta.lastUpdated`."""
    return instant(parse_instant(text, "lastUpdated"))


def parse_date(text: object, what: str) -> date:
    if not isinstance(text, str):
        raise MappingError(f"The {what} is not a date.")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise MappingError(f"The {what} is not a full date (YYYY-MM-DD).") from exc


def etag_version(etag: str | None) -> str | None:
    """`W/"3"` → `3`."""
    if not etag:
        return None
    match = _ETAG.match(etag.strip())
    return match.group(1) if match else None


def weak_etag(version_id: str) -> str:
    return f'W/"{version_id}"'


def version_rank(version_id: str) -> int:
    """Numeric versions order numerically; anything else ranks 0 (then lastUpdated decides)."""
    return int(version_id) if version_id.isdigit() and len(version_id) < 18 else 0


def as_object(value: object) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (missing, null, a list, text)."""
    return value if isinstance(value, dict) else {}


def is_fhir_id(value: object) -> bool:
    return isinstance(value, str) and bool(_FHIR_ID.match(value))


def reference(resource_type: str, resource_id: str) -> dict[str, str]:
    return {"reference": f"{resource_type}/{resource_id}"}


def reference_id(value: object, resource_type: str, what: str) -> str:
    """`{"reference": "Patient/abc"}` (relative, or absolute ending in it) → `abc`."""
    if not isinstance(value, dict) or not isinstance(value.get("reference"), str):
        raise MappingError(f"The {what} reference is missing.")
    parts = value["reference"].rstrip("/").split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) < 2 or parts[-2] != resource_type or not is_fhir_id(parts[-1]):
        raise MappingError(f"The {what} must reference a {resource_type}.")
    return str(parts[-1])


def optional_reference_id(value: object, resource_type: str, what: str) -> str | None:
    return None if value is None else reference_id(value, resource_type, what)


def user_reference(user_id: str, resource_type: str = "Practitioner") -> dict[str, Any]:
    """Accounts are local to each workstation and not synced: a logical reference by id."""
    return {"type": resource_type, "identifier": {"system": USER_SYSTEM, "value": user_id}}


def user_id_of(value: object, what: str) -> str:
    if isinstance(value, dict):
        identifier = value.get("identifier")
        if isinstance(identifier, dict) and identifier.get("system") == USER_SYSTEM:
            found = identifier.get("value")
            if isinstance(found, str) and 0 < len(found) <= 36:
                return found
    raise MappingError(f"The {what} does not name a clinic user.")


def extension(name: str, value_type: str, value: Any) -> dict[str, Any]:
    return {"url": EXTENSION_BASE + name, value_type: value}


def extensions(items: list[tuple[str, str, Any]]) -> list[dict[str, Any]]:
    """Extensions for the values that are set (None is left out, as FHIR requires)."""
    return [extension(name, kind, value) for name, kind, value in items if value is not None]


class IndexedResource(dict[str, Any]):
    """A resource being read, with its extensions indexed by URL (a visit has a dozen: a
    linear scan per lookup showed up in the profile of a 100,000-resource pull)."""

    def __init__(self, resource: Mapping[str, Any]) -> None:
        super().__init__(resource)
        self.extensions: dict[str, dict[str, Any]] = {}
        found = self.get("extension")
        for item in found if isinstance(found, list) else ():
            if isinstance(item, dict) and isinstance(item.get("url"), str):
                self.extensions.setdefault(item["url"], item)


def extension_value(resource: Mapping[str, Any], name: str, value_type: str) -> Any:
    if isinstance(resource, IndexedResource):
        item = resource.extensions.get(EXTENSION_BASE + name)
        return item.get(value_type) if item is not None else None
    for item in resource.get("extension") or []:
        if isinstance(item, dict) and item.get("url") == EXTENSION_BASE + name:
            return item.get(value_type)
    return None


def table_tag(table: str) -> dict[str, Any]:
    return {"tag": [{"system": TABLE_TAG_SYSTEM, "code": table}]}


def table_of(resource: dict[str, Any]) -> str | None:
    meta = resource.get("meta")
    if not isinstance(meta, dict):
        return None
    for tag in meta.get("tag") or []:
        if isinstance(tag, dict) and tag.get("system") == TABLE_TAG_SYSTEM:
            code = tag.get("code")
            return code if isinstance(code, str) else None
    return None
