"""Account rules: passwords, user names, display names and argument types are checked before
anything is written. Every test here is refused, so one store serves the module (each test
counts the tables before and after)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.security.accounts import AccountService
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.conftest import USERNAMES
from tests.store_inspection import table_counts

DESK = USERNAMES[Role.FRONT_DESK]


@pytest.fixture
def services(shared_services: Services) -> Services:
    return shared_services


@pytest.fixture
def users(template_users: dict[Role, AuthenticatedUser]) -> dict[Role, AuthenticatedUser]:
    return template_users


@pytest.fixture
def accounts(shared_services: Services) -> AccountService:
    return shared_services.accounts


def test_managing_an_unknown_user_is_a_clear_error(
    accounts: AccountService, users: dict[Role, AuthenticatedUser]
) -> None:
    with pytest.raises(NotFoundError, match="No such user"):
        accounts.set_active(users[Role.ADMIN], "ghost", False)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "at least 10"),
        ("abc123", "at least 10"),
        ("onlyletterspassword", "letters and digits"),
        ("12345678901234", "letters and digits"),
        ("x1" * 129, "at most 256"),
        ("newuser-2026-pass", "user name"),
        ("tab\there-2026x", "control characters"),
        ("nul\x00here-2026x", "control characters"),
        ("surrogate-2026-\ud800", "can't be stored"),
    ],
    ids=[
        "empty",
        "short",
        "no-digit",
        "no-letter",
        "too-long",
        "has-username",
        "tab",
        "nul",
        "lone-surrogate",
    ],
)
def test_password_rules_are_enforced_before_anything_is_written(
    services: Services,
    accounts: AccountService,
    users: dict[Role, AuthenticatedUser],
    password: str,
    message: str,
) -> None:
    before = table_counts(services.db)
    with pytest.raises(ValidationError, match=message) as caught:
        accounts.add_user(users[Role.ADMIN], "newuser", "New User", Role.NURSE, password)
    assert "password" in caught.value.field_errors
    with pytest.raises(ValidationError, match=message):
        accounts.reset_password(users[Role.ADMIN], DESK, password.replace("newuser", DESK))
    assert table_counts(services.db) == before


@pytest.mark.parametrize(
    "username",
    ["", "a", "Has Space", "ünïcode", "-starts-with-dash", "x" * 65, "semi;colon", "tab\tname"],
)
def test_user_name_rules_are_enforced(
    services: Services,
    accounts: AccountService,
    users: dict[Role, AuthenticatedUser],
    username: str,
) -> None:
    before = table_counts(services.db)
    with pytest.raises(ValidationError) as caught:
        accounts.add_user(users[Role.ADMIN], username, "Someone", Role.NURSE, "good-pass-2026")
    assert "username" in caught.value.field_errors
    assert table_counts(services.db) == before


def test_a_user_name_is_taken_whatever_its_case(
    accounts: AccountService, users: dict[Role, AuthenticatedUser]
) -> None:
    with pytest.raises(ValidationError, match="already taken"):
        accounts.add_user(users[Role.ADMIN], DESK.upper(), "Twin", Role.NURSE, "good-pass-2026")


@pytest.mark.parametrize("display_name", ["", "   ", "x" * 129, "bell\x07", "lone \udc80"])
def test_display_name_rules_are_enforced(
    services: Services,
    accounts: AccountService,
    users: dict[Role, AuthenticatedUser],
    display_name: str,
) -> None:
    before = table_counts(services.db)
    with pytest.raises(ValidationError) as caught:
        accounts.add_user(users[Role.ADMIN], "newbie", display_name, Role.NURSE, "good-pass-2026")
    assert "display_name" in caught.value.field_errors
    assert table_counts(services.db) == before


def test_the_first_administrator_can_only_be_made_once(accounts: AccountService) -> None:
    with pytest.raises(ValidationError, match="already exists"):
        accounts.create_first_admin("another", "Another", "root-secret-2027")


@pytest.mark.parametrize(
    "call",
    [
        lambda a, _admin: a.login(None, "x"),
        lambda a, _admin: a.login(DESK, 12345678901),
        lambda a, admin: a.set_active(admin, DESK, "no"),
        lambda a, admin: a.set_active(admin, None, False),
        lambda a, admin: a.set_role(admin, DESK, 42),
        lambda a, admin: a.set_role(admin, DESK, "superuser"),
        lambda a, admin: a.add_user(admin, 7, "Seven", Role.NURSE, "good-pass-2026"),
        lambda a, admin: a.add_user(admin, "seven", None, Role.NURSE, "good-pass-2026"),
        lambda a, admin: a.add_user(admin, "seven", "Seven", Role.NURSE, None),
        lambda a, admin: a.reset_password(admin, DESK, b"bytes-2026-pass"),
    ],
    ids=[
        "login-no-name",
        "login-number-password",
        "active-as-text",
        "no-user-name",
        "role-number",
        "role-unknown",
        "user-name-number",
        "display-name-none",
        "password-none",
        "password-bytes",
    ],
)
def test_wrong_types_are_refused_with_a_validation_error(
    services: Services,
    accounts: AccountService,
    users: dict[Role, AuthenticatedUser],
    call: Callable[[AccountService, AuthenticatedUser], object],
) -> None:
    before = table_counts(services.db)
    with pytest.raises(ValidationError):
        call(accounts, users[Role.ADMIN])
    assert table_counts(services.db) == before
