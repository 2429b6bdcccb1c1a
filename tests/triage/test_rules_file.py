"""Every rule in resources/triage/rules.yaml against its own examples: a positive case fires
it; a negated case and a near miss do not. Parametrized from the file, so a rule added
without examples, or examples that stop matching, fail here. And the loader's strictness."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from clinic_app.triage.engine import TriageEngine
from clinic_app.triage.rules import RulesFileError, default_rules_path, load_rules, parse_rules

from tests.triage.cases import case_input

RULES = load_rules()
ENGINE = TriageEngine(RULES)
RAW = yaml.safe_load(default_rules_path().read_text(encoding="utf-8"))
CASES = [
    pytest.param(rule.id, kind, case, id=f"{rule.id}-{kind}-{index}")
    for rule in RULES.rules
    for kind in ("positive", "negated", "near_miss")
    for index, case in enumerate(rule.tests[kind])
]
REQUIRED_TOPICS = (
    "chest_pain",
    "stroke_befast",
    "breathing_difficulty",
    "sepsis_signs",
    "severe_dehydration",
    "pregnancy_danger_signs",
    "paediatric_danger_signs",
    "suicidal_ideation",
    "low_oxygen_saturation",
    "low_systolic_pressure",
    "fast_breathing_adult",
)


@pytest.mark.parametrize(("rule_id", "kind", "case"), CASES)
def test_each_rule_fires_on_its_positive_examples_only(
    rule_id: str, kind: str, case: str | dict[str, Any]
) -> None:
    result = ENGINE.evaluate(case_input(case))
    fired = {flag.rule_id: flag for flag in result.red_flags}
    if kind == "positive":
        assert rule_id in fired, f"{rule_id} should fire on {case!r}"
        assert fired[rule_id].triggers, "a red flag names what triggered it"
        assert result.urgency.rank >= fired[rule_id].urgency.rank
    else:
        assert rule_id not in fired, f"{rule_id} fired on {kind} case {case!r}"


def test_every_rule_has_examples_sources_and_the_required_topics_are_covered() -> None:
    ids = {rule.id for rule in RULES.rules}
    assert set(REQUIRED_TOPICS) <= ids
    for rule in RULES.rules:
        assert rule.sources, rule.id
        assert rule.tests["positive"], rule.id
        assert rule.tests["near_miss"], rule.id
        if rule.reads_text:
            assert rule.tests["negated"], rule.id
    assert RULES.version


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["rules"][0].update(urgncy="urgent"), "unknown keys"),
        (lambda d: d["rules"][0].update(sources=[]), "sources is required"),
        (lambda d: d["rules"][0]["tests"].update(negated=[]), "negated test"),
        (lambda d: d["rules"][0].update(urgency="routine"), "can't be routine"),
        (lambda d: d["rules"][0]["when"][0].update(phrases=[False]), "put it in quotes"),
        (lambda d: d["rules"][1].update(id=d["rules"][0]["id"]), "duplicate ids"),
        (
            lambda d: d["rules"].append(
                {**d["rules"][-1], "id": "x", "when": [{"vital": "glucose", "below": 3}]}
            ),
            "unknown vital",
        ),
        (
            lambda d: d["rules"].append(
                {
                    **d["rules"][-1],
                    "id": "y",
                    "when": [{"vital": "pulse_bpm", "below": 3, "above": 9}],
                }
            ),
            "exactly one",
        ),
        (lambda d: d.update(format=2), "format must be 1"),
    ],
)
def test_a_malformed_rules_file_is_refused_with_the_reason(change: Any, message: str) -> None:
    with pytest.raises(RulesFileError, match=message):
        parse_rules(_broken(change))


def test_a_missing_or_invalid_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match="could not be read"):
        load_rules(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(RulesFileError, match="not valid YAML"):
        load_rules(bad)
