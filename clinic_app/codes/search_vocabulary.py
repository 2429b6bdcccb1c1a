"""The words of the code index, so a long typed prefix becomes the few whole words it starts.

The FTS index keeps prefix indexes for 2, 3 and 4 characters (migration 0002). A longer prefix
query (`"fracture"*`) makes FTS5 read and merge the complete doclists of every word with that
prefix before it returns its first match: about a millisecond for "fracture" (20,000 codes)
or "right", however few rows the search then keeps. The same words as an OR of whole terms
(`"fracture" OR "fractured" OR "fractures"`) are read lazily in rowid order and stop with the
search (~0.1 ms).

The vocabulary (~12,000 words for ICD-10-CM) is read once per process and code set through an
fts5vocab table in the connection's temp schema (nothing is written to the store), about
30 ms. It is keyed by the searched set: a set is complete once it is active (it is imported
in one transaction), so every word of it is in a vocabulary read while it was active.
"""

from __future__ import annotations

import threading
from bisect import bisect_left

from sqlalchemy.orm import Session

MIN_EXPANDED = 5  # shorter prefixes are served by the FTS prefix indexes
MAX_EXPANSION = 24  # more words than this: the prefix query merges them faster than an OR
_CACHE_SIZE = 2

_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.code_fts_vocabulary "
    "USING fts5vocab(main, code_fts, row)"
)
_TERMS = "SELECT term FROM temp.code_fts_vocabulary"

_lock = threading.Lock()
_cache: dict[str, list[str]] = {}


def vocabulary(session: Session, set_id: str) -> list[str]:
    """Every word of the code index, sorted."""
    with _lock:
        terms = _cache.get(set_id)
        if terms is None:
            connection = session.connection()
            connection.exec_driver_sql(_CREATE)
            terms = sorted(row[0] for row in connection.exec_driver_sql(_TERMS))
            while len(_cache) >= _CACHE_SIZE:
                _cache.pop(next(iter(_cache)))
            _cache[set_id] = terms
        return terms


def expand(terms: list[str], prefix: str) -> list[str] | None:
    """The words starting with `prefix`, or None when the prefix query is the better one."""
    if len(prefix) < MIN_EXPANDED:
        return None
    start = bisect_left(terms, prefix)
    found: list[str] = []
    for term in terms[start : start + MAX_EXPANSION + 1]:
        if not term.startswith(prefix):
            break
        found.append(term)
    if not found or len(found) > MAX_EXPANSION:
        return None
    return found
