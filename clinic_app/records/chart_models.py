"""The patient chart in one value: header, timeline, vitals series, problem list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from clinic_app.records.models import Vitals


class Measure(StrEnum):
    """One line on the vitals charts; values in the unit named by `MEASURE_UNITS`."""

    WEIGHT = "weight_kg"
    HEIGHT = "height_cm"
    BMI = "bmi"
    SYSTOLIC = "systolic_mmhg"
    DIASTOLIC = "diastolic_mmhg"
    PULSE = "pulse_bpm"
    TEMPERATURE = "temperature_c"
    RESPIRATORY_RATE = "respiratory_rate"
    SPO2 = "spo2_percent"


MEASURE_UNITS: dict[Measure, str] = {
    Measure.WEIGHT: "kg",
    Measure.HEIGHT: "cm",
    Measure.BMI: "kg/m²",
    Measure.SYSTOLIC: "mmHg",
    Measure.DIASTOLIC: "mmHg",
    Measure.PULSE: "beats/min",
    Measure.TEMPERATURE: "°C",
    Measure.RESPIRATORY_RATE: "breaths/min",
    Measure.SPO2: "%",
}


@dataclass(frozen=True, slots=True)
class PatientHeader:
    id: str
    display_name: str
    sex: str
    birth_date: date
    age_years: int
    mrn: str | None
    allergies: str | None  # always shown on the chart
    primary_doctor_id: str | None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    kind: str  # "visit" | "record type" (lab_result, referral, …)
    id: str
    occurred_at: datetime
    title: str
    status: str  # open | signed for visits; "final" for records
    author_id: str


@dataclass(frozen=True, slots=True)
class VitalsSeries:
    measure: Measure
    unit: str
    # (time, value) oldest first: ready for a QtCharts line series.
    points: tuple[tuple[datetime, float], ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """An active coded diagnosis: its latest coding decides whether it is still active."""

    code: str
    system: str
    code_set_version: str
    description: str
    first_recorded_at: datetime
    last_recorded_at: datetime
    visit_id: str


@dataclass(frozen=True)
class PatientChart:
    header: PatientHeader
    timeline: tuple[TimelineEntry, ...]  # newest first
    vitals: tuple[VitalsSeries, ...]
    latest_vitals: Vitals | None
    problems: tuple[Problem, ...]
    pending_reviews: int
