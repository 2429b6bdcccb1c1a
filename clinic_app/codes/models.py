"""What the code service takes and returns: plain frozen values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from clinic_app.errors import ValidationError


class CodeSystem(StrEnum):
    ICD10CM = "ICD-10-CM"
    ICD10PCS = "ICD-10-PCS"
    HCPCS = "HCPCS"
    CPT = "CPT"
    LOCAL = "LOCAL"

    @classmethod
    def parse(cls, text: str) -> CodeSystem:
        wanted = "".join(ch for ch in text.upper() if ch.isalnum())
        for system in cls:
            if "".join(ch for ch in system.value if ch.isalnum()) == wanted:
                return system
        if wanted in {"HCPCSLEVELII", "HCPCSII", "HCPCS2"}:
            return cls.HCPCS
        names = ", ".join(s.value for s in cls)
        raise ValidationError(f"Unknown code system. Choose one of: {names}.")


class CodeKind(StrEnum):
    CHAPTER = "chapter"
    BLOCK = "block"
    CATEGORY = "category"  # ICD-10-CM three-character category
    SUBCATEGORY = "subcategory"  # four to seven characters, as listed in the tabular
    EXTENSION = "extension"  # a seventh-character code generated from sevenChrDef
    CODE = "code"  # a code from a CSV set (HCPCS, CPT, local)


class NoteKind(StrEnum):
    INCLUSION = "inclusion"  # inclusion terms: other names for the code
    INCLUDES = "includes"
    EXCLUDES1 = "excludes1"
    EXCLUDES2 = "excludes2"
    CODE_FIRST = "code_first"
    USE_ADDITIONAL = "use_additional"
    CODE_ALSO = "code_also"
    NOTE = "note"
    SEVENTH_NOTE = "seventh_note"
    SEVENTH_CHARACTER = "seventh_character"  # "A: initial encounter for closed fracture"
    SYNONYM = "synonym"  # from a CSV set


@dataclass(frozen=True)
class CodeSetInfo:
    id: str
    system: CodeSystem
    version: str
    effective_date: date | None
    source: str
    active: bool
    imported_at: datetime
    code_count: int
    billable_count: int


@dataclass(frozen=True)
class CodeHit:
    """One search result. `set_id`/`set_version` are what a visit stores with the code."""

    code: str
    description: str
    billable: bool
    score: float
    system: CodeSystem
    set_id: str
    set_version: str


@dataclass(frozen=True)
class CodeNote:
    kind: NoteKind
    text: str


@dataclass(frozen=True)
class CodeNode:
    code: str
    description: str
    kind: CodeKind
    billable: bool


@dataclass(frozen=True)
class CodeDetail:
    """One code with its place in the hierarchy (chapter › block › category › …) and notes.

    `notes` are the code's own; `inherited_notes` come from its ancestors (an Excludes1 note on
    a category applies to every code below it), keyed by the ancestor's code.
    """

    node: CodeNode
    system: CodeSystem
    set_id: str
    set_version: str
    ancestors: list[CodeNode]
    children: list[CodeNode]
    notes: list[CodeNote]
    inherited_notes: dict[str, list[CodeNote]] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.node.code

    @property
    def hierarchy(self) -> str:
        return " › ".join(a.code for a in [*self.ancestors, self.node])


@dataclass(frozen=True)
class Evidence:
    """Words of the clinical text that support a suggestion: `text[start:end]`."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class CodeSuggestion:
    code: str
    description: str
    billable: bool
    score: float  # 0..1, comparable within one call
    evidence: list[Evidence]
    context: str  # "current", "history" (personal history), "family", "uncertain"
    system: CodeSystem
    set_id: str
    set_version: str
