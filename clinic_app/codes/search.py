"""Code search: by code (exact or prefix, with or without the dot) and by words (FTS5).

User text never reaches FTS5 syntax: it is folded and split into word tokens and each token
is quoted as a prefix phrase (`"tok"*`), so `"`, `*`, `-`, `NEAR` or `AND` are plain text.

Ranking: an exact code first, then codes that start with the typed code (billable first); for
words, bm25 over the description and the other names (inclusion terms, synonyms), with a bonus
for billable codes and for a description that equals or starts with the query.

Broad words ("fracture", "le") match tens of thousands of codes, and ranking them all costs
tens of milliseconds. A set's rowids run from general to specific (see `tables.py`), so when a
query matches more than `BROAD_CAP` rows only the first `BROAD_CAP` in that order are ranked:
categories and subcategories before seventh-character codes, which is what someone who typed
one broad word can use, and keeps every search within a few milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from clinic_app.codes.loader import BILLABLE_FLAG
from clinic_app.codes.models import CodeKind
from clinic_app.codes.source_set import code_key
from clinic_app.codes.tables import CodeSetRow
from clinic_app.codes.text_folding import words

MAX_QUERY_CHARS = 200
MAX_TOKENS = 10
BROAD_CAP = 1500
BILLABLE_BONUS = 1.5
EXACT_CODE_SCORE = 100.0
PREFIX_CODE_SCORE = 50.0
_CODE_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,15}$")
_NOT_CODES = (CodeKind.CHAPTER.value, CodeKind.BLOCK.value)

_EXACT = text(
    "SELECT id, code, description, billable FROM codes "
    "WHERE set_id = :set_id AND code_key = :key AND kind NOT IN ('chapter', 'block')"
)
_PREFIX = text(
    "SELECT id, code, description, billable FROM codes "
    "WHERE set_id = :set_id AND billable = :billable AND code_key > :key AND code_key < :upper "
    "AND kind NOT IN ('chapter', 'block') ORDER BY code_key LIMIT :limit"
)
_CUTOFF = text(
    "SELECT rowid FROM code_fts WHERE code_fts MATCH :match "
    "AND rowid >= :lo AND rowid <= :hi LIMIT 1 OFFSET :cap"
)
_RANKED = text(
    "SELECT c.id, c.code, c.description, c.billable, "
    "bm25(code_fts, 1.0, 0.6, 0.0) AS rank "
    "FROM code_fts CROSS JOIN codes AS c ON c.id = code_fts.rowid "
    "WHERE code_fts MATCH :match AND code_fts.rowid >= :lo AND code_fts.rowid <= :hi "
    "ORDER BY rank - c.billable * :bonus LIMIT :limit"
)


@dataclass(frozen=True)
class CodeQuery:
    raw: str
    folded: str
    tokens: tuple[str, ...]
    code_key: str | None  # set when the query could be a code ("e119", "E11.9", "J1100")

    @property
    def empty(self) -> bool:
        return not self.tokens and not self.code_key


@dataclass(frozen=True)
class Match:
    id: int
    code: str
    description: str
    billable: bool
    score: float


def parse_query(raw: str) -> CodeQuery:
    clipped = raw[:MAX_QUERY_CHARS]
    stripped = clipped.strip()
    key = None
    if _CODE_LIKE.match(stripped) and any(ch.isdigit() for ch in stripped):
        key = code_key(stripped)
    tokens = tuple(words(clipped))[:MAX_TOKENS]
    return CodeQuery(clipped, " ".join(tokens), tokens, key)


def fts_match(tokens: tuple[str, ...], *, billable_only: bool) -> str:
    # Tokens hold only letters and digits, so quoting cannot break out of the phrase.
    expression = "{description terms} : (" + " ".join(f'"{t}"*' for t in tokens) + ")"
    if billable_only:
        expression += f' AND flags : "{BILLABLE_FLAG}"'
    return expression


def search_codes(
    session: Session, code_set: CodeSetRow, query: CodeQuery, *, limit: int, billable_only: bool
) -> list[Match]:
    if query.empty:
        return []
    found: dict[int, Match] = {}
    if query.code_key:
        for match in _by_code(session, code_set, query.code_key, limit, billable_only):
            found.setdefault(match.id, match)
    if query.tokens and len(found) < limit:
        for match in _by_words(session, code_set, query, limit, billable_only):
            found.setdefault(match.id, match)
    return list(found.values())[:limit]


def _by_code(
    session: Session, code_set: CodeSetRow, key: str, limit: int, billable_only: bool
) -> list[Match]:
    matches = [
        Match(row.id, row.code, row.description, bool(row.billable), EXACT_CODE_SCORE)
        for row in session.execute(_EXACT, {"set_id": code_set.id, "key": key})
        if row.billable or not billable_only
    ]
    for billable in (True, False) if not billable_only else (True,):
        room = limit - len(matches)
        if room <= 0:
            break
        rows = session.execute(
            _PREFIX,
            {
                "set_id": code_set.id,
                "billable": billable,
                "key": key,
                "upper": key + "\uffff",
                "limit": room,
            },
        )
        matches.extend(
            Match(row.id, row.code, row.description, bool(row.billable), PREFIX_CODE_SCORE)
            for row in rows
        )
    return matches


def _by_words(
    session: Session, code_set: CodeSetRow, query: CodeQuery, limit: int, billable_only: bool
) -> list[Match]:
    match = fts_match(query.tokens, billable_only=billable_only)
    bounds = {"match": match, "lo": code_set.first_rowid, "hi": code_set.last_rowid}
    cutoff = session.execute(_CUTOFF, {**bounds, "cap": BROAD_CAP}).scalar()
    if cutoff is not None:
        bounds["hi"] = int(cutoff) - 1
    rows = session.execute(_RANKED, {**bounds, "bonus": BILLABLE_BONUS, "limit": limit + 30}).all()
    scored = []
    for row in rows:
        score = -float(row.rank) + (BILLABLE_BONUS if row.billable else 0.0)
        description = " ".join(words(row.description))
        if description == query.folded:
            score += 20.0
        elif description.startswith(query.folded):
            score += 3.0
        scored.append(Match(row.id, row.code, row.description, bool(row.billable), round(score, 3)))
    scored.sort(key=lambda m: (-m.score, len(m.code), m.code))
    return scored[:limit]
