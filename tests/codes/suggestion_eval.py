"""Scoring the suggester against the labelled sets in tests/data (used by the tests and by
hand: `.venv/bin/python -m tests.codes.suggestion_eval` prints the misses)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
PHRASES = DATA / "code_suggestions.jsonl"
NEGATIONS = DATA / "code_negations.jsonl"

Suggest = Callable[[list[str]], list[list[str]]]  # texts → suggested codes, best first


@dataclass
class Accuracy:
    total: int = 0
    top1: int = 0
    top5: int = 0
    misses: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total

    @property
    def top5_rate(self) -> float:
        return self.top5 / self.total


def load(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def accuracy(suggest: Suggest) -> Accuracy:
    """top-1: the first suggestion is one of the phrase's codes; top-5: every code of the
    phrase is among the first five (multi-problem phrases need all their codes)."""
    rows = load(PHRASES)
    results = suggest([str(row["text"]) for row in rows])
    score = Accuracy()
    for row, codes in zip(rows, results, strict=True):
        gold = [str(c) for c in row["codes"]]  # type: ignore[attr-defined]
        score.total += 1
        score.top1 += bool(codes) and codes[0] in gold
        hit5 = all(code in codes[:5] for code in gold)
        score.top5 += hit5
        if not hit5:
            score.misses.append((str(row["text"]), gold, codes[:5]))
    return score


def negation_errors(suggest: Suggest) -> list[tuple[str, str]]:
    rows = load(NEGATIONS)
    results = suggest([str(row["text"]) for row in rows])
    errors = []
    for row, codes in zip(rows, results, strict=True):
        for code in codes:
            if any(code.startswith(str(p)) for p in row["absent"]):  # type: ignore[attr-defined]
                errors.append((str(row["text"]), code))
    return errors
