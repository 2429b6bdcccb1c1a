"""Possible duplicate patients: the same identifier (MRN, national id), or the same folded
name and birth date, on a patient that arrived from the server and one already here. They are
offered for a decision (see `conflict_resolution`), never merged silently."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from clinic_app.patients.tables import PatientRow
from clinic_app.patients.validation import fold

MAX_MATCHES = 5


def duplicate_key(values: Mapping[str, Any]) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = [
        (
            "name",
            fold(values["family_name"]),
            fold(values["given_name"]),
            values["birth_date"].isoformat(),
        )
    ]
    if values.get("mrn"):
        keys.append(("mrn", str(values["mrn"])))
    if values.get("national_id"):
        keys.append(("national_id", str(values["national_id"])))
    return keys


def find_duplicates(session: Session, values: Mapping[str, Any], exclude_id: str) -> list[str]:
    conditions = [
        (PatientRow.family_fold == fold(values["family_name"]))
        & (PatientRow.given_fold == fold(values["given_name"]))
        & (PatientRow.birth_date == values["birth_date"])
    ]
    if values.get("mrn"):
        conditions.append(PatientRow.mrn == values["mrn"])
    if values.get("national_id"):
        conditions.append(PatientRow.national_id == values["national_id"])
    return list(
        session.scalars(
            select(PatientRow.id)
            .where(or_(*conditions), PatientRow.deleted_at.is_(None), PatientRow.id != exclude_id)
            .limit(MAX_MATCHES)
        )
    )
