"""Search as you type: user text to a safe FTS5 query, and the ranked lookup.

User text never reaches FTS5 syntax: it is folded and split into word tokens, and each token is
quoted as a prefix phrase ("tok"*), so `"`, `*`, `NEAR(` or `AND` are just text.
Very short input (one or two letters) matches too many rows to rank usefully; it takes the
name-prefix index instead and lists alphabetically, which is also what a clerk expects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Select, and_, or_, select, text
from sqlalchemy.orm import Session

from clinic_app.patients.tables import PatientRow
from clinic_app.patients.validation import fold

MAX_QUERY_LENGTH = 200
MAX_TOKENS = 8
_TOKEN = re.compile(r"\w+", re.UNICODE)
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{5,}$")
SHORT_QUERY_CHARS = 2

# Column weights for bm25: names matter most, then identifiers, phone, date of birth.
_FTS_QUERY = text(
    """
    SELECT p.id AS id
    FROM patient_fts
    JOIN patients AS p ON p.search_rowid = patient_fts.rowid
    WHERE patient_fts MATCH :match
      AND (:include_deleted OR p.deleted_at IS NULL)
    ORDER BY bm25(patient_fts, 10.0, 6.0, 3.0, 2.0), p.family_fold, p.given_fold
    LIMIT :limit OFFSET :offset
    """
)


@dataclass(frozen=True)
class ParsedQuery:
    tokens: tuple[str, ...]
    phone_digits: str | None

    @property
    def empty(self) -> bool:
        return not self.tokens and not self.phone_digits


def parse_query(raw: str) -> ParsedQuery:
    clipped = raw[:MAX_QUERY_LENGTH]
    stripped = clipped.strip()
    if _PHONE_LIKE.match(stripped) and sum(ch.isdigit() for ch in stripped) >= 5:
        digits = "".join(ch for ch in stripped if ch.isdigit())
        return ParsedQuery(tokens=(digits,), phone_digits=digits)
    tokens = tuple(_TOKEN.findall(fold(clipped).replace("_", " ")))[:MAX_TOKENS]
    return ParsedQuery(tokens=tokens, phone_digits=None)


def fts_match_expression(query: ParsedQuery) -> str:
    # Tokens hold only word characters, so quoting them cannot break out of the phrase.
    return " ".join(f'"{token}"*' for token in query.tokens)


def is_short(query: ParsedQuery) -> bool:
    return len(query.tokens) == 1 and len(query.tokens[0]) <= SHORT_QUERY_CHARS


def _short_query(token: str, include_deleted: bool) -> Select[tuple[str]]:
    upper = token + "\U0010ffff"
    by_name = or_(
        and_(PatientRow.family_fold >= token, PatientRow.family_fold < upper),
        and_(PatientRow.given_fold >= token, PatientRow.given_fold < upper),
    )
    query = select(PatientRow.id).where(by_name)
    if not include_deleted:
        query = query.where(PatientRow.deleted_at.is_(None))
    return query.order_by(PatientRow.family_fold, PatientRow.given_fold)


def search_ids(
    session: Session, query: ParsedQuery, *, limit: int, offset: int, include_deleted: bool
) -> list[str]:
    if query.empty:
        return []
    if is_short(query):
        statement = _short_query(query.tokens[0], include_deleted).limit(limit).offset(offset)
        return list(session.scalars(statement))
    rows = session.execute(
        _FTS_QUERY,
        {
            "match": fts_match_expression(query),
            "include_deleted": include_deleted,
            "limit": limit,
            "offset": offset,
        },
    )
    return [row.id for row in rows]
