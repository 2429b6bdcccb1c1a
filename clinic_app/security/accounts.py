"""Accounts: first admin, login with lockout, user management."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_app.errors import (
    AccountDisabledError,
    AccountLockedError,
    AuthenticationError,
    NotFoundError,
    ValidationError,
)
from clinic_app.security.authorization import Authorizer
from clinic_app.security.passwords import (
    check_password_rules,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from clinic_app.security.permissions import Action, Role
from clinic_app.security.tables import UserRow
from clinic_app.security.users import (
    AuthenticatedUser,
    UserSummary,
    clean_display_name,
    normalise_username,
)
from clinic_app.storage.audit import SYSTEM_ACTOR, Actor, AuditLog, Outcome
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow

log = logging.getLogger(__name__)

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)


def _summary(row: UserRow) -> UserSummary:
    return UserSummary(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        active=row.active,
        locked_until=row.locked_until,
        last_login_at=row.last_login_at,
    )


def _authenticated(row: UserRow) -> AuthenticatedUser:
    return AuthenticatedUser(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        must_change_password=row.must_change_password,
    )


def _role(value: Role | str) -> Role:
    """A role from the table, or a clear error (a caller may pass the role's name)."""
    if isinstance(value, Role):
        return value
    if isinstance(value, str):
        return Role.parse(value)
    raise ValidationError("Unknown role.", {"role": "Choose a role."})


class AccountService:
    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        authorizer: Authorizer,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._audit = audit
        self._authz = authorizer
        self._clock = clock

    # --- creation -----------------------------------------------------------------------

    def create_first_admin(self, username: str, display_name: str, password: str) -> UserSummary:
        """Only while no account exists (at `clinic init` / first-run setup)."""
        with self._db.unit_of_work() as uow:
            if uow.session.scalar(select(func.count()).select_from(UserRow)):
                raise ValidationError("The first administrator already exists.")
            row = self._insert(uow.session, username, display_name, Role.ADMIN, password)
            self._audit.append(
                uow.session,
                SYSTEM_ACTOR,
                "user.create",
                record_type="user",
                record_id=row.id,
                details={"role": Role.ADMIN.value},
            )
            uow.commit()
            return _summary(row)

    def add_user(
        self,
        actor: AuthenticatedUser,
        username: str,
        display_name: str,
        role: Role,
        password: str,
    ) -> UserSummary:
        self._authz.require(actor, Action.USER_MANAGE, record_type="user")
        role = _role(role)
        with self._db.unit_of_work() as uow:
            row = self._insert(uow.session, username, display_name, role, password)
            row.must_change_password = True
            self._audit.append(
                uow.session,
                actor.actor,
                "user.create",
                record_type="user",
                record_id=row.id,
                details={"role": role.value},
            )
            uow.commit()
            log.info("user created: id=%s role=%s", row.id, role.value)
            return _summary(row)

    def _insert(
        self, session: Session, username: str, display_name: str, role: Role, password: str
    ) -> UserRow:
        name = normalise_username(username)
        display = clean_display_name(display_name)
        check_password_rules(password, name)
        if session.scalar(select(UserRow.id).where(UserRow.username == name)):
            raise ValidationError(
                "That user name is already taken.", {"username": "Already taken."}
            )
        row = UserRow(
            username=name,
            display_name=display,
            role=role.value,
            password_hash=hash_password(password),
            active=True,
            failed_attempts=0,
            must_change_password=False,
        )
        session.add(row)
        session.flush()
        return row

    # --- login --------------------------------------------------------------------------

    def login(self, username: str, password: str) -> AuthenticatedUser:
        if not isinstance(username, str) or not isinstance(password, str):
            raise ValidationError("The user name and the password must be text.")
        name = username.strip().lower()[:64]
        with self._db.unit_of_work() as uow:
            row = uow.session.scalar(select(UserRow).where(UserRow.username == name))
            if row is None:
                verify_password(dummy_hash(), password)  # same cost as a real check
                self._audit.append(
                    uow.session,
                    Actor(None, None),
                    "auth.login_failed",
                    outcome=Outcome.FAILED,
                    details={"reason": "unknown_user"},
                )
                uow.commit()
                raise AuthenticationError("The user name or password is not correct.")
            user = self._check_password(uow.session, row, password, "auth.login")
            row.last_login_at = self._clock()
            uow.commit()
            return user

    def verify_session_password(self, user: AuthenticatedUser, password: str) -> AuthenticatedUser:
        """Unlocking an idle-locked session: same checks and lockout as a login."""
        with self._db.unit_of_work() as uow:
            row = uow.session.get(UserRow, user.id)
            if row is None:
                raise AuthenticationError("This account no longer exists.")
            result = self._check_password(uow.session, row, password, "auth.unlock")
            uow.commit()
            return result

    def _check_password(
        self, session: Session, row: UserRow, password: str, action: str
    ) -> AuthenticatedUser:
        now = self._clock()
        actor = Actor(row.id, row.username)
        if not row.active:
            self._audit.append(
                session,
                actor,
                f"{action}_failed",
                record_type="user",
                record_id=row.id,
                outcome=Outcome.DENIED,
                details={"reason": "disabled"},
            )
            session.commit()
            raise AccountDisabledError("This account is disabled. Ask an administrator.")
        if row.locked_until is not None and row.locked_until > now:
            # Rounded up: "15 minutes" right after the lockout, "1 minute" in its last minute.
            minutes = max(1, math.ceil((row.locked_until - now).total_seconds() / 60))
            self._audit.append(
                session,
                actor,
                f"{action}_failed",
                record_type="user",
                record_id=row.id,
                outcome=Outcome.DENIED,
                details={"reason": "locked"},
            )
            session.commit()
            raise AccountLockedError(
                f"This account is locked after too many failed attempts. Try again in "
                f"{minutes} minute(s), or ask an administrator to reset the password."
            )
        if not verify_password(row.password_hash, password):
            row.failed_attempts += 1
            details: dict[str, int | str] = {"attempt": row.failed_attempts}
            self._audit.append(
                session,
                actor,
                f"{action}_failed",
                record_type="user",
                record_id=row.id,
                outcome=Outcome.FAILED,
                details=details,
            )
            if row.failed_attempts >= MAX_FAILED_ATTEMPTS:
                row.locked_until = now + LOCKOUT
                row.failed_attempts = 0
                self._audit.append(
                    session,
                    actor,
                    "auth.lockout",
                    record_type="user",
                    record_id=row.id,
                    outcome=Outcome.DENIED,
                )
                log.warning("account locked out: id=%s", row.id)
            session.commit()
            raise AuthenticationError("The user name or password is not correct.")
        row.failed_attempts = 0
        row.locked_until = None
        if needs_rehash(row.password_hash):
            row.password_hash = hash_password(password)
        self._audit.append(session, actor, action, record_type="user", record_id=row.id)
        return _authenticated(row)

    # --- management ---------------------------------------------------------------------

    def list_users(self, actor: AuthenticatedUser) -> list[UserSummary]:
        self._authz.require(actor, Action.USER_LIST, record_type="user")
        with self._db.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(select(UserRow).order_by(UserRow.username))
            return [_summary(row) for row in rows]

    def list_doctors(self, actor: AuthenticatedUser) -> list[UserSummary]:
        return [user for user in self.list_users(actor) if user.role is Role.DOCTOR and user.active]

    def _managed_row(self, session: Session, username: str) -> UserRow:
        if not isinstance(username, str):
            raise ValidationError("The user name must be text.", {"username": "Must be text."})
        row = session.scalar(select(UserRow).where(UserRow.username == username.strip().lower()))
        if row is None:
            raise NotFoundError("No such user.")
        return row

    def _active_admins(self, session: Session) -> int:
        return (
            session.scalar(
                select(func.count())
                .select_from(UserRow)
                .where(UserRow.role == Role.ADMIN.value, UserRow.active.is_(True))
            )
            or 0
        )

    def set_active(self, actor: AuthenticatedUser, username: str, active: bool) -> UserSummary:
        self._authz.require(actor, Action.USER_MANAGE, record_type="user")
        if not isinstance(active, bool):
            raise ValidationError("Say whether the account is active (true or false).")
        with self._db.unit_of_work() as uow:
            row = self._managed_row(uow.session, username)
            if not active and row.id == actor.id:
                raise ValidationError("You can't disable your own account.")
            if (
                not active
                and row.active
                and row.role == Role.ADMIN.value
                and self._active_admins(uow.session) <= 1
            ):
                raise ValidationError("The last active administrator can't be disabled.")
            row.active = active
            self._audit.append(
                uow.session,
                actor.actor,
                "user.enable" if active else "user.disable",
                record_type="user",
                record_id=row.id,
            )
            uow.commit()
            return _summary(row)

    def set_role(self, actor: AuthenticatedUser, username: str, role: Role) -> UserSummary:
        self._authz.require(actor, Action.USER_MANAGE, record_type="user")
        role = _role(role)
        with self._db.unit_of_work() as uow:
            row = self._managed_row(uow.session, username)
            if (
                row.active
                and row.role == Role.ADMIN.value
                and role is not Role.ADMIN
                and self._active_admins(uow.session) <= 1
            ):
                raise ValidationError("The last administrator can't lose the admin role.")
            old = row.role
            row.role = role.value
            self._audit.append(
                uow.session,
                actor.actor,
                "user.set_role",
                record_type="user",
                record_id=row.id,
                details={"from": old, "to": role.value},
            )
            uow.commit()
            return _summary(row)

    def reset_password(
        self, actor: AuthenticatedUser, username: str, new_password: str
    ) -> UserSummary:
        """Sets a temporary password, clears the lockout; the user must change it at login."""
        self._authz.require(actor, Action.USER_MANAGE, record_type="user")
        with self._db.unit_of_work() as uow:
            row = self._managed_row(uow.session, username)
            check_password_rules(new_password, row.username)
            row.password_hash = hash_password(new_password)
            row.password_changed_at = self._clock()
            row.failed_attempts = 0
            row.locked_until = None
            row.must_change_password = row.id != actor.id
            self._audit.append(
                uow.session,
                actor.actor,
                "user.reset_password",
                record_type="user",
                record_id=row.id,
            )
            uow.commit()
            return _summary(row)

    def change_own_password(
        self, user: AuthenticatedUser, old_password: str, new_password: str
    ) -> AuthenticatedUser:
        with self._db.unit_of_work() as uow:
            row = uow.session.get(UserRow, user.id)
            if row is None or not verify_password(row.password_hash, old_password):
                raise AuthenticationError("The current password is not correct.")
            check_password_rules(new_password, row.username)
            if verify_password(row.password_hash, new_password):
                raise ValidationError(
                    "Choose a password different from the current one.",
                    {"password": "Must differ from the current password."},
                )
            row.password_hash = hash_password(new_password)
            row.password_changed_at = self._clock()
            row.must_change_password = False
            self._audit.append(
                uow.session,
                user.actor,
                "user.change_password",
                record_type="user",
                record_id=row.id,
            )
            uow.commit()
            return _authenticated(row)
