"""Possible duplicate patients: the same identifier (MRN, national id), or the same folded
name and birth date, on a patient that arrived from the server and one already here. They are
offered for a decision (see `conflict_resolution`), never merged silently."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.patients.tables import PatientRow
from clinic_app.patients.validation import fold


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


def find_duplicates_batch(
    session: Session, patients: Sequence[tuple[str, Mapping[str, Any]]]
) -> dict[str, set[str]]:
    """For patients just written (id, values): the other live patients that may be the same
    person. A few indexed IN queries for the whole batch (one query per patient costs ~1 ms
    each, which a first sync of 10,000 patients can't afford)."""
    families = sorted({fold(values["family_name"]) for _, values in patients})
    mrns = sorted({str(v["mrn"]) for _, v in patients if v.get("mrn")})
    nationals = sorted({str(v["national_id"]) for _, v in patients if v.get("national_id")})
    found: dict[tuple[str, ...], set[str]] = {}
    columns = (
        PatientRow.id,
        PatientRow.family_fold,
        PatientRow.given_fold,
        PatientRow.birth_date,
        PatientRow.mrn,
        PatientRow.national_id,
    )
    for column, wanted in (
        (PatientRow.family_fold, families),
        (PatientRow.mrn, mrns),
        (PatientRow.national_id, nationals),
    ):
        for start in range(0, len(wanted), 500):
            rows = session.execute(
                select(*columns).where(
                    column.in_(wanted[start : start + 500]), PatientRow.deleted_at.is_(None)
                )
            )
            for other, family, given, birth, mrn, national in rows:
                found.setdefault(("name", family, given, birth.isoformat()), set()).add(other)
                if mrn:
                    found.setdefault(("mrn", mrn), set()).add(other)
                if national:
                    found.setdefault(("national_id", national), set()).add(other)
    matches: dict[str, set[str]] = {}
    for patient_id, values in patients:
        others: set[str] = set()
        for key in duplicate_key(values):
            others |= found.get(key, set())
        others.discard(patient_id)
        if others:
            matches[patient_id] = others
    return matches
