"""Trying quarantined pulled versions again (after every pull, and when a person asks)."""

from __future__ import annotations

import json

from sqlalchemy import select

from clinic_app.storage.database import Database
from clinic_app.sync import quarantine
from clinic_app.sync.apply import Applier
from clinic_app.sync.errors import MappingError
from clinic_app.sync.fhir_values import parse_instant, version_rank
from clinic_app.sync.mappings.registry import MappingRegistry
from clinic_app.sync.model_releases import is_model_release
from clinic_app.sync.pulled_item import RELEASE_TYPE, PulledItem
from clinic_app.sync.tables import SyncQuarantineRow

MAX_RETRIES_PER_RUN = 200


def item_of(registry: MappingRegistry, row: SyncQuarantineRow) -> PulledItem:
    resource = json.loads(row.resource_json) if row.resource_json else None
    item = PulledItem(
        seq=0,
        resource_type=row.resource_type,
        resource_id=row.entity_id,
        version_id=row.server_version or "0",
        version_rank=version_rank(row.server_version or "0"),
        last_updated=parse_instant(row.server_time) if row.server_time else row.created_at,
        deleted=resource is None,
        resource=resource,
    )
    if resource is None:
        item.mapping = registry.for_table(row.entity_type)
        return item
    if row.resource_type == RELEASE_TYPE or is_model_release(resource):
        item.release = True
        return item
    try:
        item.mapping = registry.for_resource(resource)
        item.values = item.mapping.from_resource(resource)
    except MappingError as exc:
        item.problem = str(exc)
    return item


def retry_pulls(
    db: Database,
    registry: MappingRegistry,
    applier: Applier,
    server_url: str,
    ids: list[str] | None,
) -> tuple[int, int]:
    """Returns (released, still held)."""
    with db.unit_of_work(write=False) as uow:
        query = select(SyncQuarantineRow).where(
            SyncQuarantineRow.server_url == server_url,
            SyncQuarantineRow.direction == quarantine.PULL,
            SyncQuarantineRow.status == quarantine.HELD,
        )
        if ids is not None:
            query = query.where(SyncQuarantineRow.id.in_(ids))
        rows = list(
            uow.session.scalars(
                query.order_by(SyncQuarantineRow.created_at).limit(MAX_RETRIES_PER_RUN)
            )
        )
        items = [(row.entity_id, item_of(registry, row)) for row in rows]
    released = held = 0
    for entity_id, item in items:
        outcome = applier.apply_items([item])
        if outcome.quarantined:
            held += 1
            continue
        with db.unit_of_work() as uow:
            quarantine.release(uow.session, server_url, entity_id, quarantine.PULL)
            uow.commit()
        released += 1
    return released, held
