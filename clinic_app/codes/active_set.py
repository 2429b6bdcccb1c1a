"""Which code set of a system is active: read on every search and suggestion."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from clinic_app.codes.models import CodeSystem
from clinic_app.errors import NotFoundError

# Plain SQL on the driver's cursor, not an ORM query: search as you type runs it on every
# keystroke, and loading a CodeSetRow through the ORM cost more than the search itself. Read
# afresh each time (no process cache), so a set activated by another process is used at once.
_ACTIVE_SET = (
    "SELECT id, system, version, first_rowid, last_rowid FROM code_sets "
    "WHERE system = ? AND active = 1"
)


@dataclass(frozen=True)
class ActiveSet:
    """What search and suggestion need of a code set."""

    id: str
    system: str
    version: str
    first_rowid: int
    last_rowid: int


def no_active_set(system: CodeSystem) -> NotFoundError:
    hint = (
        "an administrator runs `clinic codes import-icd10cm`"
        if system is CodeSystem.ICD10CM
        else "an administrator imports one with `clinic codes import`"
    )
    return NotFoundError(f"No {system.value} code set is active: {hint}.")


def active_set(session: Session, system: CodeSystem) -> ActiveSet:
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        row = cursor.execute(_ACTIVE_SET, (system.value,)).fetchone()
    finally:
        cursor.close()
    if row is None:
        raise no_active_set(system)
    return ActiveSet(*row)
