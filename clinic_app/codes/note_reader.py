"""Reads clinical text for suggestion: words with their places in the text, abbreviations and
lay terms expanded, sentences and list segments, and the context of every word (negated,
family, history, uncertain, hypothetical), NegEx/ConText style.

Scopes: a pre-trigger ("no", "denies", "family history of") covers the words after it up to
the end of its segment (a comma, or a sentence end); a negation carries on across commas only
into segments that are plain lists of findings ("denies fever, chills or cough") and stops at a
segment that says something about a condition ("no chest pain, T2DM poorly controlled").
Family and history scopes run to the end of the sentence. A terminator ("but", "has",
"reports") ends every scope. Post-triggers ("ruled out", "negative") look back within their
segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clinic_app.codes.lexicon import Lexicon
from clinic_app.codes.stemming import STOPWORDS, stem
from clinic_app.codes.text_folding import fold

_TOKEN = re.compile(r"(?P<word>[^\W_]+)|(?P<stop>[.;!?:\n])|(?P<comma>[,()\[\]])")
_LIST_GLUE = frozenset({"or", "and", "nor", "any", "other", "no", "s"})
# Words that say something about a condition the patient has: a segment holding one is not a
# continuation of a negated list.
_STATUS = frozenset(
    [
        "controlled",
        "uncontrolled",
        "poorly",
        "well",
        "stable",
        "unstable",
        "worsening",
        "worse",
        "improving",
        "improved",
        "better",
        "diagnosed",
        "dx",
        "longstanding",
        "long",
        "standing",
        "known",
        "new",
        "recent",
        "recently",
        "ongoing",
        "persistent",
        "currently",
        "since",
        "years",
        "yrs",
        "months",
        "weeks",
        "days",
        "on",
        "takes",
        "taking",
        "managed",
        "treated",
        "follows",
        "followed",
        "started",
        "continues",
        "continue",
        "chronic",
    ]
)
MAX_LIST_SEGMENT = 6
# Family and history scopes run on through verbs ("mother has hypertension"); only these end them.
# "pt"/"patient" brings the patient back as the subject ("mother had breast cancer, pt has HTN").
_STRONG_TERMINATORS = frozenset(
    {"but", "however", "although", "though", "except", "yet", "which", "who", "pt", "patient"}
)
SCOPED = ("negated", "family", "history", "uncertain", "hypothetical")
# Family triggers that say "family history" themselves; the others name a relative.
_NAMES_FAMILY_HISTORY = frozenset({"family", "fhx", "fh", "history", "hx"})


@dataclass
class RawWord:
    text: str  # folded
    start: int
    end: int
    upper: bool
    sentence: int
    segment: int
    contexts: dict[str, int] = field(default_factory=dict)  # context type → trigger index


@dataclass(frozen=True)
class NoteToken:
    stem: str
    raw: int  # index of the RawWord it came from
    start: int
    end: int
    qualifier: bool
    segment: int


@dataclass
class ReadNote:
    text: str
    raw: list[RawWord]
    tokens: list[NoteToken]
    trigger_words: set[int]

    def segments(self) -> list[list[NoteToken]]:
        groups: dict[int, list[NoteToken]] = {}
        for token in self.tokens:
            groups.setdefault(token.segment, []).append(token)
        return [groups[key] for key in sorted(groups)]


def _raw_words(text: str) -> list[RawWord]:
    result: list[RawWord] = []
    sentence = segment = 0
    for match in _TOKEN.finditer(text):
        if match.lastgroup == "stop":
            sentence += 1
            segment += 1
        elif match.lastgroup == "comma":
            segment += 1
        else:
            surface = match.group()
            result.append(
                RawWord(
                    fold(surface),
                    match.start(),
                    match.end(),
                    surface.isupper(),
                    sentence,
                    segment,
                )
            )
    return result


def _longest(
    raw: list[RawWord], index: int, table: dict[tuple[str, ...], object], longest: int
) -> int:
    """Length of the longest phrase of `table` starting at raw[index] (same segment), or 0."""
    for size in range(min(longest, len(raw) - index), 0, -1):
        span = raw[index : index + size]
        if span[-1].segment != span[0].segment:
            continue
        if tuple(w.text for w in span) in table:
            return size
    return 0


def _find_triggers(raw: list[RawWord], lexicon: Lexicon) -> list[tuple[int, int, str]]:
    found = []
    index = 0
    while index < len(raw):
        size = _longest(raw, index, lexicon.triggers, lexicon.longest_phrase)  # type: ignore[arg-type]
        if size:
            key = tuple(w.text for w in raw[index : index + size])
            found.append((index, size, lexicon.triggers[key]))
            index += size
        else:
            index += 1
    return found


def _expand(raw: list[RawWord], lexicon: Lexicon) -> list[NoteToken]:
    tokens: list[NoteToken] = []
    index = 0
    table = lexicon.expansions
    while index < len(raw):
        size = _longest(raw, index, table, lexicon.longest_phrase)  # type: ignore[arg-type]
        if size:
            key = tuple(w.text for w in raw[index : index + size])
            expansion = table[key]
            span = raw[index : index + size]
            if not expansion.upper_only or all(w.upper for w in span):
                start, end = span[0].start, span[-1].end
                for word in expansion.words:
                    if word not in STOPWORDS:
                        tokens.append(
                            NoteToken(
                                stem(word), index, start, end, expansion.qualifier, span[0].segment
                            )
                        )
                index += size
                continue
        word = raw[index]
        if word.text not in STOPWORDS:
            tokens.append(
                NoteToken(stem(word.text), index, word.start, word.end, False, word.segment)
            )
        index += 1
    return tokens


def _is_list_segment(raw: list[RawWord], segment: int, covered: set[int]) -> bool:
    members = [i for i, w in enumerate(raw) if w.segment == segment]
    if not members or len(members) > MAX_LIST_SEGMENT:
        return False
    for i in members:
        text = raw[i].text
        if text in _STATUS:
            return False
        if text not in _LIST_GLUE and i not in covered:
            return False
    return True


def read_note(text: str, lexicon: Lexicon, covered: set[int] | None = None) -> ReadNote:
    """`covered`: raw word indexes that belong to some recognised condition (from a first
    matching pass); lets a negation run on through a plain list of findings."""
    raw = _raw_words(text)
    triggers = _find_triggers(raw, lexicon)
    trigger_words: set[int] = set()
    terminators = {i for i, _size, kind in triggers if kind == "terminate"}
    for index, size, kind in triggers:
        trigger_words.update(range(index, index + size))
        if kind in {"pseudo", "terminate"}:
            continue
        if kind == "negated_post":
            for j in range(index - 1, -1, -1):
                if raw[j].segment != raw[index].segment or j in terminators:
                    break
                raw[j].contexts.setdefault("negated", index)
            continue
        _apply_scope(raw, index, size, kind, terminators, covered or set())
    tokens = _expand(raw, lexicon)
    relatives = [
        index
        for index, size, kind in triggers
        if kind == "family"
        and not _NAMES_FAMILY_HISTORY & {w.text for w in raw[index : index + size]}
    ]
    if relatives:
        tokens = _with_family_history(tokens, raw, set(relatives))
    return ReadNote(text, raw, tokens, trigger_words)


def _with_family_history(
    tokens: list[NoteToken], raw: list[RawWord], relatives: set[int]
) -> list[NoteToken]:
    """A relative named with a condition ("mother had breast cancer") is a family history of
    it: the relative's word also stands for "family history", so the family-history codes
    (Z80–Z84) can match, with the relative's word as their evidence. The condition itself is
    still the relative's, not the patient's (see `term_matching.context_of`)."""
    result: list[NoteToken] = []
    for token in tokens:
        result.append(token)
        if token.raw in relatives:
            relatives.discard(token.raw)
            word = raw[token.raw]
            result.extend(
                NoteToken(stem(w), token.raw, word.start, word.end, False, word.segment)
                for w in ("family", "history")
            )
    return result


def _apply_scope(
    raw: list[RawWord], index: int, size: int, kind: str, terminators: set[int], covered: set[int]
) -> None:
    sentence = raw[index].sentence
    segment = raw[index].segment
    for j in range(index + size, len(raw)):
        word = raw[j]
        if word.sentence != sentence:
            break
        if j in terminators and (
            kind not in {"family", "history"} or word.text in _STRONG_TERMINATORS
        ):
            break
        if word.segment != segment:
            if kind in {"negated", "uncertain", "hypothetical"} and not _is_list_segment(
                raw, word.segment, covered
            ):
                break
            segment = word.segment
        word.contexts.setdefault(kind, index)
