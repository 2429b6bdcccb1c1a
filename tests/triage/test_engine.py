"""The offline engine beyond the rules' own examples: negation scope, the words reported,
urgency order, and bad input."""

from __future__ import annotations

import pytest
from clinic_app.errors import ValidationError
from clinic_app.records.models import VitalsInput
from clinic_app.triage.engine import TriageEngine
from clinic_app.triage.models import TriageInput, Urgency
from clinic_app.triage.redaction import REMOVED, redact
from clinic_app.triage.rules import load_rules

ENGINE = TriageEngine(load_rules())


def _fired(text: str, **kwargs: object) -> set[str]:
    result = ENGINE.evaluate(TriageInput(symptoms=text, **kwargs))  # type: ignore[arg-type]
    return {flag.rule_id for flag in result.red_flags}


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("no chest pain", False),
        ("No chest pain.", False),
        ("Denies chest pain", False),
        ("chest pain denied", False),
        ("no fever. Chest pain since noon", True),  # the negation ends with its sentence
        ("no fever but chest pain", True),  # "but" ends the scope
        ("no change in chest pain", True),  # a pseudo-negation
        ("no relief of chest pain with rest", True),
        ("chest pain, fever absent", True),  # "absent" negates only its own part
        ("Thoracic pain", False),  # not a phrase in the file
        ("CHEST   PAIN", True),
        ("douleur: chest pain ✓", True),
    ],
)
def test_negation_scope(text: str, fires: bool) -> None:
    assert ("chest_pain" in _fired(text)) is fires


def test_triggers_are_reported_as_written_with_their_field() -> None:
    result = ENGINE.evaluate(
        TriageInput(symptoms="Sudden CHEST PAIN at rest", history="Type 2 diabetes")
    )
    flag = result.red_flags[0]
    assert flag.rule_id == "chest_pain"
    assert [(t.field, t.text) for t in flag.triggers] == [("symptoms", "CHEST PAIN")]
    assert result.suggested_codes[0].code == "R07.9"
    assert result.rules_version == load_rules().version
    assert "not a diagnosis" in result.disclaimer


def test_history_counts_and_the_worst_urgency_wins() -> None:
    result = ENGINE.evaluate(
        TriageInput(
            symptoms="wheezing since yesterday",
            history="34 weeks pregnant",
            sex="female",
            age_years=30,
            vitals=VitalsInput(spo2=90),
        )
    )
    ids = [flag.rule_id for flag in result.red_flags]
    assert result.urgency is Urgency.EMERGENCY
    assert ids[0] in {"low_oxygen_saturation"}
    assert "breathing_difficulty" in ids
    spo2 = next(f for f in result.red_flags if f.rule_id == "low_oxygen_saturation")
    assert spo2.triggers[0].text == "SpO2 90 % (below 92)"


def test_no_red_flag_is_routine_with_the_routine_advice() -> None:
    result = ENGINE.evaluate(TriageInput(symptoms="mild sore throat for two days", age_years=25))
    assert result.urgency is Urgency.ROUTINE
    assert result.red_flags == ()
    assert result.recommendations == (load_rules().routine_recommendation,)


def test_age_limited_rules_need_an_age() -> None:
    assert "paediatric_danger_signs" not in _fired("vomits everything")
    assert "paediatric_danger_signs" in _fired("vomits everything", age_years=2)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (TriageInput(symptoms=""), "symptoms"),
        (TriageInput(symptoms="   "), "symptoms"),
        (TriageInput(symptoms="x" * 20_001), "symptoms"),
        (TriageInput(symptoms="cough\x00"), "symptoms"),
        (TriageInput(symptoms="cough", history="\x1b[31m"), "history"),
        (TriageInput(symptoms="cough", age_years=-1), "age_years"),
        (TriageInput(symptoms="cough", age_years=200), "age_years"),
        (TriageInput(symptoms="cough", sex="yes"), "sex"),
        (TriageInput(symptoms="cough", vitals=VitalsInput(pulse=900)), "pulse"),
        (TriageInput(symptoms="cough", vitals=VitalsInput(temperature=80)), "temperature"),
    ],
)
def test_bad_input_is_a_field_error(data: TriageInput, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        ENGINE.evaluate(data)
    assert field in error.value.field_errors


def test_vitals_alone_are_enough_to_triage() -> None:
    result = ENGINE.evaluate(
        TriageInput(symptoms="", vitals=VitalsInput(systolic=80, diastolic=50))
    )
    assert [f.rule_id for f in result.red_flags] == ["low_systolic_pressure"]


def test_redaction_removes_names_and_identifiers() -> None:
    text = (
        "Élodie Durand called from +33 6 12 34 56 78 (elodie@example.org), MRN 00123456, "
        "born 1984-03-09: chest pain"
    )
    cleaned = redact(text, ["Élodie", "Durand-Lefèvre", "Durand"])
    for secret in ("Élodie", "Durand", "12 34", "example.org", "00123456", "1984"):
        assert secret not in cleaned
    assert "chest pain" in cleaned
    assert REMOVED in cleaned
