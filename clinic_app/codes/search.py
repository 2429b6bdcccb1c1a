"""Code search: by code (exact or prefix, with or without the dot) and by words (FTS5).

User text never reaches FTS5 syntax: it is folded and split into word tokens and each token
is quoted as a prefix phrase (`"tok"*`), so `"`, `*`, `-`, `NEAR` or `AND` are plain text.

Order of results: an exact code, then codes that start with the typed code (billable first);
then, for ICD-10-CM, the default code of a bare term as the Alphabetic Index assigns it
("hypertension" → I10, "COPD" → J44.9; resources/codes/index_terms.tsv, after the
abbreviations and lay terms of the same folder); then the word matches, ranked by how much of
each code's title the query covers (`search_ranking`).

Cost: every search reads at most `CANDIDATES` FTS matches and ranks the `RANKED` shortest
titles among them in Python, so a broad word ("fracture", 20,000 matches) or a two-letter
prefix costs what a rare word costs. Prefixes of five letters or more are searched as the OR
of the whole words they start (`search_vocabulary`). A set's
rowids run from general to specific (categories, then subcategories, … seventh-character
codes: see `tables.py`) and FTS5 returns matches in rowid order, so the candidates of a broad
query are its most general codes, the ones a bare word asks for. bm25 is not used: it was most
of the time of a broad search (it reads every candidate's column sizes), and ranks titles worse
than coverage does (see `search_ranking`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from clinic_app.codes.active_set import ActiveSet
from clinic_app.codes.lexicon import Lexicon, load_lexicon
from clinic_app.codes.loader import BILLABLE_FLAG
from clinic_app.codes.models import CodeSystem
from clinic_app.codes.search_ranking import code_bonus, other_names_score, title_score
from clinic_app.codes.search_vocabulary import expand, vocabulary
from clinic_app.codes.source_set import code_key
from clinic_app.codes.text_folding import words

MAX_QUERY_CHARS = 200
MAX_TOKENS = 10
CANDIDATES = 200
RANKED = 40
EXACT_CODE_SCORE = 100.0
PREFIX_CODE_SCORE = 50.0
DEFAULT_CODE_SCORE = 40.0
_CODE_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,15}$")

# Plain SQL run on the driver's cursor (`_rows`): search as you type runs these on every
# keystroke, and SQLAlchemy's statement handling cost more than SQLite's work for them.
_EXACT = (
    "SELECT id, code, description, billable FROM codes "
    "WHERE set_id = ? AND code_key = ? AND kind NOT IN ('chapter', 'block')"
)
# One statement, three index ranges (ix_codes_set_key, then ix_codes_set_billable_key once per
# billable value), each read in order and stopped at the limit: no sort, one round trip.
_BY_CODE = (
    "SELECT 0, id, code, description, billable FROM codes "
    "WHERE set_id = ?1 AND code_key = ?2 AND kind NOT IN ('chapter', 'block') "
    "UNION ALL SELECT * FROM (SELECT 1, id, code, description, billable FROM codes "
    "WHERE set_id = ?1 AND billable = 1 AND code_key > ?2 AND code_key < ?3 "
    "AND kind NOT IN ('chapter', 'block') ORDER BY code_key LIMIT ?4) "
    "UNION ALL SELECT * FROM (SELECT 2, id, code, description, billable FROM codes "
    "WHERE set_id = ?1 AND billable = ?5 AND code_key > ?2 AND code_key < ?3 "
    "AND kind NOT IN ('chapter', 'block') ORDER BY code_key LIMIT ?4)"
)
# The FTS subquery stops at CANDIDATES matches (rowid order); each is then one primary-key
# lookup, and the RANKED shortest titles go on to be ranked.
_CANDIDATES = (
    "SELECT c.id, c.code, c.description, c.billable, c.kind "
    "FROM (SELECT rowid AS id FROM code_fts WHERE code_fts MATCH ? "
    "AND rowid >= ? AND rowid <= ? LIMIT ?) AS f "
    "CROSS JOIN codes AS c ON c.id = f.id ORDER BY length(c.description) LIMIT ?"
)
_OTHER_NAMES = (
    "SELECT code_id, text FROM code_notes WHERE code_id IN ({ids}) "
    "AND kind IN ('inclusion', 'includes', 'synonym')"
)


def _rows(session: Session, sql: str, params: tuple[object, ...]) -> list[tuple[Any, ...]]:
    """Plain tuples from the driver, on the unit of work's own connection and transaction."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        return list(cursor.execute(sql, params).fetchall())
    finally:
        cursor.close()


@dataclass(frozen=True)
class CodeQuery:
    raw: str
    folded: str
    tokens: tuple[str, ...]
    code_key: str | None  # set when the query could be a code ("e119", "E11.9", "J1100")
    upper: bool = False  # typed in capitals: case-sensitive abbreviations ("AF") apply

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
    upper = any(ch.isalpha() for ch in stripped) and stripped.upper() == stripped
    return CodeQuery(clipped, " ".join(tokens), tokens, key, upper)


def fts_match(
    tokens: tuple[str, ...],
    *,
    billable_only: bool,
    words_of: Callable[[str], list[str] | None] | None = None,
) -> str:
    """The MATCH expression: every token as a prefix, or as the OR of the whole words it
    starts (`words_of`, see `search_vocabulary`)."""
    parts = []
    for token in tokens:
        whole = words_of(token) if words_of is not None else None
        if whole:
            parts.append("(" + " OR ".join(_quoted(word) for word in whole) + ")")
        else:
            parts.append(_quoted(token) + "*")
    expression = "{description terms} : (" + " AND ".join(parts) + ")"
    if billable_only:
        expression += f' AND flags : "{BILLABLE_FLAG}"'
    return expression


def _quoted(word: str) -> str:
    # Query tokens hold only letters and digits; words from the index are escaped anyway.
    return '"' + word.replace('"', '""') + '"'


def search_codes(
    session: Session, code_set: ActiveSet, query: CodeQuery, *, limit: int, billable_only: bool
) -> list[Match]:
    if query.empty:
        return []
    found: dict[int, Match] = {}
    if query.code_key:
        for match in _by_code(session, code_set, query.code_key, limit, billable_only):
            found.setdefault(match.id, match)
    # A code-shaped query that named codes asks for those; other code-shaped queries ("b12",
    # "covid19") are words too.
    if query.tokens and len(found) < limit and not (query.code_key and found):
        if code_set.system == CodeSystem.ICD10CM.value:
            default = _default_code(session, code_set, query, billable_only)
            if default is not None:
                found.setdefault(default.id, default)
        for match in _by_words(session, code_set, query, limit, billable_only):
            found.setdefault(match.id, match)
    return list(found.values())[:limit]


def _by_code(
    session: Session, code_set: ActiveSet, key: str, limit: int, billable_only: bool
) -> list[Match]:
    # billable-only: the third range asks for billable = 1 again, which the second already
    # read; its rows are dropped below.
    params = (code_set.id, key, key + "\uffff", limit, 1 if billable_only else 0)
    matches = []
    for tier, code_id, code, description, billable in _rows(session, _BY_CODE, params):
        if (billable_only and (not billable or tier == 2)) or len(matches) >= limit:
            continue
        score = EXACT_CODE_SCORE if tier == 0 else PREFIX_CODE_SCORE
        matches.append(Match(code_id, code, description, bool(billable), score))
    return matches


def default_code_for(tokens: tuple[str, ...], lexicon: Lexicon, *, upper: bool) -> str | None:
    """The Alphabetic-Index default of a bare term, when the whole query names one."""
    defaults = _defaults(lexicon)
    if tokens in defaults:
        return defaults[tokens]
    expanded: list[str] = []
    index = 0
    while index < len(tokens):
        for size in range(min(lexicon.longest_phrase, len(tokens) - index), 0, -1):
            expansion = lexicon.expansions.get(tokens[index : index + size])
            if (
                expansion is not None
                and not expansion.qualifier
                and (upper or not expansion.upper_only)
            ):
                expanded.extend(expansion.words)
                index += size
                break
        else:
            expanded.append(tokens[index])
            index += 1
    return defaults.get(tuple(expanded))


_DEFAULTS: list[tuple[Lexicon, dict[tuple[str, ...], str]]] = []


def _defaults(lexicon: Lexicon) -> dict[tuple[str, ...], str]:
    for known, table in _DEFAULTS:
        if known is lexicon:
            return table
    # First phrase wins: the file lists the usual meaning first.
    table = {}
    for phrase, code in lexicon.index_terms:
        table.setdefault(phrase, code)
    _DEFAULTS[:] = [*_DEFAULTS[-3:], (lexicon, table)]
    return table


def _default_code(
    session: Session, code_set: ActiveSet, query: CodeQuery, billable_only: bool
) -> Match | None:
    code = default_code_for(query.tokens, load_lexicon(), upper=query.upper)
    if code is None:
        return None
    rows = _rows(session, _EXACT, (code_set.id, code_key(code)))
    if not rows or (billable_only and not rows[0][3]):
        return None  # a release without that code: the word matches still answer
    code_id, printed, description, billable = rows[0]
    return Match(code_id, printed, description, bool(billable), DEFAULT_CODE_SCORE)


def _by_words(
    session: Session, code_set: ActiveSet, query: CodeQuery, limit: int, billable_only: bool
) -> list[Match]:
    terms = vocabulary(session, code_set.id)
    match = fts_match(
        query.tokens, billable_only=billable_only, words_of=lambda token: expand(terms, token)
    )
    rows = _rows(
        session,
        _CANDIDATES,
        (match, code_set.first_rowid, code_set.last_rowid, CANDIDATES, RANKED),
    )
    tokens = query.tokens
    scored: list[Match] = []
    by_other_name = []
    for row in rows:
        score = title_score(row[2], tokens)
        if score is None:
            by_other_name.append(row)
        else:
            scored.append(_match(row, score))
    if by_other_name:
        names: dict[int, list[str]] = {}
        ids = ", ".join(str(int(row[0])) for row in by_other_name)
        for code_id, name in _rows(session, _OTHER_NAMES.format(ids=ids), ()):
            names.setdefault(code_id, []).append(name)
        scored.extend(
            _match(row, other_names_score(names.get(row[0], ()), tokens)) for row in by_other_name
        )
    scored.sort(key=lambda m: (-m.score, len(m.code), m.code))
    return scored[:limit]


def _match(row: tuple[Any, ...], score: float) -> Match:
    code_id, code, description, billable, kind = row
    total = score + code_bonus(bool(billable), kind)
    return Match(code_id, code, description, bool(billable), round(total, 3))
