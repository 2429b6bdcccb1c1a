"""Word normalisation shared by the term index and the note reader: a light suffix stemmer
(so "diabetic"/"diabetes", "hypertensive"/"hypertension", "fractured"/"fracture" meet) and the
word lists that shape matching."""

from __future__ import annotations

from functools import lru_cache

MIN_STEM = 4
# Longest first; a suffix is removed only when at least MIN_STEM letters remain.
SUFFIXES = (
    "ational",
    "ically",
    "ations",
    "iness",
    "ities",
    "ation",
    "ative",
    "ments",
    "ness",
    "ment",
    "ical",
    "ions",
    "ives",
    "ated",
    "atic",
    "ion",
    "ive",
    "ies",
    "ied",
    "ing",
    "ics",
    "ous",
    "ity",
    "ism",
    "ist",
    "ia",
    "al",
    "ic",
    "ed",
    "es",
    "ly",
    "y",
    "s",
    "e",
    "a",
)

# Never part of a match.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "and",
        "or",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "his",
        "her",
        "their",
        "patient",
        "s",
        "from",
        "into",
        "than",
        "then",
        "also",
        "very",
        "per",
    ]
)
# In a code title these words only say "the default" or "the rest": never required.
GENERIC = frozenset(
    [
        "unspecified",
        "other",
        "specified",
        "nos",
        "elsewhere",
        "classified",
        "not",
        "certain",
        "some",
        "part",
        "site",
    ]
)
# Nouns that follow "unspecified" in titles ("pneumonia, unspecified organism"): optional.
AFTER_UNSPECIFIED = frozenset(
    [
        "organism",
        "site",
        "type",
        "part",
        "cause",
        "region",
        "location",
        "stage",
        "severity",
        "episode",
        "degree",
        "trimester",
        "nature",
        "agent",
        "etiology",
        "mechanism",
    ]
)
# Words a note often leaves out ("Crohn's" for Crohn's disease, "diabetes" for diabetes
# mellitus): optional in code titles.
WEAK = frozenset(
    [
        "mellitus",
        "disease",
        "diseases",
        "disorder",
        "disorders",
        "syndrome",
        "condition",
        "conditions",
        "personal",
        "encounter",
        "with",
        "due",
        "acute",
        "primary",
        "essential",
        "vitamin",
        "state",
        # A note says "right knee", not "unilateral … right knee".
        "unilateral",
    ]
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if len(word) <= MIN_STEM or not word.isalpha():
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


STEMMED_WEAK = frozenset(stem(w) for w in WEAK)

# Stems that only set a context ("history of", "family history of"): a term made of nothing
# else names no condition.
CONTEXT_STEMS = frozenset(stem(w) for w in ("history", "family", "personal", "encounter", "status"))
