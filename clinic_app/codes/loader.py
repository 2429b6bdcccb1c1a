"""Writes a parsed code set into the store, inside the caller's transaction.

The caller commits once at the end, so a failed or cancelled import leaves nothing behind and
the previously active version of the system stays active.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clinic_app.codes.models import CodeKind, NoteKind
from clinic_app.codes.source_set import CodeImportError, SourceCode, SourceSet, code_key
from clinic_app.codes.tables import CodeRow, CodeSetRow
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

BATCH = 5000
BILLABLE_FLAG = "zzbillable"
# Terms that name the code in other words (inclusion terms, "includes" notes, synonyms) are
# indexed for search; instructional notes (excludes, code first, …) are not.
_SEARCH_TERMS = {NoteKind.INCLUSION, NoteKind.INCLUDES, NoteKind.SYNONYM}
_NOT_INDEXED = {CodeKind.CHAPTER, CodeKind.BLOCK}

_INSERT_CODE = (
    "INSERT INTO codes (id, set_id, code, code_key, description, kind, billable, parent_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_NOTE = "INSERT INTO code_notes (code_id, kind, text, position) VALUES (?, ?, ?, ?)"
_INSERT_FTS = "INSERT INTO code_fts (rowid, description, terms, flags) VALUES (?, ?, ?, ?)"


def _batches(rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _fts_row(rowid: int, item: SourceCode) -> tuple[int, str, str, str]:
    terms = " ; ".join(text for kind, text in item.notes if kind in _SEARCH_TERMS)
    return (rowid, item.description, terms, BILLABLE_FLAG if item.billable else "")


def write_code_set(
    session: Session,
    source: SourceSet,
    *,
    imported_by: str | None,
    activate: bool,
    progress: ProgressReporter | None = None,
    cancel: CancelToken | None = None,
) -> CodeSetRow:
    progress = progress or NullProgress()
    if not source.items:
        raise CodeImportError("The code set holds no codes.")
    exists = session.scalar(
        select(CodeSetRow.id).where(
            CodeSetRow.system == source.system.value, CodeSetRow.version == source.version
        )
    )
    if exists is not None:
        raise CodeImportError(
            f"{source.system.value} version {source.version} is already imported; "
            "activate it or import under another version label."
        )
    first = int(session.scalar(select(func.coalesce(func.max(CodeRow.id), 0))) or 0) + 1
    row = CodeSetRow(
        system=source.system.value,
        version=source.version,
        effective_date=source.effective_date,
        source=source.source[:500],
        active=False,
        imported_by=imported_by,
        code_count=sum(1 for i in source.items if i.kind not in _NOT_INDEXED),
        billable_count=source.billable_count,
        first_rowid=first,
        last_rowid=first + len(source.items) - 1,
    )
    session.add(row)
    session.flush()
    codes, notes, fts = [], [], []
    for offset, item in enumerate(source.items):
        rowid = first + offset
        parent = None if item.parent is None else first + item.parent
        codes.append(
            (
                rowid,
                row.id,
                item.code,
                code_key(item.code),
                item.description,
                item.kind.value,
                item.billable,
                parent,
            )
        )
        notes.extend(
            (rowid, kind.value, text, position) for position, (kind, text) in enumerate(item.notes)
        )
        if item.kind not in _NOT_INDEXED:
            fts.append(_fts_row(rowid, item))
    total = len(codes) + len(notes) + len(fts)
    done = 0
    connection = session.connection()
    for statement, rows in ((_INSERT_CODE, codes), (_INSERT_NOTE, notes), (_INSERT_FTS, fts)):
        for batch in _batches(rows):
            if cancel is not None:
                cancel.raise_if_cancelled()
            connection.exec_driver_sql(statement, list(batch))
            done += len(batch)
            progress.report(done, total, f"Writing {source.system.value} {source.version}")
    if activate:
        activate_set(session, row)
    return row


def activate_set(session: Session, row: CodeSetRow) -> None:
    session.execute(
        update(CodeSetRow)
        .where(CodeSetRow.system == row.system, CodeSetRow.id != row.id)
        .values(active=False)
    )
    row.active = True
    session.flush()
