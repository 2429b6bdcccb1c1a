"""Ranking the codes a word search found: how much of a code's title the query covers.

bm25 ranks by how rare the query's words are, which for one bare word ("angina") is the same
for every code that holds it, and then favours the code whose *other* indexed text is short:
"Atherosclerosis of coronary artery bypass graft(s) … with unstable angina pectoris" could
outrank "Angina pectoris, unspecified". What a person who typed a bare term wants is the code
that *is* that term, so the score is, in order of weight:

- coverage: the share of the title's content words the query covers (words in parentheses are
  ICD-10-CM's nonessential modifiers, and "unspecified", "other", "NOS", "of", … are filler, so
  "Essential (primary) hypertension" has two content words, "Angina pectoris, unspecified" two);
  a query word equal to a title word covers it fully, one that is only its prefix ("pneumonia"
  in "pneumoniae", or a word still being typed) half;
- the title equals the query (every content word covered exactly);
- the title's head word (its first content word, where ICD-10-CM puts the condition) is one of
  the query's words;
- billable, then a category (the entry point of its hierarchy).

A leading "Other" counts as a content word: "Other hypertension" is the rest of a category,
not hypertension itself.

A code found through another name (inclusion term, "includes" note, synonym) rather than its
title is scored on the best-covered of those names, a little below a title match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from clinic_app.codes.models import CodeKind
from clinic_app.codes.text_folding import fold

COVERAGE_WEIGHT = 10.0
EXACT_TITLE_BONUS = 20.0
HEAD_WORD_BONUS = 3.0
BILLABLE_BONUS = 2.0
CATEGORY_BONUS = 1.0
OTHER_NAME_FACTOR = 0.8
PREFIX_CREDIT = 0.5

_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORD = re.compile(r"[^\W_]+")
FILLER = frozenset(
    {
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "classified",
        "due",
        "elsewhere",
        "for",
        "in",
        "nos",
        "not",
        "of",
        "on",
        "or",
        "other",
        "specified",
        "the",
        "to",
        "unspecified",
        "with",
        "without",
    }
)
# Nouns that only complete "unspecified …" ("Pneumonia, unspecified organism").
_AFTER_UNSPECIFIED = frozenset(
    {"organism", "site", "type", "part", "cause", "region", "location", "side", "ear", "eye"}
)


def title_words(text: str) -> tuple[list[str], list[str], frozenset[str]]:
    """(every word, the content words that count, the words in parentheses or brackets).

    Bracketed words are modifiers and synonyms ("[croup]"): they count only when the query
    names them. A leading "Other" counts: "Other hypertension" is the rest of a category, not
    hypertension itself, so it covers a bare term only half."""
    folded = fold(text)
    every = _WORD.findall(folded)
    if "(" in folded or "[" in folded:
        aside = frozenset(_WORD.findall(" ".join(_PAREN.findall(folded)))) - FILLER
        outside = _WORD.findall(_PAREN.sub(" ", folded))
    else:
        aside, outside = _NOTHING, every
    content: list[str] = []
    previous = ""
    for word in outside:
        if word in FILLER:
            if word == "other" and not previous:
                content.append(word)
        elif not (previous == "unspecified" and word in _AFTER_UNSPECIFIED):
            content.append(word)
        previous = word
    return every, content, aside


_NOTHING: frozenset[str] = frozenset()


def _credit(word: str, tokens: tuple[str, ...]) -> float:
    best = 0.0
    for token in tokens:
        if word == token:
            return 1.0
        if word.startswith(token):
            best = PREFIX_CREDIT
    return best


def title_score(text: str, tokens: tuple[str, ...]) -> float | None:
    """How well the query names this title; None when a query word is not in it at all."""
    every, content, aside = title_words(text)
    for token in tokens:
        if not any(word.startswith(token) for word in every):
            return None
    if aside:
        content += [w for w in aside if w not in content and _credit(w, tokens)]
    if not content:
        content = every
    credits = [_credit(word, tokens) for word in content]
    score = COVERAGE_WEIGHT * sum(credits) / len(content)
    if min(credits) == 1.0 and set(content) >= set(tokens):
        score += EXACT_TITLE_BONUS
    return score + HEAD_WORD_BONUS * credits[0]


def other_names_score(names: Iterable[str], tokens: tuple[str, ...]) -> float:
    """For a code whose title lacks a query word: its best other name, a little lower."""
    best = 0.0
    for name in names:
        folded = fold(name)
        # Most names of such a code hold none of the query's words: a substring test skips
        # them before they are split into words.
        if all(token in folded for token in tokens):
            score = title_score(folded, tokens)
            if score is not None and score > best:
                best = score
    return OTHER_NAME_FACTOR * best


def code_bonus(billable: bool, kind: str) -> float:
    return (BILLABLE_BONUS if billable else 0.0) + (
        CATEGORY_BONUS if kind == CodeKind.CATEGORY.value else 0.0
    )
