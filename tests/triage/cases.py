"""Turns the example cases written in the rules file into triage inputs."""

from __future__ import annotations

from typing import Any

from clinic_app.records.models import VitalsInput
from clinic_app.triage.models import TriageInput

# The rules file names vitals as stored (SI columns); the form's input fields differ.
_VITAL_FIELDS = {
    "temperature_c": "temperature",
    "pulse_bpm": "pulse",
    "systolic_mmhg": "systolic",
    "diastolic_mmhg": "diastolic",
    "respiratory_rate": "respiratory_rate",
    "spo2_percent": "spo2",
}


def case_input(case: str | dict[str, Any]) -> TriageInput:
    if isinstance(case, str):
        case = {"text": case}
    vitals = case.get("vitals")
    return TriageInput(
        symptoms=case.get("text", ""),
        age_years=case.get("age"),
        sex=case.get("sex"),
        vitals=VitalsInput(**{_VITAL_FIELDS[k]: v for k, v in vitals.items()}) if vitals else None,
        history=case.get("history", ""),
    )
