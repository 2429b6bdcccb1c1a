"""Vital signs: units, plausible ranges, BMI.

Values are stored in SI units (°C, kg, cm). A reading outside its plausible range is refused
with a message naming the field, the range and, where a unit slip is likely (98.6 given as
°C), the probable cause. Ranges are wide on purpose: they catch typing errors, not disease.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from clinic_app.errors import ValidationError
from clinic_app.records.models import VitalsInput


@dataclass(frozen=True)
class VitalRange:
    label: str
    unit: str
    low: float
    high: float
    integer: bool


RANGES: dict[str, VitalRange] = {
    "temperature": VitalRange("Temperature", "°C", 25.0, 45.0, integer=False),
    "pulse": VitalRange("Pulse", "beats/min", 20, 300, integer=True),
    "systolic": VitalRange("Systolic pressure", "mmHg", 40, 300, integer=True),
    "diastolic": VitalRange("Diastolic pressure", "mmHg", 20, 200, integer=True),
    "respiratory_rate": VitalRange("Respiratory rate", "breaths/min", 4, 80, integer=True),
    "spo2": VitalRange("SpO2", "%", 50, 100, integer=True),
    "weight": VitalRange("Weight", "kg", 0.3, 500.0, integer=False),
    "height": VitalRange("Height", "cm", 20.0, 272.0, integer=False),
}

LB_PER_KG = 2.2046226218
CM_PER_IN = 2.54
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_TEMPERATURE = re.compile(r"^\s*([+-]?\d+(?:\.\d*)?)\s*°?\s*([CFcf])?\s*$")
_BLOOD_PRESSURE = re.compile(r"^\s*(\d{2,3})\s*/\s*(\d{2,3})\s*$")


@dataclass(frozen=True)
class CleanVitals:
    temperature_c: float | None
    pulse_bpm: int | None
    systolic_mmhg: int | None
    diastolic_mmhg: int | None
    respiratory_rate: int | None
    spo2_percent: int | None
    weight_kg: float | None
    height_cm: float | None
    bmi: float | None
    measured_at: datetime | None


def compute_bmi(weight_kg: float | None, height_cm: float | None) -> float | None:
    if weight_kg is None or height_cm is None:
        return None
    metres = height_cm / 100
    return round(weight_kg / (metres * metres), 1)


def parse_blood_pressure(text: str) -> tuple[int, int]:
    """ "120/80" → (120, 80); anything else is a field error on `blood_pressure`."""
    match = _BLOOD_PRESSURE.match(text or "")
    if not match:
        raise ValidationError(
            "Please correct: blood_pressure.",
            {"blood_pressure": "Use systolic/diastolic in mmHg, e.g. 120/80."},
        )
    return int(match.group(1)), int(match.group(2))


def parse_temperature(text: str) -> tuple[str, str]:
    """ "38.2" → ("38.2", "C"); "101.3F" → ("101.3", "F")."""
    match = _TEMPERATURE.match((text or "").replace(",", "."))
    if not match:
        raise ValidationError(
            "Please correct: temperature.",
            {"temperature": "A number with an optional unit, e.g. 38.2 or 101.3F."},
        )
    return match.group(1), (match.group(2) or "C").upper()


def _number(value: float | str, field: str, errors: dict[str, str]) -> float | None:
    if isinstance(value, bool):
        errors[field] = "Must be a number."
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = value.strip().replace(",", ".")
        if not _NUMBER.match(text):
            errors[field] = "Must be a number."
            return None
        number = float(text)
    if not math.isfinite(number):
        errors[field] = "Must be a finite number."
        return None
    return number


def _in_range(number: float, field: str, errors: dict[str, str], hint: str = "") -> bool:
    spec = RANGES[field]
    if spec.low <= number <= spec.high:
        return True
    low = int(spec.low) if spec.integer else spec.low
    high = int(spec.high) if spec.integer else spec.high
    errors[field] = f"{spec.label} must be between {low} and {high} {spec.unit}.{hint}"
    return False


def _unit(value: str, allowed: dict[str, float], field: str, errors: dict[str, str]) -> float:
    factor = allowed.get(value.strip().lower())
    if factor is None:
        errors[field] = f"Unknown unit; use {' or '.join(allowed)}."
        return 1.0
    return factor


def validate_vitals(data: VitalsInput) -> CleanVitals:
    errors: dict[str, str] = {}
    values: dict[str, float | None] = {}
    for field in ("pulse", "systolic", "diastolic", "respiratory_rate", "spo2"):
        raw = getattr(data, field)
        number = None if raw is None or raw == "" else _number(raw, field, errors)
        if number is not None and _in_range(number, field, errors):
            values[field] = float(round(number))
        else:
            values[field] = None
    values["temperature"] = _temperature(data, errors)
    values["weight"] = _scaled(
        data.weight, data.weight_unit, {"kg": 1.0, "lb": 1 / LB_PER_KG}, "weight", errors
    )
    values["height"] = _scaled(
        data.height, data.height_unit, {"cm": 1.0, "in": CM_PER_IN}, "height", errors
    )
    systolic, diastolic = values["systolic"], values["diastolic"]
    if (systolic is None) != (diastolic is None) and not errors:
        errors["systolic" if systolic is None else "diastolic"] = (
            "Give both blood pressure values, systolic and diastolic."
        )
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        errors["diastolic"] = "Diastolic pressure must be lower than systolic."
    if data.measured_at is not None and data.measured_at.tzinfo is None:
        errors["measured_at"] = "The time must carry a time zone."
    if not errors and all(value is None for value in values.values()):
        errors["vitals"] = "Enter at least one reading."
    if errors:
        raise ValidationError(f"Please correct: {', '.join(sorted(errors))}.", errors)

    def as_int(name: str) -> int | None:
        value = values[name]
        return None if value is None else int(value)

    weight, height = values["weight"], values["height"]
    return CleanVitals(
        temperature_c=values["temperature"],
        pulse_bpm=as_int("pulse"),
        systolic_mmhg=as_int("systolic"),
        diastolic_mmhg=as_int("diastolic"),
        respiratory_rate=as_int("respiratory_rate"),
        spo2_percent=as_int("spo2"),
        weight_kg=weight,
        height_cm=height,
        bmi=compute_bmi(weight, height),
        measured_at=data.measured_at,
    )


def _temperature(data: VitalsInput, errors: dict[str, str]) -> float | None:
    if data.temperature is None or data.temperature == "":
        return None
    unit = data.temperature_unit.strip().upper()
    if unit not in ("C", "F"):
        errors["temperature_unit"] = "Unknown unit; use C or F."
        return None
    number = _number(data.temperature, "temperature", errors)
    if number is None:
        return None
    celsius = (number - 32) * 5 / 9 if unit == "F" else number
    hint = ""
    if unit == "C" and 77 <= number <= 113:
        hint = " This looks like Fahrenheit: give the unit F."
    if not _in_range(celsius, "temperature", errors, hint):
        return None
    return round(celsius, 1)


def _scaled(
    raw: float | str | None,
    unit: str,
    allowed: dict[str, float],
    field: str,
    errors: dict[str, str],
) -> float | None:
    if raw is None or raw == "":
        return None
    factor = _unit(unit, allowed, f"{field}_unit", errors)
    number = _number(raw, field, errors)
    if number is None or f"{field}_unit" in errors:
        return None
    value = number * factor
    if not _in_range(value, field, errors):
        return None
    return round(value, 1)
