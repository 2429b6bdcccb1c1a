"""A parsed code set, before it is written: what every importer produces and the loader writes.

Items are ordered from general to specific (chapters, blocks, categories, … seventh-character
codes); the loader gives them consecutive rowids in that order, which broad searches rely on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from clinic_app.codes.models import CodeKind, CodeSystem, NoteKind
from clinic_app.errors import ClinicError

MAX_DESCRIPTION_CHARS = 2000
MAX_NOTE_CHARS = 4000
MAX_CODE_CHARS = 40


class CodeImportError(ClinicError):
    """The file is not a valid code set; nothing was imported."""


def code_key(code: str) -> str:
    """The form codes are looked up by: upper case, no dots or spaces ("e11.9" → "E119")."""
    return "".join(code.split()).replace(".", "").upper()


@dataclass
class SourceCode:
    code: str
    kind: CodeKind
    description: str
    billable: bool
    parent: int | None = None  # index into SourceSet.items
    notes: list[tuple[NoteKind, str]] = field(default_factory=list)
    level: int = 0


@dataclass
class SourceSet:
    system: CodeSystem
    version: str
    effective_date: date | None
    source: str
    items: list[SourceCode]

    @property
    def billable_count(self) -> int:
        return sum(1 for item in self.items if item.billable)


def ordered(items: list[SourceCode]) -> list[SourceCode]:
    """Stable sort by level (general first), remapping parent indexes to the new positions."""
    order = sorted(range(len(items)), key=lambda index: items[index].level)
    new_position = {old: new for new, old in enumerate(order)}
    result = []
    for old in order:
        item = items[old]
        if item.parent is not None:
            item.parent = new_position[item.parent]
        result.append(item)
    return result


def check_text(text: str, what: str, limit: int) -> str:
    cleaned = " ".join(text.split())
    if len(cleaned) > limit:
        raise CodeImportError(f"{what} is longer than {limit} characters; is this the right file?")
    return cleaned
