"""Local rows as the engine sees them: plain dicts read and written with Core statements.

Writing through Core (not ORM objects) keeps a pull of 100,000 rows fast and lets the engine
stamp `version_id` without touching `version`, the local optimistic lock: a person editing a
record while its push completes doesn't get a false "changed by someone else". Writes that
apply server content do bump `version`, so an editor holding the old one is told to reload.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from clinic_app.storage.base import Base
from clinic_app.storage.outbox import OutboxOperation, OutboxRow
from clinic_app.storage.types import utcnow
from clinic_app.sync.mappings.base import TableMapping, Values

_IN_CHUNK = 500
_OUTBOX = cast(Table, OutboxRow.__table__)


def chunks(items: list[str], size: int = _IN_CHUNK) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_rows(session: Session, mapping: TableMapping, ids: Iterable[str]) -> dict[str, Values]:
    table = mapping.table
    found: dict[str, Values] = {}
    for part in chunks(list(dict.fromkeys(ids))):
        for row in session.execute(select(table).where(table.c.id.in_(part))).mappings():
            found[row["id"]] = dict(row)
    return found


def pending_entities(session: Session, entity_type: str, ids: Iterable[str]) -> dict[str, int]:
    """Entity id → highest outbox seq, for those with changes not yet on the server."""
    found: dict[str, int] = {}
    for part in chunks(list(dict.fromkeys(ids))):
        rows = session.execute(
            select(_OUTBOX.c.entity_id, func.max(_OUTBOX.c.seq))
            .where(_OUTBOX.c.entity_type == entity_type, _OUTBOX.c.entity_id.in_(part))
            .group_by(_OUTBOX.c.entity_id)
        )
        found.update({entity_id: int(seq) for entity_id, seq in rows})
    return found


def _normal(value: Any) -> Any:
    return None if value == "" else value


def same_content(
    mapping: TableMapping, local: Mapping[str, Any], remote: Mapping[str, Any]
) -> bool:
    return all(_normal(local.get(name)) == _normal(remote.get(name)) for name in mapping.fields)


def changed_fields(
    mapping: TableMapping, before: Mapping[str, Any], after: Mapping[str, Any]
) -> set[str]:
    return {
        name for name in mapping.fields if _normal(before.get(name)) != _normal(after.get(name))
    }


def stamp_versions(
    session: Session, mapping: TableMapping, stamps: list[tuple[str, str | None]]
) -> None:
    """Records the server's version of rows just pushed (no content change, no version bump)."""
    table = mapping.table
    extra = {"confirmed": True} if "confirmed" in table.c else {}
    session.execute(
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values(version_id=bindparam("_version_id"), **extra),
        [{"_id": entity_id, "_version_id": version} for entity_id, version in stamps],
    )


def write_content(
    session: Session,
    mapping: TableMapping,
    entity_id: str,
    values: Mapping[str, Any],
    *,
    version_id: str | None,
    updated_at: datetime,
    deleted_at: datetime | None,
) -> None:
    """Replaces the synced fields (and what derives from them) and bumps the local version."""
    table = mapping.table
    columns = {name: values[name] for name in mapping.fields}
    columns.update(mapping.derived(values))
    session.execute(
        update(table)
        .where(table.c.id == entity_id)
        .values(
            **columns,
            version_id=version_id,
            updated_at=updated_at,
            deleted_at=deleted_at,
            version=table.c.version + 1,
        )
    )


def tombstone(
    session: Session,
    mapping: TableMapping,
    entity_id: str,
    version_id: str | None,
    deleted_at: datetime,
) -> None:
    table = mapping.table
    session.execute(
        update(table)
        .where(table.c.id == entity_id)
        .values(
            version_id=version_id,
            deleted_at=deleted_at,
            updated_at=deleted_at,
            version=table.c.version + 1,
        )
    )


def insert_rows(session: Session, mapping: TableMapping, rows: list[Values]) -> None:
    if rows:
        session.execute(insert(mapping.table), rows)


def new_row(
    mapping: TableMapping, entity_id: str, values: Mapping[str, Any], version_id: str, at: datetime
) -> Values:
    row = {name: values[name] for name in mapping.fields}
    row.update(mapping.derived(values))
    # A table whose order of events matters (reviews) carries `created_at` as a field.
    created = row.get("created_at") or utcnow()
    row.update(
        id=entity_id,
        version=1,
        version_id=version_id,
        created_at=created,
        updated_at=at,
        deleted_at=None,
    )
    return row


def add_outbox_entry(
    session: Session, mapping: TableMapping, entity_id: str, operation: OutboxOperation
) -> None:
    """An outbox entry for a change written with Core (the flush hook sees only ORM rows)."""
    table = mapping.table
    version = session.scalar(select(table.c.version).where(table.c.id == entity_id)) or 1
    session.execute(
        insert(_OUTBOX).values(
            entity_type=mapping.entity_type,
            entity_id=entity_id,
            operation=operation.value,
            entity_version=int(version),
            created_at=utcnow(),
        )
    )


def clear_outbox(session: Session, entity_type: str, entity_id: str, up_to_seq: int | None) -> None:
    statement = delete(_OUTBOX).where(
        _OUTBOX.c.entity_type == entity_type, _OUTBOX.c.entity_id == entity_id
    )
    if up_to_seq is not None:
        statement = statement.where(_OUTBOX.c.seq <= up_to_seq)
    session.execute(statement)


def resend_parents(session: Session, mapping: TableMapping, rows: list[Mapping[str, Any]]) -> None:
    """Queues the parents whose resources summarise these rows to be sent again (the
    reference server keeps an identical update as it is, so this costs a request, no version)."""
    if mapping.summarised_in is None:
        return
    parent_table, column = mapping.summarised_in
    table = Base.metadata.tables[parent_table]
    ids = sorted({str(row[column]) for row in rows if row.get(column)})
    for part in chunks(ids):
        found = session.execute(
            select(table.c.id, table.c.version).where(
                table.c.id.in_(part), table.c.deleted_at.is_(None)
            )
        ).all()
        if found:
            session.execute(
                insert(_OUTBOX),
                [
                    {
                        "entity_type": parent_table,
                        "entity_id": parent_id,
                        "operation": OutboxOperation.UPDATE.value,
                        "entity_version": int(version),
                        "created_at": utcnow(),
                    }
                    for parent_id, version in found
                ],
            )
