"""One code's place in the hierarchy (chapter › block › category › …) and its notes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.codes.models import CodeDetail, CodeKind, CodeNode, CodeNote, CodeSystem, NoteKind
from clinic_app.codes.source_set import code_key
from clinic_app.codes.tables import CodeNoteRow, CodeRow, CodeSetRow

MAX_CHILDREN = 500
MAX_DEPTH = 16


def _node(row: CodeRow) -> CodeNode:
    return CodeNode(row.code, row.description, CodeKind(row.kind), row.billable)


def _notes(session: Session, code_id: int) -> list[CodeNote]:
    rows = session.scalars(
        select(CodeNoteRow).where(CodeNoteRow.code_id == code_id).order_by(CodeNoteRow.position)
    )
    return [CodeNote(NoteKind(row.kind), row.text) for row in rows]


def find_code(session: Session, code_set: CodeSetRow, code: str) -> CodeRow | None:
    return session.scalar(
        select(CodeRow)
        .where(
            CodeRow.set_id == code_set.id,
            CodeRow.code_key == code_key(code),
            CodeRow.kind.not_in((CodeKind.CHAPTER.value, CodeKind.BLOCK.value)),
        )
        .limit(1)
    )


def code_detail(session: Session, code_set: CodeSetRow, code: str) -> CodeDetail | None:
    row = find_code(session, code_set, code)
    if row is None:
        return None
    ancestors: list[CodeRow] = []
    parent_id = row.parent_id
    while parent_id is not None and len(ancestors) < MAX_DEPTH:
        parent = session.get(CodeRow, parent_id)
        if parent is None:
            break
        ancestors.append(parent)
        parent_id = parent.parent_id
    ancestors.reverse()
    children = session.scalars(
        select(CodeRow)
        .where(CodeRow.parent_id == row.id)
        .order_by(CodeRow.code_key)
        .limit(MAX_CHILDREN)
    )
    inherited = {}
    for ancestor in ancestors:
        notes = [n for n in _notes(session, ancestor.id) if n.kind is not NoteKind.INCLUSION]
        if notes:
            inherited[ancestor.code] = notes
    return CodeDetail(
        node=_node(row),
        system=CodeSystem(code_set.system),
        set_id=code_set.id,
        set_version=code_set.version,
        ancestors=[_node(a) for a in ancestors],
        children=[_node(c) for c in children],
        notes=_notes(session, row.id),
        inherited_notes=inherited,
    )
