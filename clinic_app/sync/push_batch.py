"""Choosing what the next push bundle holds: outbox entries in order, one entry per record
(its current state), skipping records held back by an open conflict or a quarantine, and
rows whose file content (attachments, images) is not on the server yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from clinic_app.storage.outbox import OutboxRow
from clinic_app.sync import binaries
from clinic_app.sync.errors import MappingError
from clinic_app.sync.fhir_values import weak_etag
from clinic_app.sync.mappings.base import TableMapping, Values
from clinic_app.sync.mappings.registry import LOCAL_ONLY, MappingRegistry
from clinic_app.sync.rows import chunks, load_rows
from clinic_app.sync.tables import SyncConflictRow, SyncQuarantineRow

_OUTBOX = cast(Table, OutboxRow.__table__)
# Held back: an open conflict (not a possible duplicate), or a push quarantine that no newer
# local change has released.
_WINDOW = text(
    "SELECT o.seq, o.entity_type, o.entity_id FROM outbox o "
    "WHERE o.seq > :after "
    "AND NOT EXISTS (SELECT 1 FROM sync_conflicts c WHERE c.entity_id = o.entity_id "
    "  AND c.status = 'open' AND c.kind != 'duplicate_patient') "
    "AND NOT EXISTS (SELECT 1 FROM sync_quarantine q WHERE q.entity_id = o.entity_id "
    "  AND q.status = 'held' AND q.direction = 'push' AND q.server_url = :server "
    "  AND q.outbox_seq >= (SELECT max(seq) FROM outbox m WHERE m.entity_id = o.entity_id)) "
    "ORDER BY o.seq LIMIT :limit"
)


@dataclass
class PushItem:
    mapping: TableMapping
    entity_id: str
    max_seq: int
    row: Values
    resource_type: str
    deleted: bool
    resource: dict[str, Any] | None
    rebased: bool = False  # sent again once on the server's version (see Pusher)

    def entry(self) -> dict[str, Any]:
        request: dict[str, Any] = {
            "method": "DELETE" if self.deleted else "PUT",
            "url": f"{self.resource_type}/{self.entity_id}",
        }
        known = self.row.get("version_id")
        if known:
            request["ifMatch"] = weak_etag(str(known))
        elif self.mapping.content_ids and not self.deleted:
            request["ifNoneMatch"] = "*"
        entry: dict[str, Any] = {"fullUrl": f"{self.resource_type}/{self.entity_id}"}
        if self.resource is not None:
            entry["resource"] = self.resource
        entry["request"] = request
        return entry


@dataclass
class Skipped:
    entity_type: str
    entity_id: str
    max_seq: int
    reason: str


@dataclass
class PushBatch:
    items: list[PushItem] = field(default_factory=list)
    local_only: list[Skipped] = field(default_factory=list)
    unmappable: list[tuple[Skipped, str]] = field(default_factory=list)
    uploads: list[tuple[str, str, int]] = field(default_factory=list)  # id, sha256, size
    scanned_to: int | None = None


def collect(
    session: Session, registry: MappingRegistry, server_url: str, after: int, limit: int
) -> PushBatch:
    batch = PushBatch()
    window = session.execute(_WINDOW, {"after": after, "limit": limit, "server": server_url})
    order: dict[tuple[str, str], tuple[int, int]] = {}
    for seq, entity_type, entity_id in window:
        order.setdefault((entity_type, entity_id), (seq, 1))
        batch.scanned_to = seq
    if not order:
        return batch
    _pull_in_children(session, registry, server_url, order)
    newest = _newest_seqs(session, [entity_id for _, entity_id in order])
    by_table: dict[str, list[str]] = {}
    for entity_type, entity_id in order:
        by_table.setdefault(entity_type, []).append(entity_id)
    rows: dict[tuple[str, str], Values] = {}
    for entity_type, ids in by_table.items():
        mapping = registry.for_table(entity_type)
        if mapping is None:
            reason = LOCAL_ONLY.get(entity_type, "this workstation has no mapping for it")
            batch.local_only.extend(Skipped(entity_type, i, newest[i], reason) for i in ids)
            continue
        loaded = load_rows(session, mapping, ids)
        mapping.enrich(session, [row for row in loaded.values() if row["deleted_at"] is None])
        for entity_id, row in loaded.items():
            rows[(entity_type, entity_id)] = row
    ready: set[str] = set()
    for entity_type, ids in by_table.items():
        mapping = registry.for_table(entity_type)
        if mapping is not None and mapping.content is not None:
            ready |= _ready_content(session, server_url, entity_type, ids, rows, batch)
    for (entity_type, entity_id), _key in sorted(order.items(), key=lambda kv: kv[1]):
        mapping = registry.for_table(entity_type)
        if mapping is None:
            continue
        found = rows.get((entity_type, entity_id))
        if found is None:
            batch.local_only.append(
                Skipped(entity_type, entity_id, newest[entity_id], "the record is gone")
            )
            continue
        waiting = mapping.content is not None and entity_id not in ready
        if waiting and found["deleted_at"] is None:
            continue
        _add(batch, mapping, entity_id, newest[entity_id], found)
    return batch


def _pull_in_children(
    session: Session,
    registry: MappingRegistry,
    server_url: str,
    order: dict[tuple[str, str], tuple[int, int]],
) -> None:
    """Pending children of the parents in the window join it, just ahead of their parent."""
    parents: dict[str, list[str]] = {}
    for entity_type, entity_id in order:
        parents.setdefault(entity_type, []).append(entity_id)
    for parent_table, ids in parents.items():
        mapping = registry.for_table(parent_table)
        if mapping is None or not mapping.children:
            continue
        for child_table, column in mapping.children:
            child = registry.for_table(child_table)
            if child is None:
                continue
            table = child.table
            for part in chunks(ids):
                rows = session.execute(
                    select(table.c.id, table.c[column])
                    .join(_OUTBOX, _OUTBOX.c.entity_id == table.c.id)
                    .where(_OUTBOX.c.entity_type == child_table, table.c[column].in_(part))
                    .where(~_held(table.c.id, server_url))
                    .distinct()
                )
                for child_id, parent_id in rows:
                    parent_key = order[(parent_table, parent_id)]
                    order[(child_table, child_id)] = (parent_key[0], 0)


def _held(entity_id: Any, server_url: str) -> Any:
    conflict = (
        select(SyncConflictRow.id)
        .where(
            SyncConflictRow.entity_id == entity_id,
            SyncConflictRow.status == "open",
            SyncConflictRow.kind != "duplicate_patient",
        )
        .exists()
    )
    held = (
        select(SyncQuarantineRow.id)
        .where(
            SyncQuarantineRow.entity_id == entity_id,
            SyncQuarantineRow.status == "held",
            SyncQuarantineRow.direction == "push",
            SyncQuarantineRow.server_url == server_url,
        )
        .exists()
    )
    return conflict | held


def _add(
    batch: PushBatch, mapping: TableMapping, entity_id: str, max_seq: int, row: Values
) -> None:
    deleted = row["deleted_at"] is not None
    try:
        resource = None if deleted else mapping.to_resource(row)
        resource_type = mapping.resource_type(row)
    except (MappingError, KeyError, TypeError, ValueError, AttributeError) as exc:
        skipped = Skipped(mapping.entity_type, entity_id, max_seq, "")
        batch.unmappable.append((skipped, f"The record can't be expressed in FHIR: {exc}"))
        return
    batch.items.append(PushItem(mapping, entity_id, max_seq, row, resource_type, deleted, resource))


def _newest_seqs(session: Session, ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in chunks(list(dict.fromkeys(ids))):
        rows = session.execute(
            select(_OUTBOX.c.entity_id, func.max(_OUTBOX.c.seq))
            .where(_OUTBOX.c.entity_id.in_(part))
            .group_by(_OUTBOX.c.entity_id)
        )
        found.update({entity_id: int(seq) for entity_id, seq in rows})
    return found


def _ready_content(
    session: Session,
    server_url: str,
    entity_type: str,
    ids: list[str],
    rows: dict[tuple[str, str], Values],
    batch: PushBatch,
) -> set[str]:
    if not ids:
        return set()
    ready = binaries.uploaded(session, server_url, ids)
    for entity_id in ids:
        row = rows.get((entity_type, entity_id))
        if row is not None and entity_id not in ready:
            batch.uploads.append((entity_id, row["sha256"], int(row["size_bytes"])))
    return ready
