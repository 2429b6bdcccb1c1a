"""Triage inputs and results: plain frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from clinic_app.records.models import VitalsInput


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Urgency.ROUTINE: 0, Urgency.URGENT: 1, Urgency.EMERGENCY: 2}

VITAL_NAMES = (
    "temperature_c",
    "pulse_bpm",
    "systolic_mmhg",
    "diastolic_mmhg",
    "respiratory_rate",
    "spo2_percent",
)


@dataclass(frozen=True)
class TriageInput:
    """What triage reads. No names or identifiers: only the clinical picture."""

    symptoms: str
    age_years: float | None = None
    sex: str | None = None
    vitals: VitalsInput | None = None
    history: str = ""


@dataclass(frozen=True)
class Trigger:
    """Why a criterion matched: the words as written (with the field), or a measured value."""

    field: str  # symptoms | history | a vital's name
    text: str  # the words that matched, or e.g. "SpO2 88 % (below 92)"


@dataclass(frozen=True)
class RedFlag:
    rule_id: str
    name: str
    urgency: Urgency
    triggers: tuple[Trigger, ...]
    recommendation: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class SuggestedCode:
    code: str
    description: str
    system: str = "ICD-10-CM"
    source: str = "rule"  # rule | codes service
    matched: tuple[str, ...] = ()


@dataclass(frozen=True)
class OnlineOpinion:
    """An answer from an optional online model, shown beside the offline result."""

    model: str
    label: str
    text: str
    urgency: Urgency | None


@dataclass(frozen=True)
class TriageResult:
    urgency: Urgency
    red_flags: tuple[RedFlag, ...]
    recommendations: tuple[str, ...]
    suggested_codes: tuple[SuggestedCode, ...]
    rules_version: str
    disclaimer: str
    online: OnlineOpinion | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SavedTriage:
    id: str
    visit_id: str
    performed_by_id: str
    performed_at: datetime
    result: TriageResult
