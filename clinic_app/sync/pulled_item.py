"""One staged server version, decoded: which table it belongs to and what it says."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.sync.errors import MappingError
from clinic_app.sync.fhir_values import parse_instant
from clinic_app.sync.mappings.base import TableMapping, Values
from clinic_app.sync.mappings.registry import MappingRegistry
from clinic_app.sync.model_releases import is_model_release

RELEASE_TYPE = "CodeSystem"


@dataclass
class PulledItem:
    seq: int
    resource_type: str
    resource_id: str
    version_id: str
    version_rank: int
    last_updated: datetime
    deleted: bool
    resource: dict[str, Any] | None
    mapping: TableMapping | None = None
    values: Values | None = None
    problem: str | None = None
    release: bool = False  # a code set or model pack release, not a synced row
    # Filled while deciding: the local row, if any.
    local: Values | None = field(default=None, repr=False)


def decode(session: Session, registry: MappingRegistry, rows: Sequence[Any]) -> list[PulledItem]:
    """`rows`: `sync_inbox` rows (ORM or Core) in the order to apply them."""
    items: list[PulledItem] = []
    deletions: dict[str, list[PulledItem]] = {}
    for row in rows:
        item = PulledItem(
            seq=row.seq,
            resource_type=row.resource_type,
            resource_id=row.resource_id,
            version_id=row.version_id,
            version_rank=row.version_rank,
            last_updated=parse_instant(row.last_updated),
            deleted=row.deleted,
            resource=None,
        )
        items.append(item)
        if row.deleted or row.body is None:
            item.deleted = True
            deletions.setdefault(row.resource_type, []).append(item)
            continue
        try:
            resource = json.loads(row.body)
            item.resource = resource
            if row.resource_type == RELEASE_TYPE or is_model_release(resource):
                item.release = True
                continue
            item.mapping = registry.for_resource(resource)
            item.values = item.mapping.from_resource(resource)
        except MappingError as exc:
            item.problem = str(exc)
        except ValueError:
            item.problem = "The staged resource is not valid JSON."
    for resource_type, pending in deletions.items():
        _place_deletions(session, registry, resource_type, pending)
    return items


def _place_deletions(
    session: Session, registry: MappingRegistry, resource_type: str, items: list[PulledItem]
) -> None:
    """A deletion has no body to say which table it is for: look the id up locally."""
    wanted = {item.resource_id for item in items}
    for mapping in registry.for_type(resource_type):
        table = mapping.table
        found = set(session.scalars(select(table.c.id).where(table.c.id.in_(wanted))))
        for item in items:
            if item.resource_id in found and item.mapping is None:
                item.mapping = mapping
