"""The offline triage engine: rules file in, urgency and red flags out. No I/O, no database.

Deterministic and explainable: each red flag carries the words (as written, with the field
they came from) or the measured values that made it fire, the rule's recommendation and its
sources. Vitals are checked with the records module's plausible ranges first, so a typo like
pulse 900 is a field error, not an emergency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clinic_app.errors import ValidationError
from clinic_app.records.vitals import validate_vitals
from clinic_app.triage.models import (
    RedFlag,
    SuggestedCode,
    TriageInput,
    TriageResult,
    Trigger,
    Urgency,
)
from clinic_app.triage.rules import (
    AnyOf,
    Criterion,
    PhraseCriterion,
    Rule,
    RuleSet,
    VitalCriterion,
)
from clinic_app.triage.text_matching import Finding, NegationDetector, TokenizedText, tokenize

MAX_TEXT = 20_000
MAX_AGE = 130
SEXES = ("female", "male", "other", "unknown")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_VITAL_LABELS = {
    "temperature_c": ("Temperature", "°C"),
    "pulse_bpm": ("Pulse", "/min"),
    "systolic_mmhg": ("Systolic BP", "mmHg"),
    "diastolic_mmhg": ("Diastolic BP", "mmHg"),
    "respiratory_rate": ("Respiratory rate", "/min"),
    "spo2_percent": ("SpO2", "%"),
}
_OPERATOR_WORDS = {"below": "below", "at_most": "at most", "above": "above", "at_least": "at least"}


@dataclass(frozen=True)
class Facts:
    texts: dict[str, TokenizedText]
    vitals: dict[str, float]
    age_years: float | None
    sex: str | None


def _clean_text(value: str | None, field: str, errors: dict[str, str]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = "Must be text."
        return ""
    if _CONTROL.search(value):
        errors[field] = "Must not contain control characters."
        return ""
    if len(value) > MAX_TEXT:
        errors[field] = f"At most {MAX_TEXT} characters."
        return ""
    return value.strip()


def prepare_facts(data: TriageInput) -> Facts:
    """Checks the input; raises ValidationError with one message per bad field."""
    errors: dict[str, str] = {}
    symptoms = _clean_text(data.symptoms, "symptoms", errors)
    history = _clean_text(data.history, "history", errors)
    age = data.age_years
    if age is not None and (isinstance(age, bool) or not 0 <= age <= MAX_AGE):
        errors["age_years"] = f"Must be between 0 and {MAX_AGE} years."
        age = None
    sex = (data.sex or "").strip().lower() or None
    if sex is not None and sex not in SEXES:
        errors["sex"] = "Use female, male, other or unknown."
    vitals: dict[str, float] = {}
    if data.vitals is not None:
        try:
            clean = validate_vitals(data.vitals)
        except ValidationError as exc:
            if set(exc.field_errors) != {"vitals"}:  # "no reading" is fine for triage
                errors.update(exc.field_errors)
        else:
            for name in _VITAL_LABELS:
                value = getattr(clean, name)
                if value is not None:
                    vitals[name] = float(value)
    if not errors and not symptoms and not vitals:
        errors["symptoms"] = "Describe the symptoms or enter vital signs."
    if errors:
        raise ValidationError(f"Please correct: {', '.join(sorted(errors))}.", errors)
    texts = {"symptoms": tokenize(symptoms)}
    if history:
        texts["history"] = tokenize(history)
    return Facts(texts, vitals, age, sex)


class TriageEngine:
    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    @property
    def version(self) -> str:
        return self.rules.version

    def evaluate(self, data: TriageInput) -> TriageResult:
        facts = prepare_facts(data)
        detectors = {
            field: NegationDetector(self.rules.negation, text)
            for field, text in facts.texts.items()
        }
        flags: list[RedFlag] = []
        for rule in self.rules.rules:
            if not self._applies(rule, facts):
                continue
            triggers: list[Trigger] = []
            if all(self._match(c, facts, detectors, triggers) for c in rule.when):
                flags.append(
                    RedFlag(
                        rule_id=rule.id,
                        name=rule.name,
                        urgency=rule.urgency,
                        triggers=tuple(dict.fromkeys(triggers)),
                        recommendation=rule.recommendation,
                        sources=rule.sources,
                    )
                )
        flags.sort(key=lambda f: -f.urgency.rank)
        urgency = flags[0].urgency if flags else Urgency.ROUTINE
        recommendations = tuple(dict.fromkeys(f.recommendation for f in flags)) or (
            self.rules.routine_recommendation,
        )
        codes: dict[str, SuggestedCode] = {}
        fired = {f.rule_id for f in flags}
        for rule in self.rules.rules:
            if rule.id in fired:
                for code in rule.codes:
                    codes.setdefault(code.code, code)
        return TriageResult(
            urgency=urgency,
            red_flags=tuple(flags),
            recommendations=recommendations,
            suggested_codes=tuple(codes.values()),
            rules_version=self.rules.version,
            disclaimer=(
                f"Decision support from triage rules version {self.rules.version}: not a "
                "diagnosis. Clinical judgement prevails."
            ),
        )

    @staticmethod
    def _applies(rule: Rule, facts: Facts) -> bool:
        if rule.age_from is not None or rule.age_under is not None:
            if facts.age_years is None:
                return False
            if rule.age_from is not None and facts.age_years < rule.age_from:
                return False
            if rule.age_under is not None and facts.age_years >= rule.age_under:
                return False
        return not (
            rule.sexes is not None
            and facts.sex not in (None, "unknown")
            and facts.sex not in rule.sexes
        )

    def _match(
        self,
        criterion: Criterion,
        facts: Facts,
        detectors: dict[str, NegationDetector],
        triggers: list[Trigger],
    ) -> bool:
        if isinstance(criterion, PhraseCriterion):
            return _match_phrases(criterion, facts, detectors, triggers)
        if isinstance(criterion, VitalCriterion):
            return _match_vital(criterion, facts, triggers)
        if isinstance(criterion, AnyOf):
            results = [self._match(c, facts, detectors, triggers) for c in criterion.items]
            return any(results)
        collected: list[Trigger] = []
        hits = sum(self._match(c, facts, detectors, collected) for c in criterion.items)
        if hits >= criterion.count:
            triggers.extend(collected)
            return True
        return False


def _match_phrases(
    criterion: PhraseCriterion,
    facts: Facts,
    detectors: dict[str, NegationDetector],
    triggers: list[Trigger],
) -> bool:
    matched = False
    for field, text in facts.texts.items():
        findings = [
            Finding(first, last, phrase)
            for phrase in criterion.phrases
            for first, last in phrase.occurrences(text.tokens)
        ]
        spans = [(f.first, f.last) for f in findings]
        kept = sorted(
            (f.first, f.last) for f in findings if not detectors[field].is_excluded(f, spans)
        )
        # Overlapping findings ("crushing chest" + "chest pain") are reported as one span.
        merged: list[tuple[int, int]] = []
        for first, last in kept:
            if merged and first <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
            else:
                merged.append((first, last))
        for first, last in merged:
            matched = True
            triggers.append(Trigger(field, text.span_text(first, last)))
    return matched


def _match_vital(criterion: VitalCriterion, facts: Facts, triggers: list[Trigger]) -> bool:
    value = facts.vitals.get(criterion.vital)
    if value is None:
        return False
    threshold = criterion.threshold
    hit = {
        "below": value < threshold,
        "at_most": value <= threshold,
        "above": value > threshold,
        "at_least": value >= threshold,
    }[criterion.operator]
    if hit:
        label, unit = _VITAL_LABELS[criterion.vital]
        words = _OPERATOR_WORDS[criterion.operator]
        triggers.append(
            Trigger(criterion.vital, f"{label} {value:g} {unit} ({words} {threshold:g})")
        )
    return hit
