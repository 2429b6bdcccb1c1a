"""What a mapping is: one synced table ↔ one FHIR R4 resource type (or two, by a column).

A mapping turns a row's values (a plain dict of column → value, read with Core) into a FHIR
resource, and a resource back into the values of its `fields`. `fields` are the columns that
travel; `derived` fills the columns computed locally from them (search folds and the like).
The engine never looks inside a resource: everything resource-specific is here.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Table
from sqlalchemy.orm import Session

from clinic_app.security.permissions import Action
from clinic_app.storage.base import SyncedRow
from clinic_app.sync.content_stores import ContentStore
from clinic_app.sync.errors import MappingError
from clinic_app.sync.fhir_values import (
    IndexedResource,
    instant,
    is_fhir_id,
    parse_instant,
    table_of,
    table_tag,
)

Values = dict[str, Any]


class TableMapping:
    """Subclasses set the class attributes and implement `body` and `values`."""

    row_class: ClassVar[type[SyncedRow]]
    resource_types: ClassVar[tuple[str, ...]]
    fields: ClassVar[tuple[str, ...]]
    # The action a person needs to be told about, and to resolve, a conflict on this table.
    audience: ClassVar[Action]
    # Notes, annotations, records: written once, so two sides can't both change them.
    append_only: ClassVar[bool] = False
    # Fields changed on different sides merge without asking (demographics).
    auto_merge: ClassVar[bool] = False
    # Rows that must reach the server before this one: (table, column naming this row). A
    # signed visit's vitals and codes go in the same bundle, ahead of it, so that a pulling
    # workstation never holds a signed visit whose children are still to come (the records
    # triggers would refuse them).
    children: ClassVar[tuple[tuple[str, str], ...]] = ()
    # The resource types that mean this table when a resource carries no table tag.
    defaults: ClassVar[tuple[str, ...]] = ()
    # Rows with file content: it goes up as `Binary/<id>` before the row's resource, and comes
    # down into this store after the row arrives (see `clinic_app.sync.binaries`).
    content: ClassVar[ContentStore | None] = None
    # Rows whose parent's resource summarises them (an AI result's status is its latest
    # review): (parent table, column naming the parent). When one of these rows reaches the
    # server or arrives from it, the parent is queued to be sent again.
    summarised_in: ClassVar[tuple[str, str] | None] = None
    # Ids made from the content (slots), so two workstations may create the same record: a
    # first push says "create only" (`ifNoneMatch: *`), never overwriting the other's.
    content_ids: ClassVar[bool] = False

    @property
    def table(self) -> Table:
        return self.row_class.__table__  # type: ignore[return-value]

    @property
    def entity_type(self) -> str:
        return str(self.row_class.__tablename__)

    def resource_type(self, values: Mapping[str, Any]) -> str:
        return self.resource_types[0]

    def to_resource(self, values: Mapping[str, Any]) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "resourceType": self.resource_type(values),
            "id": values["id"],
            "meta": table_tag(self.entity_type),
        }
        resource.update(self.body(values))
        return resource

    def from_resource(self, resource: Mapping[str, Any]) -> Values:
        if resource.get("resourceType") not in self.resource_types:
            raise MappingError(f"A {resource.get('resourceType')!s:.40} is not a {self.label}.")
        if not is_fhir_id(resource.get("id")):
            raise MappingError(f"The {self.label} has no valid id.")
        values = self.values(IndexedResource(resource))
        missing = [name for name in self.fields if name not in values]
        if missing:
            raise MappingError(f"The {self.label} lacks: {', '.join(missing)}.")
        return {name: values[name] for name in self.fields}

    def claims(self, resource: Mapping[str, Any]) -> bool:
        tag = table_of(dict(resource))
        if tag is not None:
            return tag == self.entity_type
        return resource.get("resourceType") in self.defaults

    def enrich(self, session: Session, rows: list[Values]) -> None:
        """Adds to rows about to be pushed what their resources show but they don't hold
        (keys starting with `_`, never written back): e.g. a series' patient."""

    def differs(self, sent: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
        """Whether the server's resource, equal in every field, still lacks something the
        sent one shows (a summary kept from other rows): then it is sent again."""
        return False

    def yields_to_server(self, local: Mapping[str, Any]) -> bool:
        """A local row never sent that the server's version of the same id simply replaces
        (a slot generated here and there from the same rules, still open)."""
        return False

    def derived(self, values: Mapping[str, Any]) -> Values:
        """Local columns computed from the fields (a pulled row needs them too)."""
        return {}

    def is_final(self, values: Mapping[str, Any]) -> bool:
        """Content that can't change here any more (signed, append-only): a conflict on it
        can only be resolved by keeping it (the other version stays in the conflict)."""
        return self.append_only

    def patient_id(self, values: Mapping[str, Any]) -> str | None:
        found = values.get("patient_id")
        return found if isinstance(found, str) else None

    @property
    def label(self) -> str:
        return self.entity_type.replace("_", " ")

    # --- implemented per table ---------------------------------------------------------

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def values(self, resource: Mapping[str, Any]) -> Values:
        raise NotImplementedError


# --- reading typed values out of resources, with errors that say what was wrong ------------


def text_or_none(value: object, what: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MappingError(f"The {what} must be text.")
    if len(value) > limit:
        raise MappingError(f"The {what} is longer than {limit} characters.")
    return value


def required_text(value: object, what: str, limit: int) -> str:
    text = text_or_none(value, what, limit)
    if text is None:
        raise MappingError(f"The {what} is missing.")
    return text


def int_or_none(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MappingError(f"The {what} must be a number.")
    if isinstance(value, float):
        if not value.is_integer():
            raise MappingError(f"The {what} must be a whole number.")
        value = int(value)
    if abs(value) > 2**53:
        raise MappingError(f"The {what} is out of range.")
    return value


def float_or_none(value: object, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MappingError(f"The {what} must be a number.")
    return float(value)


def bool_value(value: object, what: str, default: bool = False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise MappingError(f"The {what} must be true or false.")
    return value


def instant_or_none(value: object, what: str) -> datetime | None:
    return None if value is None else parse_instant(value, what)


def instant_text(value: datetime | None) -> str | None:
    return None if value is None else instant(value)


def text_content(values: str) -> dict[str, Any]:
    """Clinical text as a DocumentReference content attachment (UTF-8, base64)."""
    data = base64.b64encode(values.encode("utf-8")).decode("ascii")
    return {"attachment": {"contentType": "text/plain; charset=utf-8", "data": data}}


def read_text_content(resource: Mapping[str, Any], what: str, limit: int) -> str:
    content = resource.get("content")
    if not isinstance(content, list) or not content or not isinstance(content[0], dict):
        raise MappingError(f"The {what} has no content.")
    attachment = content[0].get("attachment")
    data = attachment.get("data") if isinstance(attachment, dict) else None
    if not isinstance(data, str) or len(data) > limit * 2:
        raise MappingError(f"The {what} has no inline text.")
    try:
        return base64.b64decode(data, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise MappingError(f"The {what}'s text is not valid base64 UTF-8.") from exc


# --- column values ↔ JSON (conflict snapshots keep both sides as JSON) ---------------------


def to_json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _column_kind(table: Table, name: str) -> type | None:
    column_type = table.c[name].type
    concrete = getattr(column_type, "impl_instance", column_type)  # TypeDecorator → its impl
    for kind in (DateTime, Date, Boolean, Integer, Float):
        if isinstance(concrete, kind):
            return kind
    return None


def from_json_value(table: Table, name: str, value: Any) -> Any:
    if value is None:
        return None
    kind = _column_kind(table, name)
    if kind is DateTime:
        return parse_instant(value, name)
    if kind is Date:
        return date.fromisoformat(value)
    if kind is Boolean:
        return bool(value)
    if kind is Integer:
        return int(value)
    if kind is Float:
        return float(value)
    return value
