"""Suggesting ICD-10-CM codes for clinical text, offline, by rules over the code set itself.

1. Read the note (`note_reader`): words and their places, abbreviations and lay terms expanded
   from resources/codes, sentences and list segments, NegEx/ConText-style context.
2. Match terms (`term_matching`): code titles, inclusion terms and default names whose required
   words all occur close together in one segment, scored by how rare and how many those words
   are (a longer, more specific match outscores a shorter one it contains).
3. Drop what the note negates, gives to a relative (a relative with a condition is a family
   history: Z80–Z84) or only screens for; weigh down history and
   uncertainty unless the code itself says so (Z85–Z87 "personal history", Z80–Z84 "family").
4. Specificity: a non-billable match descends to the child the note supports (a side named
   in the segment counts), else to the default child ("unspecified", "without
   complications"); an unspecified-side default becomes the named side's sibling; diabetes of
   no stated type is type 2; a code that needs a seventh character gets the initial encounter
   (A) unless the note says subsequent (D) or sequela (S).
5. Rank: the best code of each finding first, then alternatives (codes whose evidence lies
   inside a better one's).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from clinic_app.codes.active_set import ActiveSet
from clinic_app.codes.lexicon import Lexicon
from clinic_app.codes.models import CodeSuggestion, CodeSystem, Evidence
from clinic_app.codes.note_reader import ReadNote, read_note
from clinic_app.codes.stemming import stem
from clinic_app.codes.term_index import TermIndex
from clinic_app.codes.term_matching import TermMatch, context_of, match_terms

CONTEXT_FACTOR = {"current": 1.0, "family": 1.0, "history": 0.6, "uncertain": 0.5}
MAX_DESCENT = 6
_SIDES = frozenset({"left", "right", stem("bilateral")})
SCORE_SCALE = 12.0
_EXTENSIONS = text("SELECT id, code, description FROM codes WHERE parent_id = :parent")
_DESCRIPTIONS = "SELECT id, description FROM codes WHERE id IN ({ids})"
_BY_KEY = "SELECT id FROM codes WHERE set_id = ? AND code_key = ?"
_OTHER_TYPE = frozenset(stem(w) for w in ("other", "specified", "secondary"))


def suggest_codes(
    session: Session,
    code_set: ActiveSet,
    index: TermIndex,
    lexicon: Lexicon,
    note_text: str,
    *,
    limit: int,
) -> list[CodeSuggestion]:
    if not note_text.strip():
        return []
    first = read_note(note_text, lexicon)
    covered = {t.raw for m in match_terms(first, index) for t in m.tokens}
    note = read_note(note_text, lexicon, covered)
    candidates: list[tuple[float, TermMatch, str]] = []
    for match in match_terms(note, index):
        context = context_of(match, note)
        if context is None:
            continue
        candidates.append((match.score * CONTEXT_FACTOR[context], match, context))
    candidates.sort(key=lambda c: -c[0])
    primaries: list[tuple[float, TermMatch, str]] = []
    alternatives: list[tuple[float, TermMatch, str]] = []
    for position, candidate in enumerate(candidates):
        if _covered(candidate[1], position, candidates):
            alternatives.append(candidate)
        else:
            primaries.append(candidate)
    chosen: list[tuple[int, float, TermMatch, str]] = []
    seen: set[int] = set()
    note_stems = {t.stem for t in note.tokens}
    for score, match, context in primaries + alternatives:
        code_id = _specific(index, match, _sides(note, match))
        code_id = _type_2_unless_other(session, code_set, index, code_id, note_stems)
        if code_id in seen:
            continue
        seen.add(code_id)
        chosen.append((code_id, score, match, context))
        if len(chosen) >= limit:
            break
    # The term index holds no titles (they'd double its size): the few chosen are read here.
    titles: dict[int, str] = {}
    if chosen:
        ids = ", ".join(str(int(code_id)) for code_id, *_rest in chosen)
        titles = dict(session.connection().exec_driver_sql(_DESCRIPTIONS.format(ids=ids)).all())
    return [
        _suggestion(
            session, index, code_set, code_id, titles[code_id], score, match, context, note_text
        )
        for code_id, score, match, context in chosen
    ]


def _covered(
    match: TermMatch, position: int, candidates: list[tuple[float, TermMatch, str]]
) -> bool:
    """True when a better or more specific match explains the same words and more."""
    words = match.required_words
    for other_position, (_score, other, _context) in enumerate(candidates):
        if other_position == position:
            continue
        bigger = other.required_words
        if words < bigger or (words == bigger and other_position < position):
            return True
    return False


def _sides(note: ReadNote, match: TermMatch) -> frozenset[str]:
    """ "left"/"right"/"bilateral" in the match's segments: a side the term itself doesn't name
    ("left ankle sprain") still picks the left-ankle code when the match descends."""
    segments = {t.segment for t in match.tokens}
    return frozenset(t.stem for t in note.tokens if t.segment in segments and t.stem in _SIDES)


def _specific(index: TermIndex, match: TermMatch, sides: frozenset[str]) -> int:
    """The billable code the note supports under the matched one (or the matched one)."""
    stems = {t.stem for t in match.tokens} | sides
    code_id = match.term.code_id
    for _ in range(MAX_DESCENT):
        info = index.code(code_id)
        if info.billable or not info.children:
            break
        children = [index.code(c) for c in info.children]
        supported = [c for c in children if c.required <= stems]
        pool = supported or children
        code_id = max(
            pool,
            key=lambda c: (len(c.required & stems), c.default, c.code.endswith("9"), c.code),
        ).id
    return _sided(index, code_id, stems, sides)


def _type_2_unless_other(
    session: Session, code_set: ActiveSet, index: TermIndex, code_id: int, note_stems: set[str]
) -> int:
    """Diabetes of no stated type is type 2 (the Alphabetic Index: "Diabetes … E11.9"): an
    "Other specified diabetes" code (E13) reached only because its title has no type in it
    ("diabetic foot ulcer" → E13.621) becomes the type 2 code with the same detail (E11.621)
    unless the note says other, specified or secondary diabetes."""
    code = index.code(code_id).code
    if not code.startswith("E13.") or note_stems & _OTHER_TYPE:
        return code_id
    row = session.connection().exec_driver_sql(_BY_KEY, (code_set.id, "E11" + code[4:])).first()
    return int(row[0]) if row is not None else code_id


def _sided(index: TermIndex, code_id: int, stems: set[str], sides: frozenset[str]) -> int:
    """An unspecified-side code (a default such as "sprain of ankle" → S93.409) becomes its
    sibling for the side the note names (S93.402, left) when one says no more than that."""
    info = index.code(code_id)
    if not sides or not info.default or info.parent_id is None:
        return code_id
    try:
        parent = index.code(info.parent_id)
    except KeyError:  # a category at the top of the index
        return code_id
    known = stems | info.required
    sided = [
        index.code(c)
        for c in parent.children
        if index.code(c).required & sides and index.code(c).required - sides <= known
    ]
    return max(sided, key=lambda c: (len(c.required & sides), c.code)).id if sided else code_id


def _seventh(session: Session, code_id: int, note_text: str) -> tuple[int, str, str] | None:
    lowered = note_text.lower()
    wanted = "A"
    if "sequela" in lowered:
        wanted = "S"
    elif "subsequent" in lowered or "follow-up" in lowered or "follow up" in lowered:
        wanted = "D"
    rows = {row.code[-1]: row for row in session.execute(_EXTENSIONS, {"parent": code_id})}
    row = rows.get(wanted) or rows.get("A")
    return (row.id, row.code, row.description) if row else None


def _suggestion(
    session: Session,
    index: TermIndex,
    code_set: ActiveSet,
    code_id: int,
    description: str,
    score: float,
    match: TermMatch,
    context: str,
    note_text: str,
) -> CodeSuggestion:
    info = index.code(code_id)
    code, billable = info.code, info.billable
    if index.needs_seventh(code_id):
        extension = _seventh(session, code_id, note_text)
        if extension is not None:
            _id, code, description = extension
            billable = True
    spans = sorted({(t.start, t.end) for t in match.tokens})
    return CodeSuggestion(
        code=code,
        description=description,
        billable=billable,
        score=round(score / (score + SCORE_SCALE), 3),
        evidence=[Evidence(note_text[start:end], start, end) for start, end in spans],
        context=context,
        system=CodeSystem(code_set.system),
        set_id=code_set.id,
        set_version=code_set.version,
    )
