"""Where the suggester's term index lives: derived once per code set and kept inside the
encrypted store, so the first suggestion of a process loads it (tens of milliseconds) instead
of deriving it (2–3 s).

It is kept as one `store_meta` value per code set (`codes.term_index.<set id>`): the
`PackedIndex` as compact JSON, zlib-compressed, base64 (about 2 MB for ICD-10-CM). Inside the
store rather than a cache file beside it, although ICD-10-CM titles are public: it then goes
with the store everywhere (backups, restores, a copied data folder) and can't be swapped for a
different one by anyone who can only write the data folder. It is written in the import's
transaction (`store_term_index`), and otherwise the first time a set is used for suggestions
(a set imported before, or received by sync).

Each value starts with its derivation key: a hash of `FORMAT`, the default-code file and the
word lists the derivation uses. When any of them changes (a new release of the application),
the stored index no longer matches and is derived again, once, and replaced.
"""

from __future__ import annotations

import base64
import binascii
import gc
import hashlib
import json
import logging
import threading
import zlib

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from clinic_app.codes import stemming
from clinic_app.codes.lexicon import Lexicon
from clinic_app.codes.term_index import PackedIndex, TermIndex, build_packed
from clinic_app.storage.database import Database
from clinic_app.storage.meta import set_meta
from clinic_app.tasks import CancelToken

log = logging.getLogger(__name__)

# Bumped whenever the derivation itself changes (term_index.term_stems, build_packed).
FORMAT = 3
_KEY_PREFIX = "codes.term_index."
_CACHE_SIZE = 2
_READ = text("SELECT value FROM store_meta WHERE key = :key")

_lock = threading.Lock()
_cache: dict[str, TermIndex] = {}


def meta_key(set_id: str) -> str:
    return _KEY_PREFIX + set_id


def derivation_key(lexicon: Lexicon) -> str:
    words = [
        sorted(stemming.STOPWORDS),
        sorted(stemming.GENERIC),
        sorted(stemming.AFTER_UNSPECIFIED),
        sorted(stemming.WEAK),
        sorted(stemming.CONTEXT_STEMS),
        list(stemming.SUFFIXES),
        stemming.MIN_STEM,
        [[list(phrase), code] for phrase, code in lexicon.index_terms],
    ]
    digest = hashlib.sha256(json.dumps([FORMAT, words]).encode()).hexdigest()[:24]
    return f"v{FORMAT}-{digest}"


def encode(packed: PackedIndex, lexicon: Lexicon) -> str:
    document = {
        "idf": packed.idf,
        "default_idf": packed.default_idf,
        "anchors": packed.anchors,
        "codes": packed.codes,
    }
    raw = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    return derivation_key(lexicon) + ":" + base64.b64encode(zlib.compress(raw, 6)).decode()


def decode(value: str, lexicon: Lexicon) -> PackedIndex | None:
    """The stored index, or None when it was derived differently or is damaged."""
    key, _, payload = value.partition(":")
    if key != derivation_key(lexicon):
        return None
    try:
        document = json.loads(zlib.decompress(base64.b64decode(payload, validate=True)))
        packed = PackedIndex(
            idf=document["idf"],
            default_idf=float(document["default_idf"]),
            anchors=document["anchors"],
            codes=document["codes"],
        )
    except (binascii.Error, zlib.error, ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(part, dict) for part in (packed.idf, packed.anchors, packed.codes)):
        return None
    return packed


def store_term_index(
    session: Session, set_id: str, lexicon: Lexicon, cancel: CancelToken | None = None
) -> None:
    """Derives the index of a set and keeps it, in the caller's transaction (import)."""
    packed = _derive(session, set_id, lexicon, cancel)
    set_meta(session, meta_key(set_id), encode(packed, lexicon))


def term_index(db: Database, set_id: str, lexicon: Lexicon) -> TermIndex:
    """The set's index: from this process's cache, else the store, else derived and stored."""
    with _lock:
        cached = _cache.get(set_id)
        if cached is not None:
            return cached
        with db.unit_of_work(write=False) as uow:
            value = uow.session.execute(_READ, {"key": meta_key(set_id)}).scalar()
            packed = decode(value, lexicon) if value is not None else None
            if packed is None:
                log.info("deriving the code suggestion index: set=%s", set_id)
                packed = _derive(uow.session, set_id, lexicon)
                derived = True
            else:
                derived = False
        if derived:
            _keep(db, set_id, packed, lexicon)
        index = TermIndex(set_id, packed)
        while len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[set_id] = index
        return index


def forget_cached() -> None:
    """Drops this process's indexes (tests, and benchmarks of a first suggestion)."""
    with _lock:
        _cache.clear()


def _derive(
    session: Session, set_id: str, lexicon: Lexicon, cancel: CancelToken | None = None
) -> PackedIndex:
    # Deriving allocates ~10^6 small objects that all live on until packed: pausing the
    # cyclic garbage collector meanwhile halves the time.
    gc.disable()
    try:
        return build_packed(session, set_id, lexicon, cancel)
    finally:
        gc.enable()


def _keep(db: Database, set_id: str, packed: PackedIndex, lexicon: Lexicon) -> None:
    """Stores a derived index. Reference data, not clinical: no audit event. Another process
    storing the same index at the same moment is not an error; a store that can't be written
    now (locked) only means the next process derives it again."""
    try:
        with db.unit_of_work(durable=False) as uow:
            set_meta(uow.session, meta_key(set_id), encode(packed, lexicon))
            uow.commit()
    except (IntegrityError, OperationalError) as exc:
        log.info("code suggestion index not stored: %s", type(exc).__name__)
