"""Reading and verifying the audit log, for administrators."""

from __future__ import annotations

from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import (
    AuditEvent,
    AuditFilter,
    AuditLog,
    ChainVerification,
    Outcome,
    iter_actions,
    list_events,
    verify_chain,
)
from clinic_app.storage.database import Database
from clinic_app.tasks import CancelToken, ProgressReporter


class AuditService:
    def __init__(self, db: Database, audit: AuditLog, authorizer: Authorizer) -> None:
        self._db = db
        self._audit = audit
        self._authz = authorizer

    def list(
        self,
        user: AuthenticatedUser,
        flt: AuditFilter | None = None,
        *,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEvent]:
        self._authz.require(user, Action.AUDIT_READ, record_type="audit")
        with self._db.unit_of_work(write=False) as uow:
            return list_events(uow.session, flt or AuditFilter(), limit=limit, offset=offset)

    def actions(self, user: AuthenticatedUser) -> list[str]:
        self._authz.require(user, Action.AUDIT_READ, record_type="audit")
        with self._db.unit_of_work(write=False) as uow:
            return list(iter_actions(uow.session))

    def verify(
        self,
        user: AuthenticatedUser,
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> ChainVerification:
        self._authz.require(user, Action.AUDIT_VERIFY, record_type="audit")
        with self._db.unit_of_work(write=False) as uow:
            result = verify_chain(uow.session, progress, cancel)
        with self._db.unit_of_work() as uow:
            self._audit.append(
                uow.session,
                user.actor,
                "audit.verify",
                record_type="audit",
                outcome=Outcome.OK if result.ok else Outcome.FAILED,
                details={"checked": result.checked, "first_broken": result.first_broken_seq},
            )
            uow.commit()
        return result
