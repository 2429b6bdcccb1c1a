"""Code set releases ↔ CodeSystem (content complete, one concept per code).

A release travels whole: every code with its kind, billable flag, parent and notes, and a
SHA-256 over that content in canonical form. Code sets are reference data, not synced rows:
they come down as releases (see `clinic_app.sync.code_releases`), are checked against their
checksum and count, imported beside the existing versions, and only then activated.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.codes.models import CodeKind, CodeSystem, NoteKind
from clinic_app.codes.source_set import SourceCode, SourceSet
from clinic_app.codes.tables import CodeNoteRow, CodeRow, CodeSetRow
from clinic_app.sync.errors import MappingError
from clinic_app.sync.fhir_values import extension_value, extensions, table_tag
from clinic_app.sync.mappings.encounter import CODE_SYSTEMS

NOTE_KIND_SYSTEM = "https://fhir.clinic-app.local/CodeSystem/code-note-kind"
RELEASE_TABLE = "code_sets"
_SLUG = re.compile(r"[^a-z0-9.]+")
_SYSTEM_BY_URL = {url: name for name, url in CODE_SYSTEMS.items()}


def release_id(system: str, version: str) -> str:
    slug = _SLUG.sub("-", f"{system}-{version}".lower()).strip("-")
    return slug[:64] or "code-set"


def canonical_digest(items: list[SourceCode]) -> str:
    """SHA-256 over every code in order: code, kind, billable, parent code, text, notes."""
    digest = hashlib.sha256()
    for item in items:
        parent = items[item.parent].code if item.parent is not None else None
        line = [
            item.code,
            item.kind.value,
            item.billable,
            parent,
            item.description,
            [[kind.value, text] for kind, text in item.notes],
        ]
        digest.update(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def load_release(session: Session, system: str, version: str) -> SourceSet:
    """A local code set as a release (in its import order)."""
    row = session.scalar(
        select(CodeSetRow).where(CodeSetRow.system == system, CodeSetRow.version == version)
    )
    if row is None:
        raise MappingError("No code set with that system and version is imported here.")
    codes = session.execute(
        select(
            CodeRow.id,
            CodeRow.code,
            CodeRow.kind,
            CodeRow.billable,
            CodeRow.parent_id,
            CodeRow.description,
        )
        .where(CodeRow.set_id == row.id)
        .order_by(CodeRow.id)
    ).all()
    notes: dict[int, list[tuple[NoteKind, str]]] = {}
    for code_id, kind, text in session.execute(
        select(CodeNoteRow.code_id, CodeNoteRow.kind, CodeNoteRow.text)
        .join(CodeRow, CodeRow.id == CodeNoteRow.code_id)
        .where(CodeRow.set_id == row.id)
        .order_by(CodeNoteRow.code_id, CodeNoteRow.position)
    ):
        notes.setdefault(code_id, []).append((NoteKind(kind), text))
    first = row.first_rowid
    items = [
        SourceCode(
            code=code,
            kind=CodeKind(kind),
            description=description,
            billable=bool(billable),
            parent=None if parent is None else parent - first,
            notes=notes.get(code_id, []),
        )
        for code_id, code, kind, billable, parent, description in codes
    ]
    return SourceSet(CodeSystem(row.system), row.version, row.effective_date, row.source, items)


def to_code_system(release: SourceSet, *, active: bool) -> dict[str, Any]:
    concepts = []
    for item in release.items:
        properties: list[dict[str, Any]] = [
            {"code": "kind", "valueCode": item.kind.value},
            {"code": "billable", "valueBoolean": item.billable},
        ]
        if item.parent is not None:
            properties.append({"code": "parent", "valueCode": release.items[item.parent].code})
        concept: dict[str, Any] = {
            "code": item.code,
            "display": item.description,
            "property": properties,
        }
        if item.notes:
            concept["designation"] = [
                {"use": {"system": NOTE_KIND_SYSTEM, "code": kind.value}, "value": text}
                for kind, text in item.notes
            ]
        concepts.append(concept)
    resource: dict[str, Any] = {
        "resourceType": "CodeSystem",
        "id": release_id(release.system.value, release.version),
        "meta": table_tag(RELEASE_TABLE),
        "extension": extensions(
            [
                ("code-system", "valueString", release.system.value),
                ("sha256", "valueString", canonical_digest(release.items)),
                ("source", "valueString", release.source[:500] or None),
            ]
        ),
        "url": CODE_SYSTEMS.get(release.system.value, CODE_SYSTEMS["LOCAL"]),
        "version": release.version,
        "name": "".join(ch for ch in release.system.value if ch.isalnum()),
        "status": "active" if active else "draft",
        "content": "complete",
        "hierarchyMeaning": "is-a",
        "count": len(concepts),
        "property": [
            {"code": "kind", "type": "code"},
            {"code": "billable", "type": "boolean"},
            {"code": "parent", "type": "code"},
        ],
        "concept": concepts,
    }
    if release.effective_date is not None:
        resource["date"] = release.effective_date.isoformat()
    return resource


def from_code_system(resource: Mapping[str, Any]) -> tuple[SourceSet, bool]:
    """The release and whether it is to be activated; MappingError when it doesn't check out."""
    data = resource
    name = extension_value(data, "code-system", "valueString") or _SYSTEM_BY_URL.get(
        str(resource.get("url"))
    )
    try:
        system = CodeSystem(str(name))
    except ValueError as exc:
        raise MappingError(
            "The code system release is for a system this clinic doesn't use."
        ) from exc
    version = resource.get("version")
    if not isinstance(version, str) or not version.strip() or len(version) > 40:
        raise MappingError("The code system release has no usable version.")
    if resource.get("content") != "complete":
        raise MappingError("Only complete code system releases can be imported.")
    concepts = resource.get("concept")
    if not isinstance(concepts, list) or not concepts:
        raise MappingError("The code system release holds no codes.")
    items = _items(concepts)
    if resource.get("count") != len(items):
        raise MappingError("The code system release's count does not match its codes.")
    expected = extension_value(data, "sha256", "valueString")
    if not isinstance(expected, str) or canonical_digest(items) != expected:
        raise MappingError("The code system release's checksum does not match its codes.")
    effective = None
    if isinstance(resource.get("date"), str):
        try:
            effective = date.fromisoformat(str(resource["date"])[:10])
        except ValueError as exc:
            raise MappingError("The code system release's date is not a date.") from exc
    source = extension_value(data, "source", "valueString") or "sync"
    release = SourceSet(system, version.strip(), effective, f"sync: {source}"[:500], items)
    return release, resource.get("status") == "active"


def _items(concepts: list[Any]) -> list[SourceCode]:
    items: list[SourceCode] = []
    index: dict[str, int] = {}
    parents: list[str | None] = []
    for concept in concepts:
        if not isinstance(concept, dict) or not isinstance(concept.get("code"), str):
            raise MappingError("A code in the release has no code.")
        props = {p.get("code"): p for p in concept.get("property") or [] if isinstance(p, dict)}
        try:
            kind = CodeKind(str((props.get("kind") or {}).get("valueCode")))
            notes = [
                (NoteKind(str(d["use"]["code"])), str(d["value"]))
                for d in concept.get("designation") or []
            ]
        except (ValueError, KeyError, TypeError) as exc:
            raise MappingError("A code in the release has an unknown kind or note.") from exc
        billable = (props.get("billable") or {}).get("valueBoolean")
        display = concept.get("display")
        if not isinstance(billable, bool) or not isinstance(display, str):
            raise MappingError("A code in the release lacks its title or billable flag.")
        parent = (props.get("parent") or {}).get("valueCode")
        index.setdefault(concept["code"], len(items))
        parents.append(parent if isinstance(parent, str) else None)
        items.append(SourceCode(concept["code"], kind, display, billable, None, notes))
    for item, parent in zip(items, parents, strict=True):
        if parent is not None:
            if parent not in index:
                raise MappingError("A code in the release names a parent that isn't in it.")
            item.parent = index[parent]
    return items
