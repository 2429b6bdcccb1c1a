"""Valid patient form values for tests, with the few fields a test cares about overridden."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from clinic_app.patients.models import PatientInput

# Plainly synthetic people; names with accents so folding is exercised everywhere.
BASE = PatientInput(
    given_name="Élodie",
    family_name="Durand-Lefèvre",
    sex="female",
    birth_date="1984-03-09",
    phone="+33 6 12 34 56 78",
    email="elodie@example.org",
    address="1 rue de la Paix, Lyon",
    mrn="MRN-0001",
    national_id="2840369123456",
)


def patient_input(**changes: Any) -> PatientInput:
    return replace(BASE, **changes)
