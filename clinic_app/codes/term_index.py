"""The in-memory term index the suggester matches notes against, built from one code set.

Every category and subcategory contributes its title and its other names (inclusion terms and
"includes" notes); the default-code file adds common names. Each term becomes required and
optional word stems: words in parentheses are nonessential modifiers (optional), "unspecified",
"other", "NOS" mark defaults (dropped), and a few words a note often leaves out are optional
("diabetes" for "diabetes mellitus"). A term is filed under its rarest required stem, so a note
only ever looks at terms whose rarest word it contains.

Built once per code set and kept for the process (a set never changes after import).
"""

from __future__ import annotations

import gc
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

from clinic_app.codes.lexicon import Lexicon
from clinic_app.codes.source_set import code_key
from clinic_app.codes.stemming import (
    AFTER_UNSPECIFIED,
    CONTEXT_STEMS,
    GENERIC,
    STEMMED_WEAK,
    STOPWORDS,
    stem,
)
from clinic_app.codes.tables import CodeSetRow
from clinic_app.codes.text_folding import fold

_PAREN = re.compile(r"[(\[][^)\]]*[)\]]")
_WORD = re.compile(r"[^\W_]+")
_CACHE_SIZE = 2
_DEFAULT_WORDS = frozenset({"unspecified", "other"})
_DEFAULT_HINTS = ("unspecified", " nos", "without complication", "uncomplicated")

# External causes (V00–Y99) are secondary codes about how an injury happened; a note's words
# match them by accident far more often than on purpose, so the suggester leaves them out.
_CODES = text(
    "SELECT id, code, description, billable, parent_id FROM codes "
    "WHERE set_id = :set_id AND kind IN ('category', 'subcategory') "
    "AND substr(code_key, 1, 1) NOT IN ('V', 'W', 'X', 'Y')"
)
_TERMS = text(
    "SELECT n.code_id, n.text FROM code_notes AS n JOIN codes AS c ON c.id = n.code_id "
    "WHERE c.set_id = :set_id AND c.kind IN ('category', 'subcategory') "
    "AND n.kind IN ('inclusion', 'includes')"
)


@dataclass(frozen=True)
class CodeInfo:
    id: int
    code: str
    description: str
    billable: bool
    parent_id: int | None
    required: frozenset[str]  # the title's required stems (for choosing among children)
    default: bool  # an "unspecified"/"without complication" code: the one to fall back to


@dataclass(frozen=True)
class Term:
    code_id: int
    required: frozenset[str]
    optional: frozenset[str]
    curated: bool
    other: bool  # an "Other …" title: the note must say so to prefer it


@dataclass
class TermIndex:
    set_id: str
    codes: dict[int, CodeInfo]
    by_key: dict[str, int]
    children: dict[int, list[int]]
    terms: list[Term]
    anchors: dict[str, list[int]]
    idf: dict[str, float]
    default_idf: float = 8.0
    seventh: dict[int, bool] = field(default_factory=dict)

    def weight(self, stem_: str) -> float:
        return self.idf.get(stem_, self.default_idf)

    def needs_seventh(self, code_id: int) -> bool:
        info = self.codes[code_id]
        return not info.billable and not self.children.get(code_id)


def term_stems(phrase: str) -> tuple[frozenset[str], frozenset[str], bool]:
    """(required, optional, starts with "other") for a title or other name."""
    folded = fold(phrase)
    optional: set[str] = set()
    if "(" in folded or "[" in folded:
        optional = {stem(w) for w in _WORD.findall(" ".join(_PAREN.findall(folded)))}
        folded = _PAREN.sub(" ", folded)
    words = _WORD.findall(folded)
    required: set[str] = set()
    previous = ""
    last = len(words) - 1
    for position, word in enumerate(words):
        if word in STOPWORDS or word in GENERIC:
            previous = word
            continue
        stemmed = stem(word)
        if (
            word == "without"
            or previous == "without"
            or stemmed in STEMMED_WEAK
            or (
                word in AFTER_UNSPECIFIED
                and (
                    previous in _DEFAULT_WORDS or (position < last and words[position + 1] == "not")
                )
            )
        ):
            optional.add(stemmed)
        else:
            required.add(stemmed)
        previous = word
    optional -= required
    return frozenset(required), frozenset(optional), bool(words) and words[0] == "other"


def _build(session: Session, code_set: CodeSetRow, lexicon: Lexicon) -> TermIndex:
    codes: dict[int, CodeInfo] = {}
    by_key: dict[str, int] = {}
    children: dict[int, list[int]] = {}
    raw_terms: list[tuple[int, tuple[frozenset[str], frozenset[str], bool], bool]] = []
    for row in session.execute(_CODES, {"set_id": code_set.id}):
        stems = term_stems(row.description)
        required = stems[0]
        lowered = row.description.lower()
        codes[row.id] = CodeInfo(
            row.id,
            row.code,
            row.description,
            bool(row.billable),
            row.parent_id,
            required,
            any(hint in lowered for hint in _DEFAULT_HINTS),
        )
        by_key[code_key(row.code)] = row.id
        raw_terms.append((row.id, stems, False))
    for info in codes.values():
        if info.parent_id in codes:
            children.setdefault(info.parent_id, []).append(info.id)
    for row in session.execute(_TERMS, {"set_id": code_set.id}):
        if row.code_id in codes:
            raw_terms.append((row.code_id, term_stems(row.text), False))
    for words, code in lexicon.index_terms:
        code_id = by_key.get(code_key(code))
        if code_id is not None:  # a default code missing from this release is skipped
            raw_terms.append((code_id, term_stems(" ".join(words)), True))
    terms: list[Term] = []
    frequency: Counter[str] = Counter()
    for code_id, (required, optional, other), curated in raw_terms:
        if not required or required <= CONTEXT_STEMS:
            continue
        terms.append(Term(code_id, required, optional, curated, other))
        frequency.update(required | optional)
    total = len(terms)
    idf = {word: math.log(1 + total / count) for word, count in frequency.items()}
    anchors: dict[str, list[int]] = {}
    for position, term in enumerate(terms):
        rarest = min(term.required, key=lambda s: (frequency[s], s))
        anchors.setdefault(rarest, []).append(position)
    return TermIndex(code_set.id, codes, by_key, children, terms, anchors, idf, math.log(1 + total))


_lock = threading.Lock()
_cache: dict[str, TermIndex] = {}


def term_index(session: Session, code_set: CodeSetRow, lexicon: Lexicon) -> TermIndex:
    with _lock:
        cached = _cache.get(code_set.id)
        if cached is not None:
            return cached
        # Building allocates ~10^6 small objects that all live on: pausing the cyclic
        # garbage collector meanwhile halves the time.
        gc.disable()
        try:
            built = _build(session, code_set, lexicon)
        finally:
            gc.enable()
        while len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[code_set.id] = built
        return built
