"""What the patient service takes and returns: plain frozen values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PatientInput:
    """Raw values from a form or the command line. `None` for a clinical field means "leave as
    it is", so a role that can't see clinical fields never overwrites them."""

    given_name: str
    family_name: str
    sex: str
    birth_date: str | date
    other_names: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    mrn: str = ""
    national_id: str = ""
    primary_doctor_id: str = ""
    allergies: str | None = None
    history_notes: str | None = None


@dataclass(frozen=True)
class PatientSummary:
    id: str
    given_name: str
    family_name: str
    sex: Sex
    birth_date: date
    phone: str | None
    mrn: str | None
    national_id: str | None
    primary_doctor_id: str | None
    version: int
    deleted: bool

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"


@dataclass(frozen=True)
class PatientDetail:
    summary: PatientSummary
    other_names: str | None
    email: str | None
    address: str | None
    created_at: datetime
    updated_at: datetime
    # None when the reader's role may not see clinical fields (`clinical_visible` is False).
    allergies: str | None
    history_notes: str | None
    clinical_visible: bool

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def version(self) -> int:
        return self.summary.version


@dataclass(frozen=True)
class CreatedPatient:
    patient: PatientDetail
    possible_duplicates: list[PatientSummary]


@dataclass(frozen=True)
class PatientPage:
    items: list[PatientSummary]
    total: int | None  # None when counting would cost more than the page (search results)
