"""Our own reader of the CMS ICD-10-CM tabular XML (the public-domain release file).

Keeps chapters, blocks (sections), categories and subcategories with their description,
inclusion terms and instructional notes (includes, excludes1/2, code first, use additional
code, code also, notes), and expands the seventh-character rules: every leaf code under a
`sevenChrDef` (its own or an ancestor's, the nearest wins) becomes one billable code per
listed character, padded with the placeholder X to six characters first, as CMS prescribes
(`S72.001` + `A` → `S72.001A`; `S02.0` → `S02.0XXA`; `T68` → `T68.XXXA`). A leaf under such a
rule is not billable without its seventh character.

One rule is not in the XML: the 7th characters D and S do not apply to the "death due to
brain injury" codes S06.-X7 / S06.-X8 (Tabular note under S06, FY2023 on). When the release's
code list is at hand (`code-list-*.txt` in the same package), it is the authority and any
generated code missing from it is dropped.

Streaming (`iterparse`), so memory stays flat on the ~10 MB file; elements are cleared as soon
as their data is taken.
"""

from __future__ import annotations

import gc
import importlib.util
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from clinic_app.codes.models import CodeKind, CodeSystem, NoteKind
from clinic_app.codes.source_set import (
    MAX_CODE_CHARS,
    MAX_DESCRIPTION_CHARS,
    MAX_NOTE_CHARS,
    CodeImportError,
    SourceCode,
    SourceSet,
    check_text,
    code_key,
    ordered,
)
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

PACKAGE = "simple_icd_10_cm"
PACKAGED_XML = "icd10c-tabular-April-1-2026.xml"
PACKAGED_CODE_LIST = "code-list-April-2026.txt"
PACKAGED_VERSION = "2026-04"
PACKAGED_EFFECTIVE = date(2026, 4, 1)
ROOT_TAG = "ICD10CM.tabular"
MAX_FILE_BYTES = 200 * 1024 * 1024
_CANCEL_EVERY = 2000

_CODE = re.compile(r"^[A-Z][0-9A-Z]{2}(\.[0-9A-Z]{1,4})?$")
_NOTE_CONTAINERS: dict[str, NoteKind] = {
    "inclusionTerm": NoteKind.INCLUSION,
    "includes": NoteKind.INCLUDES,
    "excludes1": NoteKind.EXCLUDES1,
    "excludes2": NoteKind.EXCLUDES2,
    "codeFirst": NoteKind.CODE_FIRST,
    "useAdditionalCode": NoteKind.USE_ADDITIONAL,
    "codeAlso": NoteKind.CODE_ALSO,
    "notes": NoteKind.NOTE,
    "sevenChrNote": NoteKind.SEVENTH_NOTE,
}
_NODE_TAGS = {"chapter", "section", "diag"}


@dataclass
class _Frame:
    tag: str
    index: int  # position in the parse list
    parent: int | None
    name: str = ""
    description: str = ""
    children: int = 0
    notes: list[tuple[NoteKind, str]] = field(default_factory=list)
    seventh: dict[str, str] | None = None  # own sevenChrDef
    inherited: dict[str, str] | None = None  # nearest ancestor's


def _package_data_dir() -> Path:
    # find_spec locates the package without running it (importing it parses the whole XML).
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise CodeImportError(
            "The ICD-10-CM release is not installed (package simple-icd-10-cm); reinstall the "
            "application."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def packaged_xml_path() -> Path:
    return _package_data_dir() / PACKAGED_XML


def packaged_code_list_path() -> Path | None:
    path = _package_data_dir() / PACKAGED_CODE_LIST
    return path if path.is_file() else None


def read_code_list(path: Path) -> set[str]:
    """The release's flat list of every item (chapters, blocks, codes), one per line."""
    with path.open(encoding="utf-8") as handle:
        return {line.split(" ")[0].strip().upper() for line in handle if line.strip()}


def seventh_character_allowed(compact: str, character: str) -> bool:
    """CMS: D and S do not apply to S06.-X7 and S06.-X8 (death before regaining consciousness)."""
    return not (compact.startswith("S06") and compact[5:6] in {"7", "8"} and character in "DS")


def _dotted(compact: str) -> str:
    return compact if len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"


def _level(kind: CodeKind, code: str) -> int:
    if kind is CodeKind.CHAPTER:
        return 0
    if kind is CodeKind.BLOCK:
        return 1
    if kind is CodeKind.EXTENSION:
        return 9
    return 1 + len(code_key(code)) - 2  # category (3) → 2, … seven characters → 6


class _Reader:
    def __init__(self, valid_codes: set[str] | None, cancel: CancelToken | None) -> None:
        self.valid_codes = valid_codes
        self.cancel = cancel
        self.items: list[SourceCode | None] = []
        self.frames: list[_Frame] = []
        self.path: list[str] = []
        self.seen: set[str] = set()
        self.dropped = 0

    def read(self, source: IO[bytes]) -> list[SourceCode]:
        events = ET.iterparse(source, events=("start", "end"))
        for event, element in events:
            if event == "start":
                self._start(element)
            else:
                self._end(element)
        if not self.path_closed:
            raise CodeImportError("The ICD-10-CM file ends before its last element is closed.")
        items = [item for item in self.items if item is not None]
        if not any(item.kind is CodeKind.CHAPTER for item in items):
            raise CodeImportError("The file holds no ICD-10-CM chapters: is it the tabular XML?")
        return items

    @property
    def path_closed(self) -> bool:
        return not self.path

    def _start(self, element: ET.Element) -> None:
        if not self.path and element.tag != ROOT_TAG:
            raise CodeImportError(
                f"This is not an ICD-10-CM tabular file (its root element is <{element.tag}>, "
                f"expected <{ROOT_TAG}>)."
            )
        self.path.append(element.tag)
        if element.tag not in _NODE_TAGS:
            return
        parent = self.frames[-1] if self.frames else None
        if element.tag != "chapter" and parent is None:
            raise CodeImportError(f"A <{element.tag}> element sits outside any chapter.")
        if parent is not None:
            parent.children += 1
        frame = _Frame(
            tag=element.tag,
            index=len(self.items),
            parent=parent.index if parent else None,
            inherited=(parent.seventh or parent.inherited) if parent else None,
        )
        if element.tag == "section":
            frame.name = (element.get("id") or "").strip()
        self.items.append(None)  # placeholder: filled when the element ends (document order)
        self.frames.append(frame)
        if len(self.items) % _CANCEL_EVERY == 0 and self.cancel is not None:
            self.cancel.raise_if_cancelled()

    def _end(self, element: ET.Element) -> None:
        tag = self.path.pop()
        parent_tag = self.path[-1] if self.path else ""
        frame = self.frames[-1] if self.frames else None
        if tag in _NODE_TAGS:
            self._finish(self.frames.pop())
            element.clear()
        elif frame is not None and tag in {"name", "desc"} and parent_tag == frame.tag:
            what = f"The name or description of {frame.name or 'an item'}"
            text = check_text(element.text or "", what, MAX_DESCRIPTION_CHARS)
            if tag == "name":
                frame.name = text
            else:
                frame.description = text
        elif frame is not None and tag == "note" and parent_tag in _NOTE_CONTAINERS:
            text = check_text(element.text or "", f"A note of {frame.name}", MAX_NOTE_CHARS)
            if text:
                frame.notes.append((_NOTE_CONTAINERS[parent_tag], text))
        elif frame is not None and tag == "extension" and parent_tag == "sevenChrDef":
            character = (element.get("char") or "").strip().upper()
            if len(character) != 1 or not character.isalnum():
                raise CodeImportError(f"A seventh character of {frame.name} is not one letter.")
            what = f"A seventh character of {frame.name}"
            text = check_text(element.text or "", what, MAX_NOTE_CHARS)
            frame.seventh = {**(frame.seventh or {}), character: text}
            frame.notes.append((NoteKind.SEVENTH_CHARACTER, f"{character}: {text}"))

    def _finish(self, frame: _Frame) -> None:
        if not frame.name:
            raise CodeImportError(f"A <{frame.tag}> element has no name.")
        if not frame.description:
            raise CodeImportError(f"{frame.name} has no description.")
        if frame.tag == "chapter":
            kind = CodeKind.CHAPTER
        elif frame.tag == "section":
            kind = CodeKind.BLOCK
        else:
            if not _CODE.match(frame.name) or len(frame.name) > MAX_CODE_CHARS:
                raise CodeImportError(f"{frame.name[:40]!r} is not an ICD-10-CM code.")
            kind = CodeKind.CATEGORY if len(frame.name) == 3 else CodeKind.SUBCATEGORY
            if frame.name in self.seen:
                raise CodeImportError(f"The code {frame.name} appears twice in the file.")
            self.seen.add(frame.name)
        rule = frame.seventh or frame.inherited
        is_code = kind in {CodeKind.CATEGORY, CodeKind.SUBCATEGORY}
        leaf = is_code and frame.children == 0
        item = SourceCode(
            code=frame.name,
            kind=kind,
            description=frame.description,
            billable=leaf and rule is None,
            parent=frame.parent,
            notes=frame.notes,
            level=_level(kind, frame.name),
        )
        self.items[frame.index] = item
        if leaf and rule is not None:
            self._expand(frame.index, item, rule)

    def _expand(self, parent: int, item: SourceCode, rule: dict[str, str]) -> None:
        compact = code_key(item.code)
        if len(compact) >= 7:
            return
        padded = compact.ljust(6, "X")
        for character, meaning in rule.items():
            full = padded + character
            allowed = seventh_character_allowed(padded, character)
            if allowed and self.valid_codes is not None:
                allowed = full in self.valid_codes
            if not allowed:
                self.dropped += 1
                continue
            code = _dotted(full)
            if code in self.seen:
                raise CodeImportError(f"The code {code} appears twice in the file.")
            self.seen.add(code)
            self.items.append(
                SourceCode(
                    code=code,
                    kind=CodeKind.EXTENSION,
                    description=f"{item.description}, {meaning}",
                    billable=True,
                    parent=parent,
                    level=_level(CodeKind.EXTENSION, code),
                )
            )


@dataclass(frozen=True)
class Icd10cmFile:
    path: Path
    version: str
    effective_date: date | None
    source: str
    code_list: Path | None = None


def packaged_release() -> Icd10cmFile:
    """The April 1, 2026 release shipped inside the `simple-icd-10-cm` package (CMS, public
    domain): read from disk, never fetched."""
    return Icd10cmFile(
        path=packaged_xml_path(),
        version=PACKAGED_VERSION,
        effective_date=PACKAGED_EFFECTIVE,
        source=f"CMS/NCHS ICD-10-CM tabular XML, {PACKAGED_XML} (simple-icd-10-cm package)",
        code_list=packaged_code_list_path(),
    )


def parse_icd10cm(
    release: Icd10cmFile,
    progress: ProgressReporter | None = None,
    cancel: CancelToken | None = None,
) -> SourceSet:
    progress = progress or NullProgress()
    path = release.path
    if not path.is_file():
        raise CodeImportError(f"No ICD-10-CM file at {path.name}.")
    size = path.stat().st_size
    if size == 0:
        raise CodeImportError("The ICD-10-CM file is empty.")
    if size > MAX_FILE_BYTES:
        raise CodeImportError("The ICD-10-CM file is larger than any release; refusing it.")
    valid = read_code_list(release.code_list) if release.code_list else None
    progress.report(0, 0, "Reading the ICD-10-CM release")
    reader = _Reader(valid, cancel)
    gc.disable()  # ~10^6 long-lived objects: the cyclic collector would only slow reading
    try:
        with path.open("rb") as handle:
            items = reader.read(handle)
    except ET.ParseError as exc:
        line, column = exc.position
        raise CodeImportError(
            f"The ICD-10-CM file is not well-formed XML (line {line}, column {column}): "
            "it may be truncated or not UTF-8."
        ) from exc
    finally:
        gc.enable()
    return SourceSet(
        system=CodeSystem.ICD10CM,
        version=release.version,
        effective_date=release.effective_date,
        source=release.source,
        items=ordered(items),
    )


def billable_codes(items: Iterable[SourceCode]) -> list[str]:
    return [item.code for item in items if item.billable]
