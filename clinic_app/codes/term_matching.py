"""Finds the terms of a note: every term whose required stems all occur close together in one
segment of the note, with the words that support it and their context."""

from __future__ import annotations

from dataclasses import dataclass

from clinic_app.codes.note_reader import NoteToken, ReadNote
from clinic_app.codes.term_index import Term, TermIndex

MAX_SPREAD_SLACK = 4
CURATED_BONUS = 3.0
BILLABLE_BONUS = 0.5
DEFAULT_BONUS = 0.3
OTHER_PENALTY = 2.5
OPTIONAL_WEIGHT = 0.3
_FUNCTION_STEMS = frozenset({"with", "without", "due"})
_CONSUMING = {"family": "fami", "history": "histor", "hypothetical": "screen"}


@dataclass(frozen=True)
class TermMatch:
    term: Term
    tokens: tuple[NoteToken, ...]
    score: float
    segment: int

    required_words: frozenset[int]  # raw words of the evidence, function words aside

    @property
    def raw_words(self) -> frozenset[int]:
        return frozenset(t.raw for t in self.tokens)


def _segments(note: ReadNote) -> list[list[NoteToken]]:
    """Segments, with a segment of qualifiers only ("…, poorly controlled") or one that opens
    with "with"/"without"/"due" joined to the one before it."""
    merged: list[list[NoteToken]] = []
    for segment in note.segments():
        first = note.raw[segment[0].raw].text
        joins = all(t.qualifier for t in segment) or first in {"with", "without", "w", "due"}
        if (
            merged
            and joins
            and note.raw[merged[-1][-1].raw].sentence == note.raw[segment[0].raw].sentence
        ):
            merged[-1] = merged[-1] + segment
        else:
            merged.append(list(segment))
    return merged


def match_terms(note: ReadNote, index: TermIndex) -> list[TermMatch]:
    matches: list[TermMatch] = []
    for number, segment in enumerate(_segments(note)):
        where: dict[str, list[int]] = {}
        for position, token in enumerate(segment):
            where.setdefault(token.stem, []).append(position)
        # A term is filed under one stem only, so no term is looked at twice.
        for stem_ in where:
            for term in index.anchored(stem_):
                if not term.required.issubset(where.keys()):
                    continue
                match = _place(term, segment, where, stem_, index, number)
                if match is not None:
                    matches.append(match)
    return matches


def _place(
    term: Term,
    segment: list[NoteToken],
    where: dict[str, list[int]],
    anchor: str,
    index: TermIndex,
    number: int,
) -> TermMatch | None:
    centre = where[anchor][0]
    chosen = [min(where[s], key=lambda p: abs(p - centre)) for s in term.required]
    if all(segment[p].qualifier for p in chosen):
        return None
    spread = max(chosen) - min(chosen) + 1
    if spread > len(term.required) + MAX_SPREAD_SLACK:
        return None
    optional = [min(where[s], key=lambda p: abs(p - centre)) for s in term.optional if s in where]
    tokens = tuple(segment[p] for p in sorted(set(chosen + optional)))
    info = index.code(term.code_id)
    score = sum(index.weight(s) for s in term.required)
    score += OPTIONAL_WEIGHT * sum(index.weight(segment[p].stem) for p in optional)
    if term.curated:
        score += CURATED_BONUS
    if info.billable:
        score += BILLABLE_BONUS
    if info.default:
        score += DEFAULT_BONUS
    if term.other and "other" not in {t.stem for t in segment}:
        score -= OTHER_PENALTY
    required_words = frozenset(t.raw for t in tokens if t.stem not in _FUNCTION_STEMS)
    return TermMatch(term, tokens, score, number, required_words)


def context_of(match: TermMatch, note: ReadNote) -> str | None:
    """ "current", "history", "family", "uncertain", or None when the note says the condition
    is absent (or belongs to a relative, or is only screened for)."""
    raw_words = match.raw_words
    stems = match.term.required
    label = "current"
    for raw_index in raw_words:
        contexts = note.raw[raw_index].contexts
        trigger = contexts.get("negated")
        if trigger is not None and trigger not in raw_words:
            return None
        for kind, consuming in _CONSUMING.items():
            if kind in contexts:
                if consuming in stems:
                    label = "family" if kind == "family" else label
                    label = "history" if kind == "history" else label
                elif kind in {"family", "hypothetical"}:
                    return None
                else:
                    label = "history"
        if "uncertain" in contexts and label == "current":
            label = "uncertain"
    if label == "current" and "fami" in stems:
        label = "family"
    return label
