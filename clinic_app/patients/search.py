"""Search as you type: user text to safe queries, and a ranked lookup that stays cheap.

User text never reaches FTS5 syntax: it is folded and split into word tokens, and each token is
quoted as a prefix phrase ("tok"*), so `"`, `*`, `NEAR(` or `AND` are just text.

Ranking, best first (a patient is listed once, at its best tier):

1. The name is exactly what was typed: a family or given name ("kim", "de la cruz",
   "o'brien"), or a full name either way round ("marta garcia", "garcia, marta").
   Alphabetical (family name, then given name).
2. The family name starts with the text ("o'bri"); or, for two or three words, the family name
   starts with some of them and the given name with the rest ("garc mar"). Alphabetical.
3. The given name starts with the text. Alphabetical by given name, then family name.
4. Every word starts a word somewhere in the record: other names, later parts of compound
   names, MRN, national id, phone (local, national or international form), birth date.
   Alphabetical when at most `BROAD_MATCHES` patients match; beyond that in registration order,
   because nobody reads a list that long: the clerk types on and it narrows.
Phone numbers and dates (YYYY-MM-DD) go to tier 4 only. "The text" is the input folded (lower
case, no accents) with its spaces squeezed; punctuation kept, since the folded names keep it.

Why this shape: each tier reads at most `offset + limit` rows, in the order of an index (the
name indexes, or the FTS5 doclist in rowid order) and stops there; tiers run best first and the
lookup stops once the page is full. Nothing sorts or bm25-scores a match set whose size grows
with the number of patients, so one typed letter costs about what a full name costs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from clinic_app.patients.validation import fold

MAX_QUERY_LENGTH = 200
MAX_TOKENS = 8
# Name tiers also split the words between given and family name, up to three words (beyond
# that the splits multiply and such input is rarely a given + family name).
MAX_NAME_TOKENS = 3
# Above this many full-text matches the last tier lists in registration order instead of
# alphabetically: sorting costs a row lookup per match, registration order costs nothing.
BROAD_MATCHES = 500
_TOKEN = re.compile(r"\w+", re.UNICODE)
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{5,}$")
# A date of birth as the app shows it (YYYY-MM-DD), whole or partly typed: "1975-06-3".
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}(?:-\d{0,2})?$")
# Above every character a folded name can hold: `x >= p AND x < p + _HIGHEST` is "starts with p"
# as an index range (BINARY collation compares UTF-8 bytes; U+10FFFF encodes highest).
_HIGHEST = "\U0010ffff"


@dataclass(frozen=True)
class ParsedQuery:
    tokens: tuple[str, ...]
    phone_digits: str | None
    # The tokens are the parts of a date typed as YYYY-MM-DD: looked up as a birth date only.
    birth_date: bool = False
    # The whole input folded, spaces squeezed, for the name tiers ("" for a phone or a date).
    text: str = ""

    @property
    def empty(self) -> bool:
        return not self.tokens and not self.phone_digits


def parse_query(raw: str) -> ParsedQuery:
    clipped = raw[:MAX_QUERY_LENGTH]
    stripped = clipped.strip()
    if _DATE_LIKE.match(stripped):
        parts = tuple(part for part in stripped.split("-") if part)
        return ParsedQuery(tokens=parts, phone_digits=None, birth_date=True)
    if _PHONE_LIKE.match(stripped) and sum(ch.isdigit() for ch in stripped) >= 5:
        digits = "".join(ch for ch in stripped if ch.isdigit())
        return ParsedQuery(tokens=(digits,), phone_digits=digits)
    folded = fold(clipped)
    tokens = tuple(_TOKEN.findall(folded.replace("_", " ")))[:MAX_TOKENS]
    return ParsedQuery(tokens=tokens, phone_digits=None, text=" ".join(folded.split()))


def fts_match_expression(query: ParsedQuery) -> str:
    # Tokens hold only word characters, so quoting them cannot break out of the phrase.
    if query.birth_date:
        # One phrase in the birth column: 1975-06-30 is stored as the tokens 1975, 06, 30.
        return f'birth : "{" ".join(query.tokens)}"*'
    return " ".join(f'"{token}"*' for token in query.tokens)


# --- the tiers ----------------------------------------------------------------------------
# Plain SQL, built once per shape. Composing SQLAlchemy constructs on every keystroke cost more
# than ten times what SQLite spends answering (profiled: ~1.5 ms of Python against ~0.1 ms).

# Each tier takes the session, how many ids it may return and include_deleted, and returns ids
# in its order.
Tier = Callable[[Session, int, bool], list[str]]
Params = dict[str, object]

# A merged chart is gone for good (its records live on the survivor): never listed, even
# among the deleted.
_LIVE = "(deleted_at IS NULL OR (:include_deleted AND merged_into_id IS NULL))"
_NAME_ORDER = "family_fold, given_fold, rowid"


def _starts_with(column: str, name: str) -> str:
    return f"{column} >= :{name} AND {column} < :{name}_end"


def _prefix(name: str, value: str) -> Params:
    return {name: value, f"{name}_end": value + _HIGHEST}


@functools.cache
def _by_name(conditions: tuple[str, ...]) -> TextClause:
    """The first :limit ids in name order matching any of the conditions. Each condition runs
    as its own index-ordered scan that stops at :limit and SQLite merges the short lists; an OR
    over different indexes would instead collect and sort every match."""
    if len(conditions) == 1:
        return text(
            f"SELECT id FROM patients WHERE {conditions[0]} AND {_LIVE} "
            f"ORDER BY {_NAME_ORDER} LIMIT :limit"
        )
    parts = " UNION ALL ".join(
        "SELECT * FROM (SELECT id, family_fold, given_fold, rowid AS row_key FROM patients "
        f"WHERE {condition} AND {_LIVE} ORDER BY {_NAME_ORDER} LIMIT :limit)"
        for condition in conditions
    )
    return text(f"SELECT id FROM ({parts}) ORDER BY family_fold, given_fold, row_key LIMIT :limit")


_GIVEN_PREFIX = text(
    f"SELECT id FROM patients WHERE {_starts_with('given_fold', 'given')} AND {_LIVE} "
    "ORDER BY given_fold, family_fold, rowid LIMIT :limit"
)
_FTS_COUNT = text(
    "SELECT count(*) FROM (SELECT 1 FROM patient_fts WHERE patient_fts MATCH :match LIMIT :cap)"
)
_FTS_TIER = """
    SELECT p.id
    FROM patient_fts
    JOIN patients AS p ON p.search_rowid = patient_fts.rowid
    WHERE patient_fts MATCH :match
      AND (p.deleted_at IS NULL OR (:include_deleted AND p.merged_into_id IS NULL))
    ORDER BY {order}
    LIMIT :limit
"""
_FTS_BY_NAME = text(_FTS_TIER.format(order="p.family_fold, p.given_fold, p.rowid"))
_FTS_BY_REGISTRATION = text(_FTS_TIER.format(order="patient_fts.rowid"))


def _run(statement: TextClause, params: Params) -> Tier:
    def run(session: Session, limit: int, include_deleted: bool) -> list[str]:
        bound = {**params, "limit": limit, "include_deleted": include_deleted}
        return list(session.scalars(statement, bound))

    return run


def _splits(tokens: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every way to read the words as (family, given) or (given, family): "a b c" gives
    ("a", "b c"), ("b c", "a"), ("a b", "c"), ("c", "a b")."""
    pairs: list[tuple[str, str]] = []
    for cut in range(1, len(tokens)):
        first, rest = " ".join(tokens[:cut]), " ".join(tokens[cut:])
        pairs += [(first, rest), (rest, first)]
    return pairs


def _exact_name_tier(query: ParsedQuery) -> Tier:
    conditions = ["family_fold = :text", "given_fold = :text"]
    params: Params = {"text": query.text}
    if len(query.tokens) <= MAX_NAME_TOKENS:
        for i, (family, given) in enumerate(_splits(query.tokens)):
            conditions.append(f"family_fold = :f{i} AND given_fold = :g{i}")
            params |= {f"f{i}": family, f"g{i}": given}
    return _run(_by_name(tuple(conditions)), params)


def _family_prefix_tier(query: ParsedQuery) -> Tier:
    conditions = [_starts_with("family_fold", "text")]
    params = _prefix("text", query.text)
    if len(query.tokens) <= MAX_NAME_TOKENS:
        for i, (family, given) in enumerate(_splits(query.tokens)):
            both = (
                f"{_starts_with('family_fold', f'f{i}')} AND {_starts_with('given_fold', f'g{i}')}"
            )
            conditions.append(both)
            params |= _prefix(f"f{i}", family) | _prefix(f"g{i}", given)
    return _run(_by_name(tuple(conditions)), params)


def _given_prefix_tier(query: ParsedQuery) -> Tier:
    return _run(_GIVEN_PREFIX, _prefix("given", query.text))


def _full_text_tier(query: ParsedQuery) -> Tier:
    match = fts_match_expression(query)

    def run(session: Session, limit: int, include_deleted: bool) -> list[str]:
        found = session.scalar(_FTS_COUNT, {"match": match, "cap": BROAD_MATCHES + 1}) or 0
        statement = _FTS_BY_NAME if found <= BROAD_MATCHES else _FTS_BY_REGISTRATION
        params = {"match": match, "include_deleted": include_deleted, "limit": limit}
        return list(session.scalars(statement, params))

    return run


def tiers(query: ParsedQuery) -> list[Tier]:
    """The lookups for a query, best first."""
    found: list[Tier] = []
    if query.text:
        found += [_exact_name_tier(query), _family_prefix_tier(query), _given_prefix_tier(query)]
    if query.tokens:
        found.append(_full_text_tier(query))
    return found


def search_ids(
    session: Session, query: ParsedQuery, *, limit: int, offset: int, include_deleted: bool
) -> list[str]:
    if query.empty:
        return []
    wanted = offset + limit
    ranked: dict[str, None] = {}
    for tier in tiers(query):
        # A later tier never outranks an earlier one, so a full page ends the lookup. A tier's
        # first `wanted` rows always suffice: the rows it shares with earlier tiers are already
        # counted in `ranked`.
        for patient_id in tier(session, wanted, include_deleted):
            ranked.setdefault(patient_id)
        if len(ranked) >= wanted:
            break
    return list(ranked)[offset:wanted]
