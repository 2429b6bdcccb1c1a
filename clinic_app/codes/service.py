"""Code use cases: import and activate code sets, search, look up, suggest from clinical text.

Every call is checked against the permission table and audited in the same transaction as its
effect. Search and suggestion audit sizes and counts only, never the query or the note text.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.codes.active_set import active_set, no_active_set
from clinic_app.codes.csv_importer import parse_code_file
from clinic_app.codes.detail import code_detail
from clinic_app.codes.icd10cm_importer import Icd10cmFile, packaged_release, parse_icd10cm
from clinic_app.codes.lexicon import load_lexicon
from clinic_app.codes.loader import activate_set, write_code_set
from clinic_app.codes.models import (
    CodeDetail,
    CodeHit,
    CodeSetInfo,
    CodeSuggestion,
    CodeSystem,
)
from clinic_app.codes.search import parse_query, search_codes
from clinic_app.codes.source_set import CodeImportError, SourceSet
from clinic_app.codes.suggest import suggest_codes
from clinic_app.codes.tables import CodeSetRow
from clinic_app.codes.term_index_store import store_term_index, term_index
from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import SYSTEM_ACTOR, Actor, AuditLog
from clinic_app.storage.database import Database
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

log = logging.getLogger(__name__)

RECORD_TYPE = "code_set"
MAX_LIMIT = 200
MAX_BATCH = 10_000
MAX_SUGGEST_CHARS = 20_000
MAX_VERSION_CHARS = 40


def set_info(row: CodeSetRow) -> CodeSetInfo:
    return CodeSetInfo(
        id=row.id,
        system=CodeSystem(row.system),
        version=row.version,
        effective_date=row.effective_date,
        source=row.source,
        active=row.active,
        imported_at=row.imported_at,
        code_count=row.code_count,
        billable_count=row.billable_count,
    )


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"The limit must be between 1 and {MAX_LIMIT}.")


def _clean_version(version: str) -> str:
    cleaned = " ".join(version.split())
    if not cleaned or len(cleaned) > MAX_VERSION_CHARS:
        raise ValidationError(
            f"A version label is required (at most {MAX_VERSION_CHARS} characters)."
        )
    return cleaned


class CodeService:
    def __init__(self, db: Database, audit: AuditLog, authorizer: Authorizer) -> None:
        self._db = db
        self._audit = audit
        self._authz = authorizer

    # --- code sets ----------------------------------------------------------------------

    def list_sets(self, user: AuthenticatedUser) -> list[CodeSetInfo]:
        if not user.can(Action.CODES_MANAGE):
            self._authz.require(user, Action.CODES_READ, record_type=RECORD_TYPE)
        with self._db.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(
                select(CodeSetRow).order_by(CodeSetRow.system, CodeSetRow.imported_at)
            )
            return [set_info(row) for row in rows]

    def active_set(self, user: AuthenticatedUser, system: CodeSystem) -> CodeSetInfo | None:
        if not user.can(Action.CODES_MANAGE):
            self._authz.require(user, Action.CODES_READ, record_type=RECORD_TYPE)
        with self._db.unit_of_work(write=False) as uow:
            row = _active_row(uow.session, system)
            return set_info(row) if row else None

    def import_icd10cm(
        self,
        user: AuthenticatedUser,
        release: Icd10cmFile | None = None,
        *,
        activate: bool = True,
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> CodeSetInfo:
        """Imports the ICD-10-CM release shipped with the application (or another release
        file). Slow (seconds): run it on a background lane; cancel leaves nothing behind."""
        self._authz.require(user, Action.CODES_MANAGE, record_type=RECORD_TYPE)
        release = release or packaged_release()
        self._refuse_existing(CodeSystem.ICD10CM, release.version)
        source = parse_icd10cm(release, progress, cancel)
        return self._write(user.actor, user.id, source, activate, progress, cancel)

    def ensure_icd10cm(
        self, progress: ProgressReporter | None = None, cancel: CancelToken | None = None
    ) -> CodeSetInfo:
        """First run / set-up: imports the shipped ICD-10-CM release when no ICD-10-CM set is
        active (as the system, audited); otherwise returns the active set untouched."""
        with self._db.unit_of_work(write=False) as uow:
            row = _active_row(uow.session, CodeSystem.ICD10CM)
            if row is not None:
                return set_info(row)
        source = parse_icd10cm(packaged_release(), progress, cancel)
        return self._write(SYSTEM_ACTOR, None, source, True, progress, cancel)

    def import_file(
        self,
        user: AuthenticatedUser,
        path: Path,
        system: CodeSystem,
        version: str,
        *,
        effective_date: date | None = None,
        source: str | None = None,
        activate: bool = True,
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> CodeSetInfo:
        """Imports a CSV/TSV code file (format in `csv_importer`): HCPCS, CPT, local lists."""
        self._authz.require(user, Action.CODES_MANAGE, record_type=RECORD_TYPE)
        if system is CodeSystem.ICD10CM:
            raise ValidationError(
                "ICD-10-CM is imported from the CMS tabular XML (clinic codes import-icd10cm)."
            )
        parsed = parse_code_file(
            path,
            system,
            _clean_version(version),
            effective_date=effective_date,
            source=source,
            progress=progress,
            cancel=cancel,
        )
        return self._write(user.actor, user.id, parsed, activate, progress, cancel)

    def activate(self, user: AuthenticatedUser, system: CodeSystem, version: str) -> CodeSetInfo:
        self._authz.require(user, Action.CODES_MANAGE, record_type=RECORD_TYPE)
        with self._db.unit_of_work() as uow:
            row = uow.session.scalar(
                select(CodeSetRow).where(
                    CodeSetRow.system == system.value, CodeSetRow.version == version.strip()
                )
            )
            if row is None:
                raise NotFoundError(f"No {system.value} code set with that version is imported.")
            activate_set(uow.session, row)
            self._audit.append(
                uow.session,
                user.actor,
                "codes.activate",
                record_type=RECORD_TYPE,
                record_id=row.id,
                details={"system": row.system, "version": row.version},
            )
            uow.commit()
            return set_info(row)

    def _refuse_existing(self, system: CodeSystem, version: str) -> None:
        """Before minutes of parsing: the same version can't be imported twice."""
        with self._db.unit_of_work(write=False) as uow:
            exists = uow.session.scalar(
                select(CodeSetRow.id).where(
                    CodeSetRow.system == system.value, CodeSetRow.version == version
                )
            )
        if exists is not None:
            raise CodeImportError(
                f"{system.value} version {version} is already imported; activate it or import "
                "under another version label."
            )

    def _write(
        self,
        actor: Actor,
        user_id: str | None,
        source: SourceSet,
        activate: bool,
        progress: ProgressReporter | None,
        cancel: CancelToken | None,
    ) -> CodeSetInfo:
        progress = progress or NullProgress()
        with self._db.unit_of_work() as uow:
            row = write_code_set(
                uow.session,
                source,
                imported_by=user_id,
                activate=activate,
                progress=progress,
                cancel=cancel,
            )
            if source.system is CodeSystem.ICD10CM:
                # Derived now, in the same transaction, so that no process ever has to derive
                # it while someone waits for a suggestion (see term_index_store).
                progress.report(0, 0, "Preparing code suggestions")
                store_term_index(uow.session, row.id, load_lexicon(), cancel)
            self._audit.append(
                uow.session,
                actor,
                "codes.import",
                record_type=RECORD_TYPE,
                record_id=row.id,
                details={
                    "system": row.system,
                    "version": row.version,
                    "codes": row.code_count,
                    "billable": row.billable_count,
                    "activated": activate,
                },
            )
            if cancel is not None:
                cancel.raise_if_cancelled()
            uow.commit()
            log.info("code set imported: id=%s codes=%d", row.id, row.code_count)
            progress.report(1, 1, "Code set ready")
            return set_info(row)

    # --- search and lookup --------------------------------------------------------------

    def search(
        self,
        user: AuthenticatedUser,
        query: str,
        *,
        system: CodeSystem = CodeSystem.ICD10CM,
        limit: int = 20,
        billable_only: bool = False,
    ) -> list[CodeHit]:
        return self.search_many(
            user, [query], system=system, limit=limit, billable_only=billable_only
        )[0]

    def search_many(
        self,
        user: AuthenticatedUser,
        queries: list[str],
        *,
        system: CodeSystem = CodeSystem.ICD10CM,
        limit: int = 20,
        billable_only: bool = False,
    ) -> list[list[CodeHit]]:
        """One result list per query, in order; one unit of work and one audit event."""
        self._authz.require(user, Action.CODES_READ, record_type=RECORD_TYPE)
        _check_limit(limit)
        if len(queries) > MAX_BATCH:
            raise ValidationError(f"At most {MAX_BATCH} queries at once.")
        with self._db.unit_of_work(durable=False) as uow:
            code_set = active_set(uow.session, system)
            results = []
            for query in queries:
                matches = search_codes(
                    uow.session,
                    code_set,
                    parse_query(query),
                    limit=limit,
                    billable_only=billable_only,
                )
                results.append(
                    [
                        CodeHit(
                            code=m.code,
                            description=m.description,
                            billable=m.billable,
                            score=m.score,
                            system=system,
                            set_id=code_set.id,
                            set_version=code_set.version,
                        )
                        for m in matches
                    ]
                )
            # The query text may describe a patient: only sizes and counts are recorded.
            self._audit.append(
                uow.session,
                user.actor,
                "codes.search",
                record_type=RECORD_TYPE,
                record_id=code_set.id,
                details={
                    "queries": len(queries),
                    "query_chars": sum(len(q) for q in queries),
                    "results": sum(len(r) for r in results),
                },
            )
            uow.commit()
            return results

    def get(
        self,
        user: AuthenticatedUser,
        code: str,
        *,
        system: CodeSystem = CodeSystem.ICD10CM,
        set_id: str | None = None,
    ) -> CodeDetail:
        """A code with its hierarchy and notes, from the active set or a given set (the
        version a visit stored)."""
        self._authz.require(user, Action.CODES_READ, record_type=RECORD_TYPE)
        with self._db.unit_of_work(write=False) as uow:
            if set_id is not None:
                code_set = uow.session.get(CodeSetRow, set_id[:36])
                if code_set is None:
                    raise NotFoundError("No code set with that id.")
            else:
                code_set = _require_active(uow.session, system)
            detail = code_detail(uow.session, code_set, code)
            if detail is None:
                raise NotFoundError(
                    f"No code {code[:40]!r} in {code_set.system} {code_set.version}."
                )
            return detail

    # --- suggestion ---------------------------------------------------------------------

    def suggest(
        self, user: AuthenticatedUser, text: str, *, limit: int = 10
    ) -> list[CodeSuggestion]:
        return self.suggest_many(user, [text], limit=limit)[0]

    def suggest_many(
        self, user: AuthenticatedUser, texts: list[str], *, limit: int = 10
    ) -> list[list[CodeSuggestion]]:
        """ICD-10-CM codes for free clinical text, ranked, each with the words that support it.
        Suggestions only: the clinician accepts them one by one."""
        self._authz.require(user, Action.CODES_READ, record_type=RECORD_TYPE)
        _check_limit(limit)
        if len(texts) > MAX_BATCH:
            raise ValidationError(f"At most {MAX_BATCH} texts at once.")
        if any(len(t) > MAX_SUGGEST_CHARS for t in texts):
            raise ValidationError(f"A text may hold at most {MAX_SUGGEST_CHARS} characters.")
        # Suggestion only reads. Its term index comes from this process's cache or the store
        # (derived and stored on a set's first use, outside this unit of work: it writes).
        lexicon = load_lexicon()
        with self._db.unit_of_work(write=False) as uow:
            code_set = active_set(uow.session, CodeSystem.ICD10CM)
        index = term_index(self._db, code_set.id, lexicon)
        with self._db.unit_of_work(write=False) as uow:
            set_id = code_set.id
            results = [
                suggest_codes(uow.session, code_set, index, lexicon, t, limit=limit) for t in texts
            ]
        with self._db.unit_of_work(durable=False) as uow:
            self._audit.append(
                uow.session,
                user.actor,
                "codes.suggest",
                record_type=RECORD_TYPE,
                record_id=set_id,
                details={
                    "texts": len(texts),
                    "text_chars": sum(len(t) for t in texts),
                    "suggestions": sum(len(r) for r in results),
                },
            )
            uow.commit()
            return results


def _active_row(session: Session, system: CodeSystem) -> CodeSetRow | None:
    return session.scalar(
        select(CodeSetRow).where(CodeSetRow.system == system.value, CodeSetRow.active.is_(True))
    )


def _require_active(session: Session, system: CodeSystem) -> CodeSetRow:
    row = _active_row(session, system)
    if row is None:
        raise no_active_set(system)
    return row


__all__ = ["CodeImportError", "CodeService"]
