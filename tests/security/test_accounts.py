"""Accounts: lockout after repeated failures, disabled accounts, the last administrator,
password and user-name rules, and the audit trail of every sign-in and change."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import (
    AccountDisabledError,
    AccountLockedError,
    AuthenticationError,
    PermissionDeniedError,
    ValidationError,
)
from clinic_app.security.accounts import LOCKOUT, MAX_FAILED_ATTEMPTS, AccountService
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.conftest import PASSWORDS, USERNAMES
from tests.security.clock import ManualClock
from tests.store_inspection import audit_events, last_audit_seq

DESK = USERNAMES[Role.FRONT_DESK]
DESK_PASSWORD = PASSWORDS[Role.FRONT_DESK]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def accounts(services: Services, clock: ManualClock) -> AccountService:
    """The real account service on the test's store, reading time from a manual clock."""
    return AccountService(services.db, services.audit_log, services.authorizer, clock=clock)


def _fail(accounts: AccountService, times: int, username: str = DESK) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationError, match="not correct"):
            accounts.login(username, "wrong-password-1")


def _actions_since(services: Services, seq: int) -> list[tuple[str, str]]:
    return [(e.action, e.outcome) for e in audit_events(services.db, after_seq=seq)]


# --- lockout ------------------------------------------------------------------------------


def test_five_failed_attempts_lock_the_account_for_fifteen_minutes(
    services: Services, accounts: AccountService, clock: ManualClock
) -> None:
    assert MAX_FAILED_ATTEMPTS == 5
    assert LOCKOUT.total_seconds() == 15 * 60
    start = last_audit_seq(services.db)
    _fail(accounts, 4)
    # Four failures: the right password still works and resets the count.
    assert accounts.login(DESK, DESK_PASSWORD).username == DESK
    _fail(accounts, 5)
    assert _actions_since(services, start)[-2:] == [
        ("auth.login_failed", "failed"),
        ("auth.lockout", "denied"),
    ]
    with pytest.raises(AccountLockedError, match="15 minute"):
        accounts.login(DESK, DESK_PASSWORD)
    # Only that account is locked.
    assert accounts.login(USERNAMES[Role.NURSE], PASSWORDS[Role.NURSE]).role is Role.NURSE
    clock.advance(minutes=14, seconds=30)
    with pytest.raises(AccountLockedError, match="1 minute"):
        accounts.login(DESK, DESK_PASSWORD)
    clock.advance(seconds=31)
    assert accounts.login(DESK, DESK_PASSWORD).username == DESK
    assert _actions_since(services, start)[-4:] == [
        ("auth.login_failed", "denied"),
        ("auth.login", "ok"),  # the nurse
        ("auth.login_failed", "denied"),
        ("auth.login", "ok"),
    ]


def test_an_administrator_reset_clears_the_lockout(
    services: Services,
    accounts: AccountService,
    users: dict[Role, AuthenticatedUser],
) -> None:
    _fail(accounts, 5)
    with pytest.raises(AccountLockedError):
        accounts.login(DESK, DESK_PASSWORD)
    summary = accounts.reset_password(users[Role.ADMIN], DESK, "temporary-2026-a")
    assert summary.locked_until is None
    user = accounts.login(DESK, "temporary-2026-a")
    assert user.must_change_password  # a reset password is temporary
    with pytest.raises(AuthenticationError):
        accounts.login(DESK, DESK_PASSWORD)


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(
    services: Services, accounts: AccountService
) -> None:
    start = last_audit_seq(services.db)
    with pytest.raises(AuthenticationError) as unknown:
        accounts.login("nobody", "whatever-2026")
    with pytest.raises(AuthenticationError) as wrong:
        accounts.login(DESK, "whatever-2026")
    assert str(unknown.value) == str(wrong.value)
    events = audit_events(services.db, after_seq=start)
    assert [(e.action, e.outcome) for e in events] == [
        ("auth.login_failed", "failed"),
        ("auth.login_failed", "failed"),
    ]
    assert events[0].details == {"reason": "unknown_user"}
    assert events[0].user_id is None


def test_sign_in_ignores_case_and_surrounding_spaces_in_the_user_name(
    accounts: AccountService,
) -> None:
    assert accounts.login(f"  {DESK.upper()} ", DESK_PASSWORD).username == DESK


# --- disabled accounts and the last administrator -----------------------------------------


def test_a_disabled_user_cannot_sign_in_until_enabled_again(
    services: Services, accounts: AccountService, users: dict[Role, AuthenticatedUser]
) -> None:
    admin = users[Role.ADMIN]
    assert not accounts.set_active(admin, DESK, False).active
    start = last_audit_seq(services.db)
    with pytest.raises(AccountDisabledError, match="disabled"):
        accounts.login(DESK, DESK_PASSWORD)
    events = audit_events(services.db, after_seq=start)
    assert [(e.action, e.outcome, e.details) for e in events] == [
        ("auth.login_failed", "denied", {"reason": "disabled"})
    ]
    accounts.set_active(admin, DESK, True)
    assert accounts.login(DESK, DESK_PASSWORD).username == DESK


def test_an_administrator_cannot_disable_their_own_account(
    accounts: AccountService, users: dict[Role, AuthenticatedUser]
) -> None:
    with pytest.raises(ValidationError, match="your own account"):
        accounts.set_active(users[Role.ADMIN], USERNAMES[Role.ADMIN], False)


def test_the_last_administrator_cannot_be_demoted_or_disabled(
    services: Services, accounts: AccountService, users: dict[Role, AuthenticatedUser]
) -> None:
    admin = users[Role.ADMIN]
    with pytest.raises(ValidationError, match="last administrator"):
        accounts.set_role(admin, USERNAMES[Role.ADMIN], Role.DOCTOR)

    accounts.add_user(admin, "second.admin", "Second Admin", Role.ADMIN, "backup-admin-2026")
    second = accounts.login("second.admin", "backup-admin-2026")
    # With two administrators one may step down...
    assert accounts.set_role(second, USERNAMES[Role.ADMIN], Role.DOCTOR).role is Role.DOCTOR
    # ...but the one left can't demote themself.
    with pytest.raises(ValidationError, match="last administrator"):
        accounts.set_role(second, "second.admin", Role.NURSE)
    accounts.set_role(second, USERNAMES[Role.ADMIN], Role.ADMIN)
    accounts.set_active(admin, "second.admin", False)
    # The disabled administrator's old sign-in has lost its rights (checked on every call), so
    # it can't take the last active one down with it.
    with pytest.raises(PermissionDeniedError, match="disabled"):
        accounts.set_active(second, USERNAMES[Role.ADMIN], False)
    active_admins = [u for u in accounts.list_users(admin) if u.role is Role.ADMIN and u.active]
    assert [u.username for u in active_admins] == [USERNAMES[Role.ADMIN]]


# --- rules --------------------------------------------------------------------------------


def test_a_new_user_must_change_the_password_at_first_sign_in(
    services: Services, accounts: AccountService, users: dict[Role, AuthenticatedUser]
) -> None:
    start = last_audit_seq(services.db)
    created = accounts.add_user(
        users[Role.ADMIN], "Fresh.Nurse", "Fresh Nurse", Role.NURSE, "first-pass-2026"
    )
    assert created.username == "fresh.nurse"
    first = accounts.login("fresh.nurse", "first-pass-2026")
    assert first.must_change_password
    with pytest.raises(AuthenticationError, match="current password"):
        accounts.change_own_password(first, "not-it-2026-x", "second-pass-2026")
    with pytest.raises(ValidationError, match="different"):
        accounts.change_own_password(first, "first-pass-2026", "first-pass-2026")
    changed = accounts.change_own_password(first, "first-pass-2026", "second-pass-2026")
    assert not changed.must_change_password
    with pytest.raises(AuthenticationError):
        accounts.login("fresh.nurse", "first-pass-2026")
    assert not accounts.login("fresh.nurse", "second-pass-2026").must_change_password
    actions = [action for action, _ in _actions_since(services, start)]
    assert actions == [
        "user.create",
        "auth.login",
        "user.change_password",
        "auth.login_failed",
        "auth.login",
    ]


def test_user_changes_are_audited(
    services: Services, accounts: AccountService, users: dict[Role, AuthenticatedUser]
) -> None:
    admin = users[Role.ADMIN]
    start = last_audit_seq(services.db)
    accounts.set_active(admin, DESK, False)
    accounts.set_active(admin, DESK, True)
    accounts.set_role(admin, DESK, Role.NURSE)
    accounts.reset_password(admin, DESK, "temporary-2026-b")
    events = audit_events(services.db, after_seq=start)
    assert [e.action for e in events] == [
        "user.disable",
        "user.enable",
        "user.set_role",
        "user.reset_password",
    ]
    desk_id = users[Role.FRONT_DESK].id
    assert {e.record_id for e in events} == {desk_id}
    assert {e.user_id for e in events} == {admin.id}
    assert events[2].details == {"from": "front_desk", "to": "nurse"}


def test_a_disabled_administrator_can_be_disabled_again_or_demoted(
    accounts: AccountService, users: dict[Role, AuthenticatedUser]
) -> None:
    """Only *active* administrators count for the last-administrator rule: acting on one that
    is already disabled must not be refused in its name."""
    admin = users[Role.ADMIN]
    accounts.add_user(admin, "old.admin", "Old Admin", Role.ADMIN, "retired-admin-2026")
    accounts.set_active(admin, "old.admin", False)
    assert not accounts.set_active(admin, "old.admin", False).active
    assert accounts.set_role(admin, "old.admin", Role.NURSE).role is Role.NURSE


def test_a_role_may_be_given_by_name(
    accounts: AccountService, users: dict[Role, AuthenticatedUser]
) -> None:
    by_name = accounts.set_role(users[Role.ADMIN], DESK, "nurse")  # type: ignore[arg-type]
    assert by_name.role is Role.NURSE
