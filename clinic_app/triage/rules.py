"""Loading and checking the triage rules file (resources/triage/rules.yaml).

The file is reviewed by clinicians, so the loader is strict: an unknown key (a typo), a
missing source, a rule without tests, an unknown vital or urgency makes it refuse the whole
file with a message naming the rule, rather than triage silently without that rule.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from clinic_app.errors import ClinicError
from clinic_app.resource_files import resources_dir
from clinic_app.triage.models import VITAL_NAMES, SuggestedCode, Urgency
from clinic_app.triage.text_matching import NegationRules, Phrase

RULES_FILE = Path("triage") / "rules.yaml"
SUPPORTED_FORMAT = 1
OPERATORS = ("below", "at_most", "above", "at_least")
_RULE_KEYS = {
    "id",
    "name",
    "urgency",
    "age",
    "sex",
    "when",
    "recommendation",
    "sources",
    "codes",
    "tests",
}
_TEST_KINDS = ("positive", "negated", "near_miss")


class RulesFileError(ClinicError):
    """The rules file is missing or malformed."""


@dataclass(frozen=True)
class PhraseCriterion:
    phrases: tuple[Phrase, ...]


@dataclass(frozen=True)
class VitalCriterion:
    vital: str
    operator: str
    threshold: float


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Criterion, ...]


@dataclass(frozen=True)
class AtLeast:
    count: int
    items: tuple[Criterion, ...]


Criterion = PhraseCriterion | VitalCriterion | AnyOf | AtLeast


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    urgency: Urgency
    age_from: float | None
    age_under: float | None
    sexes: frozenset[str] | None
    when: tuple[Criterion, ...]
    recommendation: str
    sources: tuple[str, ...]
    codes: tuple[SuggestedCode, ...]
    tests: Mapping[str, tuple[Any, ...]]

    @property
    def reads_text(self) -> bool:
        return any(_reads_text(c) for c in self.when)


@dataclass(frozen=True)
class RuleSet:
    version: str
    title: str
    status: str
    routine_recommendation: str
    negation: NegationRules
    rules: tuple[Rule, ...]


def _reads_text(criterion: Criterion) -> bool:
    if isinstance(criterion, PhraseCriterion):
        return True
    if isinstance(criterion, AnyOf | AtLeast):
        return any(_reads_text(c) for c in criterion.items)
    return False


def default_rules_path() -> Path:
    """resources/triage/rules.yaml in a source tree or a frozen build."""
    return resources_dir() / RULES_FILE


def _fail(where: str, message: str) -> RulesFileError:
    return RulesFileError(f"The triage rules file is not valid ({where}): {message}")


def _phrases(values: Any, where: str) -> tuple[Phrase, ...]:
    if not isinstance(values, list) or not values:
        raise _fail(where, "phrases must be a non-empty list")
    for value in values:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            # YAML reads a bare no/yes/on/off as true or false.
            raise _fail(where, f"{value!r} is not text: put it in quotes")
    try:
        return tuple(Phrase.parse(str(v)) for v in values)
    except ValueError as exc:
        raise _fail(where, str(exc)) from exc


def _criterion(raw: Any, where: str) -> Criterion:
    if not isinstance(raw, dict):
        raise _fail(where, "each condition must be a mapping")
    if "phrases" in raw:
        if set(raw) != {"phrases"}:
            raise _fail(where, f"unexpected keys beside phrases: {sorted(set(raw) - {'phrases'})}")
        return PhraseCriterion(_phrases(raw["phrases"], where))
    if "vital" in raw:
        ops = [op for op in OPERATORS if op in raw]
        if raw["vital"] not in VITAL_NAMES:
            raise _fail(where, f"unknown vital {raw['vital']!r}; use one of {VITAL_NAMES}")
        if len(ops) != 1 or set(raw) != {"vital", ops[0]}:
            raise _fail(where, f"a vital condition needs exactly one of {OPERATORS}")
        threshold = raw[ops[0]]
        if not isinstance(threshold, int | float) or isinstance(threshold, bool):
            raise _fail(where, "the threshold must be a number")
        return VitalCriterion(raw["vital"], ops[0], float(threshold))
    if "any_of" in raw:
        items = raw["any_of"]
        if set(raw) != {"any_of"} or not isinstance(items, list) or not items:
            raise _fail(where, "any_of needs a non-empty list and nothing else")
        return AnyOf(tuple(_criterion(item, where) for item in items))
    if "at_least" in raw:
        items, count = raw.get("of"), raw["at_least"]
        if set(raw) != {"at_least", "of"} or not isinstance(items, list):
            raise _fail(where, "at_least needs `of: [conditions]`")
        if not isinstance(count, int) or not 1 <= count <= len(items):
            raise _fail(where, "at_least must be a whole number no larger than the list")
        return AtLeast(count, tuple(_criterion(item, where) for item in items))
    raise _fail(where, f"unknown condition {sorted(raw)}")


def _rule(raw: Any, index: int) -> Rule:
    if not isinstance(raw, dict) or not raw.get("id"):
        raise _fail(f"rule #{index + 1}", "each rule needs an id")
    where = f"rule {raw['id']}"
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise _fail(where, f"unknown keys {sorted(unknown)}")
    for key in ("name", "urgency", "when", "recommendation", "sources", "tests"):
        if not raw.get(key):
            raise _fail(where, f"{key} is required")
    try:
        urgency = Urgency(raw["urgency"])
    except ValueError as exc:
        raise _fail(where, "urgency must be emergency or urgent") from exc
    if urgency is Urgency.ROUTINE:
        raise _fail(where, "a red flag can't be routine")
    age = raw.get("age") or {}
    if set(age) - {"from", "under"}:
        raise _fail(where, "age takes `from` and `under`")
    sexes = raw.get("sex")
    codes = tuple(
        SuggestedCode(code=str(c["code"]), description=str(c["description"]))
        for c in raw.get("codes") or []
    )
    tests = raw["tests"]
    if not isinstance(tests, dict) or set(tests) - set(_TEST_KINDS):
        raise _fail(where, f"tests take {_TEST_KINDS}")
    if not isinstance(raw["when"], list):
        raise _fail(where, "when must be a list of conditions")
    rule = Rule(
        id=str(raw["id"]),
        name=str(raw["name"]),
        urgency=urgency,
        age_from=float(age["from"]) if "from" in age else None,
        age_under=float(age["under"]) if "under" in age else None,
        sexes=frozenset(str(s) for s in sexes) if sexes else None,
        when=tuple(_criterion(item, where) for item in raw["when"]),
        recommendation=" ".join(str(raw["recommendation"]).split()),
        sources=tuple(str(s) for s in raw["sources"]),
        codes=codes,
        tests={kind: tuple(tests.get(kind) or ()) for kind in _TEST_KINDS},
    )
    needed = ("positive", "negated", "near_miss") if rule.reads_text else ("positive", "near_miss")
    for kind in needed:
        if not rule.tests[kind]:
            raise _fail(where, f"needs at least one {kind} test")
    return rule


def parse_rules(data: Any) -> RuleSet:
    if not isinstance(data, dict):
        raise _fail("top level", "expected a mapping")
    if data.get("format") != SUPPORTED_FORMAT:
        raise _fail("top level", f"format must be {SUPPORTED_FORMAT}")
    for key in ("version", "rules", "negation", "routine_recommendation"):
        if not data.get(key):
            raise _fail("top level", f"{key} is required")
    neg = data["negation"]
    negation = NegationRules(
        before=_phrases(neg.get("before"), "negation.before"),
        after=_phrases(neg.get("after"), "negation.after"),
        pseudo=_phrases(neg.get("pseudo"), "negation.pseudo"),
        scope_end=frozenset(str(w).lower() for w in neg.get("scope_end") or ()),
        other_person=_phrases(neg.get("other_person"), "negation.other_person"),
        window=int(neg.get("window", 8)),
        after_window=int(neg.get("after_window", 4)),
    )
    rules = tuple(_rule(raw, i) for i, raw in enumerate(data["rules"]))
    ids = [rule.id for rule in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise _fail("rules", f"duplicate ids {duplicates}")
    return RuleSet(
        version=str(data["version"]),
        title=str(data.get("title", "")),
        status=str(data.get("status", "")),
        routine_recommendation=" ".join(str(data["routine_recommendation"]).split()),
        negation=negation,
        rules=rules,
    )


def load_rules(path: Path | None = None) -> RuleSet:
    path = path or default_rules_path()
    try:
        stat = path.stat()
    except OSError as exc:
        raise RulesFileError(
            f"The triage rules file could not be read ({path.name}); reinstall the application."
        ) from exc
    # Parsed once per file version: every store opened in a process would otherwise pay it.
    return _load_rules_cached(path.resolve(), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _load_rules_cached(path: Path, _mtime_ns: int, _size: int) -> RuleSet:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesFileError(
            f"The triage rules file could not be read ({path.name}); reinstall the application."
        ) from exc
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # a safe loader: the C one when libyaml is there
    except yaml.YAMLError as exc:
        raise RulesFileError(f"The triage rules file is not valid YAML: {exc}") from exc
    return parse_rules(data)
