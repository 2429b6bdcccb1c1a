"""Finding phrases in clinical text, and deciding whether each finding is negated.

A small NegEx-style matcher (Chapman et al., J Biomed Inform 2001;34:301-310): text is split
into folded words, with clause boundaries (. ; ! ? line break) and commas kept. A negation cue
before a finding ("no", "denies", "without", …) negates it up to the end of its clause, a
scope-ending word ("but", "reports", …) or a window of words; a cue after a finding ("chest
pain: denied") negates it within its comma-part. Pseudo-negations ("no change in chest pain")
are not cues. Findings after "family history of" belong to someone else. Every match keeps
its character span, so the words that triggered a rule are reported as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|\d+(?:\.\d+)?")
_CLAUSE_END = frozenset(".;!?\n")


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return base if len(base) == 1 else ch.lower() if len(ch.lower()) == 1 else ch


def fold_text(text: str) -> str:
    """Lower case without accents, one character for one (spans stay valid)."""
    return "".join(_fold_char(ch) for ch in text)


@dataclass(frozen=True, slots=True)
class Token:
    word: str
    start: int
    end: int
    clause: int  # index of the sentence-like clause
    part: int  # index of the comma-separated part (finer than clause)


@dataclass(frozen=True)
class TokenizedText:
    text: str
    tokens: tuple[Token, ...]

    def span_text(self, first: int, last: int) -> str:
        """The original words from token `first` to token `last` (inclusive)."""
        return self.text[self.tokens[first].start : self.tokens[last].end]


def tokenize(text: str) -> TokenizedText:
    folded = fold_text(text)
    tokens: list[Token] = []
    clause = part = 0
    previous_end = 0
    for match in _WORD.finditer(folded):
        gap = folded[previous_end : match.start()]
        if any(ch in _CLAUSE_END for ch in gap):
            clause += 1
            part += 1
        elif "," in gap:
            part += 1
        word = match.group().replace("'", "").replace("’", "")
        tokens.append(Token(word, match.start(), match.end(), clause, part))
        previous_end = match.end()
    return TokenizedText(text, tuple(tokens))


@dataclass(frozen=True)
class Phrase:
    """Folded words; a word ending in '*' matches any word it begins."""

    source: str
    words: tuple[tuple[str, bool], ...]  # (word, is_prefix)

    @classmethod
    def parse(cls, text: str) -> Phrase:
        words = []
        for raw in re.split(r"[\s\-/]+", fold_text(text).replace("'", "").replace("’", "")):
            if not raw:
                continue
            prefix = raw.endswith("*")
            word = raw.rstrip("*")
            if not word or not re.fullmatch(r"[^\W_]+", word):
                raise ValueError(f"phrase {text!r}: {raw!r} is not a word")
            words.append((word, prefix))
        if not words:
            raise ValueError(f"phrase {text!r} is empty")
        return cls(text, tuple(words))

    def occurrences(self, tokens: tuple[Token, ...]) -> Iterable[tuple[int, int]]:
        """(first, last) token indexes of every occurrence."""
        size = len(self.words)
        for first in range(len(tokens) - size + 1):
            for offset, (word, prefix) in enumerate(self.words):
                token = tokens[first + offset].word
                if not (token.startswith(word) if prefix else token == word):
                    break
            else:
                yield first, first + size - 1


@dataclass(frozen=True)
class NegationRules:
    before: tuple[Phrase, ...]
    after: tuple[Phrase, ...]
    pseudo: tuple[Phrase, ...]
    scope_end: frozenset[str]
    other_person: tuple[Phrase, ...]
    window: int
    after_window: int


@dataclass(frozen=True)
class Finding:
    first: int
    last: int
    phrase: Phrase


def _spans(phrases: Iterable[Phrase], tokens: tuple[Token, ...]) -> list[tuple[int, int]]:
    return [span for phrase in phrases for span in phrase.occurrences(tokens)]


class NegationDetector:
    """Cue positions are found once per text; each finding is then checked against them."""

    def __init__(self, rules: NegationRules, text: TokenizedText) -> None:
        tokens = text.tokens
        self._tokens = tokens
        self._rules = rules
        pseudo_starts = {first for first, _last in _spans(rules.pseudo, tokens)}
        self._before = [s for s in _spans(rules.before, tokens) if s[0] not in pseudo_starts]
        self._after = _spans(rules.after, tokens)
        self._other = _spans(rules.other_person, tokens)

    def _scope_clear(self, start: int, stop: int) -> bool:
        return not any(self._tokens[i].word in self._rules.scope_end for i in range(start, stop))

    def is_excluded(self, finding: Finding, own_spans: list[tuple[int, int]]) -> bool:
        """True when the finding is negated or is about someone else.

        `own_spans` are the criterion's own matches: a cue word inside one of them ("not able
        to drink") is part of a finding, not a negation of the next one.
        """
        tokens = self._tokens
        first, last = finding.first, finding.last
        clause = tokens[first].clause

        def inside_a_finding(span: tuple[int, int]) -> bool:
            return any(a <= span[0] and span[1] <= b for a, b in own_spans)

        for cue_first, cue_last in self._other:
            if cue_last < first and tokens[cue_first].clause == clause:
                return True
        for cue in self._before:
            cue_first, cue_last = cue
            if cue_last >= first or inside_a_finding(cue):
                continue
            if tokens[cue_first].clause != clause:
                continue
            if first - cue_last - 1 > self._rules.window:
                continue
            if self._scope_clear(cue_last + 1, first):
                return True
        part = tokens[last].part
        for cue in self._after:
            cue_first, _cue_last = cue
            if cue_first <= last or inside_a_finding(cue):
                continue
            if tokens[cue_first].part != part:
                continue
            if cue_first - last - 1 > self._rules.after_window:
                continue
            if self._scope_clear(last + 1, cue_first):
                return True
        return False
