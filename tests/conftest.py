"""Shared fixtures: a real encrypted store per test, copied from one built per session.

Building a store (argon2 hashes for four accounts) costs about a second; each test gets its own
copy of a template made once, so tests stay independent and fast.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from clinic_app.bootstrap import Services, initialise, open_services
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings

from tests.keyring_fake import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ADMIN_PASSWORD = "root-secret-2026"
PASSWORDS: dict[Role, str] = {
    Role.ADMIN: ADMIN_PASSWORD,
    Role.DOCTOR: "vicodin-2026-x",
    Role.NURSE: "bandage-2026-x",
    Role.FRONT_DESK: "welcome-2026-x",
}
USERNAMES: dict[Role, str] = {
    Role.ADMIN: "admin",
    Role.DOCTOR: "drhouse",
    Role.NURSE: "nurse.joy",
    Role.FRONT_DESK: "desk",
}


@dataclass(frozen=True)
class Template:
    data_dir: Path
    secrets: dict[tuple[str, str], str]
    # Signed in once while the template was built: every copy holds the same accounts (same
    # ids), so a test needs no argon2 check (~0.1 s each) to act as a role.
    users: dict[Role, AuthenticatedUser]


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The OS keyring is outside the application; CI has none, so an in-memory one stands in."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def store_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        data_dir = tmp_path_factory.mktemp("template") / "data"
        services, _recovery = initialise(
            Settings(data_dir=data_dir, workstation="test-ws"),
            mode=None,
            passphrase=None,
            admin_username=USERNAMES[Role.ADMIN],
            admin_display_name="Ada Admin",
            admin_password=ADMIN_PASSWORD,
        )
        admin = services.accounts.login(USERNAMES[Role.ADMIN], ADMIN_PASSWORD)
        names = {Role.DOCTOR: "Greg House", Role.NURSE: "Joy Nurse", Role.FRONT_DESK: "Dee Desk"}
        for role, display in names.items():
            services.accounts.add_user(admin, USERNAMES[role], display, role, PASSWORDS[role])
        users = {role: services.accounts.login(USERNAMES[role], PASSWORDS[role]) for role in Role}
        services.db.checkpoint()
        services.close()
        return Template(data_dir, dict(backend.secrets), users)
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", workstation="test-ws")


@pytest.fixture
def services(
    settings: Settings, store_template: Template, memory_keyring: MemoryKeyring
) -> Iterator[Services]:
    """An open, initialised store with an admin, a doctor, a nurse and a front-desk account."""
    shutil.copytree(store_template.data_dir, settings.data_dir)
    memory_keyring.secrets.update(store_template.secrets)
    opened = open_services(settings)
    yield opened
    opened.close()


@pytest.fixture
def users(services: Services, store_template: Template) -> dict[Role, AuthenticatedUser]:
    """One signed-in user per role, valid in this test's copy of the store."""
    return dict(store_template.users)


@pytest.fixture(scope="module")
def shared_services(
    store_template: Template, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    """One store for a whole test module, for tests that only read or are refused: each such
    test checks what it (didn't) write by counting before and after, so sharing is safe, and
    it spares a store per test. Tests that write must use `services`."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("shared") / "data", workstation="test-ws")
    shutil.copytree(store_template.data_dir, settings.data_dir)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    backend.secrets.update(store_template.secrets)
    keyring.set_keyring(backend)
    try:
        opened = open_services(settings)
    finally:
        keyring.set_keyring(previous)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def template_users(store_template: Template) -> dict[Role, AuthenticatedUser]:
    """The same signed-in users as `users`, for tests on `shared_services`."""
    return dict(store_template.users)
