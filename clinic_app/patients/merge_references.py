"""Every row that points at a patient, found through the schema rather than a list: a column
with a foreign key to `patients.id`, or a column named `patient_id` (most feature tables keep
the id without a declared key, so sync can write records in any order).

The metadata is read when a merge runs, not at import: this package sits below the features
that own those tables and can't import them; the application's composition root
(`clinic_app.schema`, imported by bootstrap) has registered all of them by then, and a table
added later is covered without a change here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Column, Table, func, select, update
from sqlalchemy.orm import Session

from clinic_app.storage.base import Base, SyncedRow

PATIENTS = "patients"


@dataclass(frozen=True)
class Reference:
    table: Table
    column: Column[str]
    # The mapped class when the table is a synced one: its rows change through the ORM, so the
    # outbox hook writes an entry for each (sync sends the re-pointed rows).
    synced_class: type[SyncedRow] | None

    @property
    def label(self) -> str:
        return f"{self.table.name}.{self.column.name}"


def patient_references() -> list[Reference]:
    mapped = {
        mapper.local_table: mapper.class_
        for mapper in Base.registry.mappers
        if isinstance(mapper.local_table, Table)
    }
    found: list[Reference] = []
    for table in Base.metadata.sorted_tables:
        if table.name == PATIENTS:
            continue
        for column in table.columns:
            to_patients = any(fk.column.table.name == PATIENTS for fk in column.foreign_keys)
            if to_patients or column.name == "patient_id":
                cls = mapped.get(table)
                synced = cls if isinstance(cls, type) and issubclass(cls, SyncedRow) else None
                found.append(Reference(table, column, synced))
    return found


def count_references(
    session: Session, patient_id: str, *, synced_only: bool = False
) -> dict[str, int]:
    """Rows per table that point at the patient; `synced_only` leaves out the bookkeeping
    tables (notifications, sync conflicts) a workstation keeps for itself."""
    counts: dict[str, int] = {}
    for ref in patient_references():
        if synced_only and ref.synced_class is None:
            continue
        n = session.scalar(
            select(func.count()).select_from(ref.table).where(ref.column == patient_id)
        )
        if n:
            counts[ref.table.name] = counts.get(ref.table.name, 0) + int(n)
    return counts


def repoint(
    session: Session,
    from_id: str,
    to_id: str,
    checkpoint: Callable[[int, int, str], None] | None = None,
) -> dict[str, int]:
    """Moves every row pointing at `from_id` to `to_id` (inside the caller's transaction).
    `checkpoint(done, total, table)` runs before each table (progress; it may raise to cancel,
    which rolls the whole merge back). Returns the rows moved per table."""
    moved: dict[str, int] = {}
    references = patient_references()
    for done, ref in enumerate(references):
        if checkpoint is not None:
            checkpoint(done, len(references), ref.table.name)
        if ref.synced_class is not None:
            attribute = getattr(ref.synced_class, _attribute_name(ref))
            rows = list(session.scalars(select(ref.synced_class).where(attribute == from_id)))
            for row in rows:
                setattr(row, attribute.key, to_id)
            # One table at a time: a trigger that refuses names the table in its message.
            session.flush()
            count = len(rows)
        else:
            result = session.execute(
                update(ref.table).where(ref.column == from_id).values({ref.column.name: to_id})
            )
            count = int(result.rowcount or 0)  # type: ignore[attr-defined]
        if count:
            moved[ref.table.name] = moved.get(ref.table.name, 0) + count
    return moved


def _attribute_name(ref: Reference) -> str:
    assert ref.synced_class is not None
    mapper = ref.synced_class.__mapper__
    return mapper.get_property_by_column(ref.column).key
