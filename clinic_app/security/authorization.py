"""The permission check every service makes, with an audit event when it says no."""

from __future__ import annotations

import logging

from clinic_app.errors import PermissionDeniedError
from clinic_app.security.permissions import Action, is_allowed
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog, Outcome
from clinic_app.storage.database import Database

log = logging.getLogger(__name__)


class Authorizer:
    def __init__(self, db: Database, audit: AuditLog) -> None:
        self._db = db
        self._audit = audit

    def require(
        self,
        user: AuthenticatedUser,
        action: Action,
        *,
        record_type: str | None = None,
        record_id: str | None = None,
    ) -> None:
        if is_allowed(user.role, action):
            return
        log.info("permission denied: user=%s action=%s", user.id, action.value)
        # The caller's transaction is about to be abandoned; the denial is recorded on its own.
        with self._db.unit_of_work() as uow:
            self._audit.append(
                uow.session,
                user.actor,
                action.value,
                record_type=record_type,
                record_id=record_id,
                outcome=Outcome.DENIED,
            )
            uow.commit()
        raise PermissionDeniedError(
            f"Your role ({user.role.value}) does not allow this ({action.value})."
        )
