"""The permission check every service makes, with an audit event when it says no."""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, select

from clinic_app.errors import PermissionDeniedError
from clinic_app.security.permissions import Action, Role, is_allowed
from clinic_app.security.tables import UserRow
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog, Outcome
from clinic_app.storage.database import Database

log = logging.getLogger(__name__)

_ROLE_QUERY = select(UserRow.role, UserRow.active).where(UserRow.id == bindparam("user_id"))


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
        role, active = self._current_role(user)
        if active and role is not None and is_allowed(role, action):
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
        if not active or role is None:
            raise PermissionDeniedError(
                "This account was disabled or removed since you signed in. Sign in again or ask "
                "an administrator."
            )
        raise PermissionDeniedError(
            f"Your role ({role.value}) does not allow this ({action.value})."
        )

    def _current_role(self, user: AuthenticatedUser) -> tuple[Role | None, bool]:
        """The role and state stored now, not at sign-in: a disabled or demoted account loses
        its rights at its next action, not at its next sign-in."""
        # A plain connection, not a unit of work: this runs before every service call, and a
        # one-row read needs neither a session nor its transaction bookkeeping.
        with self._db.engine.connect() as connection:
            row = connection.execute(_ROLE_QUERY, {"user_id": user.id}).first()
        if row is None:
            return None, False
        return Role(row.role), bool(row.active)
