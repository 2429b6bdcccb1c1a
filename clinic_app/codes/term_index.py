"""The term index the suggester matches notes against, derived from one code set.

Every category and subcategory contributes its title and its other names (inclusion terms and
"includes" notes); the default-code file adds common names. Each term becomes required and
optional word stems: words in parentheses are nonessential modifiers (optional), "unspecified",
"other", "NOS" mark defaults (dropped), and a few words a note often leaves out are optional
("diabetes" for "diabetes mellitus"). A term is filed under its rarest required stem, so a note
only ever looks at terms whose rarest word it contains.

Deriving it reads ~100,000 titles and names and stems them: 2–3 s. So it is derived once per
code set and kept packed (`PackedIndex`: plain strings per anchor stem and per code, see
`term_index_store` for where), and a `TermIndex` unpacks only what a note asks for: loading
it costs tens of milliseconds, and a note touches a few hundred of its ~56,000 terms.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

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
from clinic_app.codes.text_folding import fold
from clinic_app.tasks import CancelToken

_PAREN = re.compile(r"[(\[][^)\]]*[)\]]")
_WORD = re.compile(r"[^\W_]+")
_DEFAULT_WORDS = frozenset({"unspecified", "other"})
_DEFAULT_HINTS = ("unspecified", " nos", "without complication", "uncomplicated")
CANCEL_EVERY = 5000

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
    billable: bool
    parent_id: int | None
    required: frozenset[str]  # the title's required stems (for choosing among children)
    default: bool  # an "unspecified"/"without complication" code: the one to fall back to
    children: tuple[int, ...]  # its categories and subcategories (not seventh characters)


@dataclass(frozen=True)
class Term:
    code_id: int
    required: frozenset[str]
    optional: frozenset[str]
    curated: bool
    other: bool  # an "Other …" title: the note must say so to prefer it


@dataclass(frozen=True)
class PackedIndex:
    """The derived index as plain strings, cheap to store and to load.

    anchors: stem → its terms, one per line: `code_id|required stems|optional stems|flags`
             (flags: "c" curated, "o" an "Other …" title);
    codes:   code id → `code|billable|parent id|default|required stems|child ids`.
    """

    idf: dict[str, float]
    default_idf: float
    anchors: dict[str, str]
    codes: dict[str, str]


class TermIndex:
    """Unpacks terms and codes on first use; safe to share between threads (an entry unpacked
    twice by two threads at once is the same value)."""

    def __init__(self, set_id: str, packed: PackedIndex) -> None:
        self.set_id = set_id
        self._packed = packed
        self._terms: dict[str, tuple[Term, ...]] = {}
        self._codes: dict[int, CodeInfo] = {}

    def weight(self, stem_: str) -> float:
        return self._packed.idf.get(stem_, self._packed.default_idf)

    def anchored(self, stem_: str) -> tuple[Term, ...]:
        """The terms whose rarest required stem is `stem_`."""
        terms = self._terms.get(stem_)
        if terms is None:
            packed = self._packed.anchors.get(stem_)
            terms = tuple(_unpack_term(line) for line in packed.split("\n")) if packed else ()
            self._terms[stem_] = terms
        return terms

    def code(self, code_id: int) -> CodeInfo:
        info = self._codes.get(code_id)
        if info is None:
            info = _unpack_code(code_id, self._packed.codes[str(code_id)])
            self._codes[code_id] = info
        return info

    def needs_seventh(self, code_id: int) -> bool:
        info = self.code(code_id)
        return not info.billable and not info.children


def _stems(field: str) -> frozenset[str]:
    return frozenset(field.split()) if field else frozenset()


def _unpack_term(line: str) -> Term:
    code_id, required, optional, flags = line.split("|")
    return Term(int(code_id), _stems(required), _stems(optional), "c" in flags, "o" in flags)


def _unpack_code(code_id: int, packed: str) -> CodeInfo:
    code, billable, parent, default, required, children = packed.split("|")
    return CodeInfo(
        code_id,
        code,
        billable == "1",
        int(parent) if parent else None,
        _stems(required),
        default == "1",
        tuple(int(c) for c in children.split(",")) if children else (),
    )


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
    without = False  # inside "without …" up to the next function word ("without foreign body of")
    for position, word in enumerate(words):
        if word in STOPWORDS or word in GENERIC:
            previous = word
            without = False
            continue
        stemmed = stem(word)
        if word == "with":
            without = False
        if (
            word == "without"
            or without
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
        without = without or word == "without"
        previous = word
    optional -= required
    return frozenset(required), frozenset(optional), bool(words) and words[0] == "other"


# ICD-10-CM says "lower limb" and "upper limb" where a note says leg and arm.
_PLAIN_WORDS = (("lower limb", "leg"), ("upper limb", "arm"))


def _plain_names(title: str) -> list[str]:
    return [title.replace(formal, plain) for formal, plain in _PLAIN_WORDS if formal in title]


def _indexed_code(by_key: dict[str, int], key: str) -> int | None:
    """The code, or for a seventh-character code ("T14.8XXA") the code it extends: the
    suggester adds the seventh character itself, from the note's words."""
    if key in by_key:
        return by_key[key]
    if len(key) == 7:
        stem_key = key[:6].rstrip("X")
        return by_key.get(stem_key)
    return None


_CodeFields = tuple[str, bool, int | None, frozenset[str], bool]
_RawTerm = tuple[int, tuple[frozenset[str], frozenset[str], bool], bool]


def _read_titles(
    session: Session, set_id: str, checkpoint: Callable[[], None]
) -> tuple[dict[int, _CodeFields], list[_RawTerm]]:
    """Every category and subcategory (code, billable, parent, required stems, default) and
    the terms of its title."""
    codes: dict[int, _CodeFields] = {}
    raw_terms: list[_RawTerm] = []
    for count, row in enumerate(session.execute(_CODES, {"set_id": set_id})):
        if count % CANCEL_EVERY == 0:
            checkpoint()
        stems = term_stems(row.description)
        lowered = row.description.lower()
        default = any(hint in lowered for hint in _DEFAULT_HINTS)
        codes[row.id] = (row.code, bool(row.billable), row.parent_id, stems[0], default)
        raw_terms.append((row.id, stems, False))
        raw_terms.extend((row.id, term_stems(plain), False) for plain in _plain_names(lowered))
    return codes, raw_terms


def build_packed(
    session: Session, set_id: str, lexicon: Lexicon, cancel: CancelToken | None = None
) -> PackedIndex:
    """Derives the index of a code set from its rows (seconds: run it off the GUI thread)."""
    checkpoint = (lambda: None) if cancel is None else cancel.raise_if_cancelled
    codes, raw_terms = _read_titles(session, set_id, checkpoint)
    by_key = {code_key(code): code_id for code_id, (code, *_rest) in codes.items()}
    children: dict[int, list[int]] = {}
    for code_id, (_code, _billable, parent_id, _required, _default) in codes.items():
        if parent_id in codes:
            children.setdefault(parent_id, []).append(code_id)
    for count, row in enumerate(session.execute(_TERMS, {"set_id": set_id})):
        if count % CANCEL_EVERY == 0:
            checkpoint()
        if row.code_id in codes:
            raw_terms.append((row.code_id, term_stems(row.text), False))
    for words, code in lexicon.index_terms:
        code_id = _indexed_code(by_key, code_key(code))
        if code_id is not None:  # a default code missing from this release is skipped
            raw_terms.append((code_id, term_stems(" ".join(words)), True))
    terms: list[tuple[int, frozenset[str], frozenset[str], bool, bool]] = []
    frequency: Counter[str] = Counter()
    for code_id, (required, optional, other), curated in raw_terms:
        if not required or required <= CONTEXT_STEMS:
            continue
        terms.append((code_id, required, optional, curated, other))
        frequency.update(required | optional)
    total = len(terms)
    anchors: dict[str, list[str]] = {}
    for code_id, required, optional, curated, other in terms:
        rarest = min(required, key=lambda s: (frequency[s], s))
        flags = ("c" if curated else "") + ("o" if other else "")
        line = f"{code_id}|{' '.join(sorted(required))}|{' '.join(sorted(optional))}|{flags}"
        anchors.setdefault(rarest, []).append(line)
    packed_codes = {
        str(code_id): "|".join(
            (
                code,
                "1" if billable else "0",
                "" if parent_id is None else str(parent_id),
                "1" if default else "0",
                " ".join(sorted(required)),
                ",".join(str(c) for c in children.get(code_id, ())),
            )
        )
        for code_id, (code, billable, parent_id, required, default) in codes.items()
    }
    return PackedIndex(
        idf={word: math.log(1 + total / count) for word, count in frequency.items()},
        default_idf=math.log(1 + total),
        anchors={stem_: "\n".join(lines) for stem_, lines in anchors.items()},
        codes=packed_codes,
    )
