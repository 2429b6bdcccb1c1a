"""Idle lock: a session locks itself after the timeout; only its own user's password unlocks
it, and wrong passwords count toward the account lockout like failed sign-ins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import AccountLockedError, AuthenticationError, SessionLockedError
from clinic_app.security.accounts import AccountService
from clinic_app.security.idle_lock import UserSession
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.conftest import PASSWORDS
from tests.security.clock import ManualClock
from tests.store_inspection import audit_events, last_audit_seq

TIMEOUT = timedelta(minutes=10)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def accounts(services: Services, clock: ManualClock) -> AccountService:
    return AccountService(services.db, services.audit_log, services.authorizer, clock=clock)


@pytest.fixture
def nurse_session(users: dict[Role, AuthenticatedUser], clock: ManualClock) -> UserSession:
    return UserSession(users[Role.NURSE], TIMEOUT, clock=clock)


def test_a_session_locks_after_the_idle_timeout(
    nurse_session: UserSession, clock: ManualClock
) -> None:
    assert nurse_session.require_unlocked().role is Role.NURSE
    clock.advance(minutes=9, seconds=59)
    assert not nurse_session.is_locked()
    assert nurse_session.seconds_until_lock() == 1.0
    clock.advance(seconds=1)
    assert nurse_session.is_locked()
    assert nurse_session.seconds_until_lock() == 0.0
    with pytest.raises(SessionLockedError, match="password"):
        nurse_session.require_unlocked()


def test_activity_postpones_the_lock_but_does_not_undo_it(
    nurse_session: UserSession, clock: ManualClock
) -> None:
    clock.advance(minutes=9)
    nurse_session.touch()
    clock.advance(minutes=9)
    assert not nurse_session.is_locked()
    clock.advance(minutes=1)
    nurse_session.touch()  # a key press on a locked screen does not unlock it
    assert nurse_session.is_locked()


def test_the_same_user_unlocks_with_the_password(
    services: Services,
    accounts: AccountService,
    nurse_session: UserSession,
    clock: ManualClock,
) -> None:
    nurse_session.lock()
    start = last_audit_seq(services.db)
    with pytest.raises(AuthenticationError):
        nurse_session.unlock(accounts, PASSWORDS[Role.FRONT_DESK])  # another user's password
    assert nurse_session.is_locked()
    nurse_session.unlock(accounts, PASSWORDS[Role.NURSE])
    assert not nurse_session.is_locked()
    # The lock timer starts again from the unlock.
    clock.advance(minutes=9)
    assert not nurse_session.is_locked()
    events = audit_events(services.db, after_seq=start)
    assert [(e.action, e.outcome) for e in events] == [
        ("auth.unlock_failed", "failed"),
        ("auth.unlock", "ok"),
    ]


def test_wrong_unlock_passwords_count_toward_the_lockout(
    accounts: AccountService, nurse_session: UserSession, clock: ManualClock
) -> None:
    clock.advance(minutes=10)
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            nurse_session.unlock(accounts, "guessing-2026-x")
    with pytest.raises(AccountLockedError):
        nurse_session.unlock(accounts, PASSWORDS[Role.NURSE])
    assert nurse_session.is_locked()
    with pytest.raises(AccountLockedError):
        accounts.login(nurse_session.user.username, PASSWORDS[Role.NURSE])
    clock.advance(minutes=15)
    nurse_session.unlock(accounts, PASSWORDS[Role.NURSE])
    assert not nurse_session.is_locked()


def test_a_disabled_account_cannot_unlock_its_session(
    accounts: AccountService,
    nurse_session: UserSession,
    users: dict[Role, AuthenticatedUser],
) -> None:
    accounts.set_active(users[Role.ADMIN], nurse_session.user.username, False)
    nurse_session.lock()
    with pytest.raises(AuthenticationError, match="disabled"):
        nurse_session.unlock(accounts, PASSWORDS[Role.NURSE])
    assert nurse_session.is_locked()


def test_unlocking_picks_up_a_changed_role(
    accounts: AccountService,
    nurse_session: UserSession,
    users: dict[Role, AuthenticatedUser],
) -> None:
    accounts.set_role(users[Role.ADMIN], nurse_session.user.username, Role.DOCTOR)
    nurse_session.lock()
    nurse_session.unlock(accounts, PASSWORDS[Role.NURSE])
    assert nurse_session.require_unlocked().role is Role.DOCTOR


def test_the_timeout_must_be_positive(users: dict[Role, AuthenticatedUser]) -> None:
    with pytest.raises(ValueError, match="positive"):
        UserSession(users[Role.NURSE], timedelta(0))


def test_the_application_sessions_use_the_configured_timeout(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    session = services.new_session(users[Role.DOCTOR])
    assert session.idle_timeout == timedelta(minutes=services.settings.idle_lock_minutes)
    assert not session.is_locked()
