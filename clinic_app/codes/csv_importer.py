"""The one file format for code sets other than ICD-10-CM: HCPCS Level II, CPT, local lists.

    UTF-8 text (a byte-order mark is allowed), one header row, comma- or tab-separated (a header
    line with a tab means tab-separated). Column names, in any order and any case:

    code         required   the code as printed ("J1100", "99213", "LOC-001")
    description  required   the code's title
    parent       optional   the code of a broader entry in the same file (for the hierarchy)
    synonyms     optional   other names, separated by "|" (searched like the description)
    billable     optional   yes/no, true/false, 1/0; empty means yes

Other columns are ignored. Empty lines are skipped. A code may appear once; a parent must be a
code of the same file. Any problem stops the import with the line number; nothing is written.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

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

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_FIELD_CHARS = 20_000
MAX_DEPTH = 12
REQUIRED = ("code", "description")
_YES = {"", "1", "y", "yes", "true", "t"}
_NO = {"0", "n", "no", "false", "f"}


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise CodeImportError(f"No file named {path.name}.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CodeImportError("The code file is larger than 100 MB; refusing it.")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CodeImportError(
            f"The code file is not UTF-8 text (line {line}); save it as UTF-8 and try again."
        ) from exc


def _billable(value: str, line: int) -> bool:
    folded = value.strip().lower()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise CodeImportError(f"Line {line}: billable must be yes or no.")


def _header(fields: list[str] | None) -> dict[str, int]:
    if not fields or not any(name.strip() for name in fields):
        raise CodeImportError("The code file is empty: it needs a header row and codes.")
    columns = {name.strip().lower(): index for index, name in enumerate(fields)}
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise CodeImportError(
            f"The header row lacks the column(s): {', '.join(missing)} "
            "(expected code, description and optionally parent, synonyms, billable)."
        )
    return columns


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return row[index].strip() if index is not None and index < len(row) else ""


def parse_code_file(
    path: Path,
    system: CodeSystem,
    version: str,
    *,
    effective_date: date | None = None,
    source: str | None = None,
    progress: ProgressReporter | None = None,
    cancel: CancelToken | None = None,
) -> SourceSet:
    progress = progress or NullProgress()
    text = _read_text(path)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line else ","
    previous_limit = csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        items, parents = _rows(text, delimiter, cancel)
    finally:
        csv.field_size_limit(previous_limit)
    if not items:
        raise CodeImportError("The code file has a header but no codes.")
    _link(items, parents)
    progress.report(len(items), len(items), f"Read {len(items)} codes")
    return SourceSet(
        system=system,
        version=version,
        effective_date=effective_date,
        source=source or f"file {path.name}",
        items=ordered(items),
    )


def _rows(
    text: str, delimiter: str, cancel: CancelToken | None
) -> tuple[list[SourceCode], dict[int, tuple[str, int]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    items: list[SourceCode] = []
    parents: dict[int, tuple[str, int]] = {}
    seen: dict[str, int] = {}
    try:
        columns = _header(next(reader, None))
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if cancel is not None and line % 5000 == 0:
                cancel.raise_if_cancelled()
            code = _cell(row, columns, "code")
            description = _cell(row, columns, "description")
            if not code or not description:
                raise CodeImportError(f"Line {line}: a code and a description are required.")
            if len(code) > MAX_CODE_CHARS or any(ch.isspace() for ch in code):
                raise CodeImportError(f"Line {line}: {code[:40]!r} is not a valid code.")
            key = code_key(code)
            if key in seen:
                raise CodeImportError(
                    f"Line {line}: the code {code} already appears on line {seen[key]}."
                )
            seen[key] = line
            item = SourceCode(
                code=code,
                kind=CodeKind.CODE,
                description=check_text(
                    description, f"Line {line}: the description", MAX_DESCRIPTION_CHARS
                ),
                billable=_billable(_cell(row, columns, "billable"), line),
            )
            for synonym in _cell(row, columns, "synonyms").split("|"):
                cleaned = check_text(synonym, f"Line {line}: a synonym", MAX_NOTE_CHARS)
                if cleaned:
                    item.notes.append((NoteKind.SYNONYM, cleaned))
            parent = _cell(row, columns, "parent")
            if parent:
                parents[len(items)] = (code_key(parent), line)
            items.append(item)
    except csv.Error as exc:
        raise CodeImportError(
            f"Line {reader.line_num}: the file cannot be read as CSV/TSV ({exc})."
        ) from exc
    return items, parents


def _link(items: list[SourceCode], parents: dict[int, tuple[str, int]]) -> None:
    index_of = {code_key(item.code): index for index, item in enumerate(items)}
    for index, (parent_key, line) in parents.items():
        if parent_key not in index_of:
            raise CodeImportError(f"Line {line}: the parent code is not in the file.")
        items[index].parent = index_of[parent_key]
    for index, item in enumerate(items):
        depth, cursor = 0, item.parent
        while cursor is not None:
            depth += 1
            if depth > MAX_DEPTH or cursor == index:
                raise CodeImportError(f"The parents of {item.code} form a loop or run too deep.")
            cursor = items[cursor].parent
        item.level = depth
