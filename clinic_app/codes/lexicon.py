"""The reviewable data files of resources/codes/: abbreviations, lay terms, context triggers
and default codes. Loaded once per process; phrases are folded and split into words the same
way as the notes they are matched against."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from clinic_app.codes.source_set import CodeImportError
from clinic_app.codes.text_folding import fold, words
from clinic_app.resource_files import resources_dir

RESOURCE_DIR = Path("codes")
FILES = ("abbreviations.tsv", "lay_terms.tsv", "context_triggers.tsv", "index_terms.tsv")
CONTEXT_TYPES = frozenset(
    {
        "negated",
        "negated_post",
        "pseudo",
        "family",
        "history",
        "uncertain",
        "hypothetical",
        "terminate",
    }
)


@dataclass(frozen=True)
class Expansion:
    words: tuple[str, ...]
    qualifier: bool  # refines a nearby condition; never suggests a code alone
    upper_only: bool  # only when written in capitals ("AF", "PE", "RA")


@dataclass(frozen=True)
class Lexicon:
    expansions: dict[tuple[str, ...], Expansion]
    triggers: dict[tuple[str, ...], str]
    index_terms: tuple[tuple[tuple[str, ...], str], ...]
    longest_phrase: int


def resource_dir() -> Path:
    """resources/codes in a source tree or a frozen build."""
    return resources_dir() / RESOURCE_DIR


def phrase_words(text: str) -> tuple[str, ...]:
    return tuple(words(text))


def _rows(path: Path) -> list[list[str]]:
    if not path.is_file():
        raise CodeImportError(f"The code suggestion data file {path.name} is missing.")
    rows = []
    header_seen = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            continue
        cells = line.split("\t")
        if len(cells) < 2 or not cells[0].strip() or not cells[1].strip():
            raise CodeImportError(f"{path.name} line {number}: two tab-separated columns needed.")
        rows.append([cell.strip() for cell in cells])
    return rows


@lru_cache(maxsize=4)
def load_lexicon(directory: Path | None = None) -> Lexicon:
    base = directory or resource_dir()
    expansions: dict[tuple[str, ...], Expansion] = {}
    for name in ("abbreviations.tsv", "lay_terms.tsv"):
        for cells in _rows(base / name):
            flags = set(cells[2].split(",")) if len(cells) > 2 else set()
            key = phrase_words(cells[0])
            if key:
                expansions[key] = Expansion(phrase_words(cells[1]), "q" in flags, "cs" in flags)
    triggers: dict[tuple[str, ...], str] = {}
    for cells in _rows(base / "context_triggers.tsv"):
        if cells[1] not in CONTEXT_TYPES:
            raise CodeImportError(f"context_triggers.tsv: unknown type {cells[1]!r}.")
        triggers[phrase_words(cells[0])] = cells[1]
    index_terms = tuple(
        (phrase_words(cells[0]), cells[1].upper()) for cells in _rows(base / "index_terms.tsv")
    )
    longest = max(len(key) for key in [*expansions, *triggers])
    return Lexicon(expansions, triggers, index_terms, longest)


__all__ = ["Expansion", "Lexicon", "fold", "load_lexicon", "phrase_words"]
