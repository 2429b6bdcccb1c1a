"""Editing a held record before it is tried again.

A record the server refused is edited field by field here (or through its feature's own form,
which releases it by itself); the edited values are checked by the same mapping the push uses.
A pulled version that could not be applied may be replaced by a corrected resource.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from clinic_app.errors import ValidationError
from clinic_app.storage.outbox import OutboxOperation
from clinic_app.storage.types import utcnow
from clinic_app.sync.mappings.base import TableMapping, from_json_value
from clinic_app.sync.mappings.registry import MappingRegistry
from clinic_app.sync.rows import add_outbox_entry, load_rows, write_content
from clinic_app.sync.tables import SyncQuarantineRow


def edit_pushed(
    session: Session, mapping: TableMapping, entity_id: str, fields: Mapping[str, Any]
) -> None:
    unknown = sorted(set(fields) - set(mapping.fields))
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(unknown)}.")
    row = load_rows(session, mapping, [entity_id]).get(entity_id)
    if row is None:
        raise ValidationError("The record is no longer on this workstation.")
    try:
        edited = dict(row)
        edited.update(
            {name: from_json_value(mapping.table, name, value) for name, value in fields.items()}
        )
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"A value has the wrong form: {exc}") from exc
    # Round trip through FHIR: the server gets exactly what the mapping checks here.
    checked = mapping.from_resource(mapping.to_resource(edited))
    write_content(
        session,
        mapping,
        entity_id,
        checked,
        version_id=row.get("version_id"),
        updated_at=utcnow(),
        deleted_at=row.get("deleted_at"),
    )
    add_outbox_entry(session, mapping, entity_id, OutboxOperation.UPDATE)


def replace_pulled(
    registry: MappingRegistry, row: SyncQuarantineRow, resource: dict[str, Any]
) -> None:
    if not isinstance(resource, dict):
        raise ValidationError("The corrected resource must be a JSON object.")
    mapping = registry.for_resource(resource)
    if resource.get("id") != row.entity_id:
        raise ValidationError("The corrected resource must keep its id.")
    mapping.from_resource(resource)
    row.resource_json = json.dumps(resource, separators=(",", ":"), ensure_ascii=False)
