"""What merging two charts takes and returns: plain frozen values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from clinic_app.patients.models import PatientDetail

# Every field a person chooses between, in the order the dialog shows them.
MERGE_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "sex",
    "birth_date",
    "phone",
    "email",
    "address",
    "mrn",
    "national_id",
    "primary_doctor_id",
    "allergies",
    "history_notes",
)
CLINICAL_FIELDS = ("allergies", "history_notes")


class Keep(StrEnum):
    """Which chart's value of a field survives the merge."""

    SURVIVOR = "survivor"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class MergeField:
    name: str
    survivor: Any
    duplicate: Any
    # False when the reader's role may not see clinical fields: both values are None then.
    visible: bool = True

    @property
    def differs(self) -> bool:
        return bool(self.survivor != self.duplicate)


@dataclass(frozen=True)
class MergePreview:
    """Both charts side by side, and how many rows of each table would move."""

    survivor: PatientDetail
    duplicate: PatientDetail
    fields: list[MergeField]
    # table name → rows of the duplicate that would be re-pointed to the survivor
    records: dict[str, int]
    # The duplicate holds clinical notes that differ and this role can't see them.
    clinical_blocked: bool

    @property
    def differing(self) -> list[MergeField]:
        return [f for f in self.fields if f.differs]


@dataclass(frozen=True)
class MergeResult:
    survivor: PatientDetail
    duplicate_id: str
    moved: dict[str, int]

    @property
    def moved_total(self) -> int:
        return sum(self.moved.values())
