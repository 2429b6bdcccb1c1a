"""Code set releases pulled from the server: checked, imported beside what is here, then
activated (when the release says it is the active one). A release that fails its checks is
held in the quarantine with the reason; the version in use stays active."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.codes.loader import activate_set, write_code_set
from clinic_app.codes.source_set import SourceSet
from clinic_app.codes.tables import CodeSetRow
from clinic_app.errors import NotFoundError
from clinic_app.storage.audit import SYSTEM_ACTOR, AuditLog
from clinic_app.sync.errors import MappingError
from clinic_app.sync.journal import LogEvent, write_log
from clinic_app.sync.mappings.codesystem import from_code_system, load_release, to_code_system


def apply_release(
    session: Session, server_url: str, audit: AuditLog, resource: dict[str, Any]
) -> bool:
    """Imports the release unless that version is here already. Returns True when imported."""
    release, activate = from_code_system(resource)
    existing = session.scalar(
        select(CodeSetRow).where(
            CodeSetRow.system == release.system.value, CodeSetRow.version == release.version
        )
    )
    if existing is not None:
        if activate and not existing.active:
            activate_set(session, existing)
        return False
    row = write_code_set(session, release, imported_by=None, activate=False)
    if row.last_rowid - row.first_rowid + 1 != len(release.items):
        raise MappingError("The code set release was not written whole.")
    if activate:
        activate_set(session, row)
    audit.append(
        session,
        SYSTEM_ACTOR,
        "codes.import",
        record_type="code_set",
        record_id=row.id,
        details={
            "system": row.system,
            "version": row.version,
            "codes": row.code_count,
            "activated": activate,
            "from": "sync",
        },
    )
    write_log(
        session,
        server_url,
        LogEvent.CODE_SET,
        entity_type="code_sets",
        entity_id=row.id,
        count=row.code_count,
        message=f"{row.system} {row.version}",
    )
    return True


def release_bundle(
    session: Session, system: str, version: str, *, active: bool
) -> tuple[dict[str, Any], SourceSet]:
    """A transaction bundle that PUTs a local code set as its CodeSystem release."""
    try:
        release = load_release(session, system, version.strip())
    except MappingError as exc:
        raise NotFoundError(str(exc)) from exc
    resource = to_code_system(release, active=active)
    entry = {
        "resource": resource,
        "request": {"method": "PUT", "url": f"CodeSystem/{resource['id']}"},
    }
    return {"resourceType": "Bundle", "type": "transaction", "entry": [entry]}, release
