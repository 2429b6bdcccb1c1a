"""What a person may correct in a held record, and turning what they typed back into values.

- A record the server refused (push) is edited field by field: its fields are read from the
  resource that was sent, by the same mapping the push used; ids that tie it to other records
  are shown but not editable. Only the fields that changed go to `retry_quarantined(fields=…)`.
- A version pulled from the server that can't be stored here (pull) is corrected as the
  resource itself (JSON), keeping its type and id: no mapping can read it, which is why it
  is held.

No Qt here: the editor widget shows these values and hands the typed text back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from clinic_app.errors import ValidationError
from clinic_app.sync.errors import MappingError
from clinic_app.sync.mappings.base import to_json_value
from clinic_app.sync.mappings.registry import MappingRegistry, default_registry
from clinic_app.sync.models import QuarantinedItem

MAX_FIELD_TEXT = 20_000
MAX_RESOURCE_TEXT = 1_000_000
_READ_ONLY = ("sha256", "size_bytes", "type_mismatch", "content_type")
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0", "")


@cache
def _registry() -> MappingRegistry:
    return default_registry()


@dataclass(frozen=True)
class HeldField:
    name: str
    value: Any  # as JSON: text, number, true/false or None
    editable: bool

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()

    @property
    def text(self) -> str:
        return value_text(self.value)


def value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def held_fields(item: QuarantinedItem) -> list[HeldField] | None:
    """The fields of a record the server refused; None when there is nothing to edit here
    (a pulled version, a file's content, a record whose table no longer syncs)."""
    if item.direction != "push" or item.resource is None:
        return None
    mapping = _registry().for_table(item.entity_type)
    if mapping is None:
        return None
    try:
        values = mapping.from_resource(item.resource)
    except MappingError:
        return None
    if mapping.append_only:
        return None  # written once: the records feature refuses any edit
    return [
        HeldField(
            name,
            to_json_value(values.get(name)),
            editable=not (name.endswith("_id") or name in _READ_ONLY),
        )
        for name in mapping.fields
    ]


def changed_values(fields: list[HeldField], texts: dict[str, str]) -> dict[str, Any]:
    """The edited fields as JSON values (unchanged ones left out). Raises ValidationError
    with a message per field when a value has the wrong form."""
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    for held in fields:
        if not held.editable or held.name not in texts:
            continue
        text = texts[held.name]
        if text == held.text:
            continue
        if len(text) > MAX_FIELD_TEXT:
            errors[held.name] = f"At most {MAX_FIELD_TEXT:,} characters."
            continue
        try:
            changes[held.name] = _parse(held.value, text)
        except ValueError as exc:
            errors[held.name] = str(exc)
    if errors:
        raise ValidationError("Some values have the wrong form.", errors)
    return changes


def _parse(original: Any, text: str) -> Any:
    stripped = text.strip()
    if isinstance(original, bool):
        lowered = stripped.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError("Type true or false.")
    if isinstance(original, int):
        if not stripped:
            return None
        try:
            return int(stripped)
        except ValueError:
            raise ValueError("Type a whole number.") from None
    if isinstance(original, float):
        if not stripped:
            return None
        try:
            return float(stripped)
        except ValueError:
            raise ValueError("Type a number, e.g. 37.5") from None
    return text if stripped else None


def resource_text(item: QuarantinedItem) -> str:
    if item.resource is None:
        return ""
    return json.dumps(item.resource, indent=2, ensure_ascii=False)


def corrected_resource(item: QuarantinedItem, text: str) -> dict[str, Any] | None:
    """The corrected version of a held pulled resource (None: unchanged). Raises
    ValidationError when it is not a JSON object of the same type and id."""
    if len(text) > MAX_RESOURCE_TEXT:
        raise ValidationError("The corrected resource is too large (at most 1 MB of text).")
    try:
        resource = json.loads(text)
    except (ValueError, RecursionError) as exc:
        reason = str(exc).split(":")[0] if isinstance(exc, ValueError) else "nested too deeply"
        raise ValidationError(f"This is not valid JSON ({reason}).") from None
    if not isinstance(resource, dict):
        raise ValidationError("The corrected resource must be a JSON object { … }.")
    if resource == item.resource:
        return None
    if item.resource is not None and resource.get("resourceType") != item.resource.get(
        "resourceType"
    ):
        raise ValidationError("The corrected resource must keep its resourceType.")
    if resource.get("id") != item.entity_id:
        raise ValidationError("The corrected resource must keep its id.")
    return resource
