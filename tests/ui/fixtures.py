"""Fixtures for the GUI tests: real widgets over the real encrypted store (`services`).

Imported by `conftest.py` only when PySide6 is installed. Qt runs offscreen (tests/conftest.py
sets QT_QPA_PLATFORM). Tests wait on signals or conditions with qtbot, never with sleeps.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from clinic_app.bootstrap import Services
from clinic_app.patients.models import PatientInput, PatientSummary
from clinic_app.security.idle_lock import UserSession
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings
from clinic_app.storage.types import utcnow
from clinic_app.ui.app_controller import ClinicAppController
from clinic_app.ui.shell.builtin_pages import default_page_registry
from clinic_app.ui.shell.workspace_controller import WorkspaceController
from clinic_app.ui.style import apply_style
from clinic_app.ui.tasks.task_runner import TaskRunner
from clinic_app.ui.ui_state_store import UiStateStore
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORDS, USERNAMES, Template
from tests.keyring_fake import MemoryKeyring


@pytest.fixture(scope="session", autouse=True)
def styled_app(qapp: QApplication) -> QApplication:
    apply_style(qapp)
    return qapp


@pytest.fixture
def initialised_settings(
    settings: Settings, store_template: Template, memory_keyring: MemoryKeyring
) -> Settings:
    """A data folder holding the template store, not opened (the application opens it)."""
    shutil.copytree(store_template.data_dir, settings.data_dir)
    memory_keyring.secrets.update(store_template.secrets)
    return settings


@pytest.fixture
def task_runner(services: Services) -> Iterator[TaskRunner]:
    """Depends on `services` so it shuts down (workers finished) before the store closes."""
    runner = TaskRunner()
    yield runner
    runner.shutdown()


_SIGNED_IN: dict[Role, AuthenticatedUser] = {}


def sign_in(services: Services, role: Role) -> AuthenticatedUser:
    """The role's user, logged in once per test session: every test's store is a copy of the
    same template, so ids match, and argon2 (~0.3 s a login) is paid once, not per test.
    Signing in itself is tested through the login window (test_login.py)."""
    if role not in _SIGNED_IN:
        _SIGNED_IN[role] = services.accounts.login(USERNAMES[role], PASSWORDS[role])
    return _SIGNED_IN[role]


class FakeClock:
    """Stands in for the wall clock so an idle time-out passes without waiting."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


WorkspaceFactory = Callable[..., WorkspaceController]


@pytest.fixture
def open_workspace(
    qtbot: QtBot, services: Services, task_runner: TaskRunner, settings: Settings
) -> Iterator[WorkspaceFactory]:
    """`open_workspace(Role.DOCTOR)` → a shown main window for that role, already signed in."""
    opened: list[WorkspaceController] = []

    def factory(
        role: Role, *, clock: FakeClock | None = None, idle_check_ms: int = 1000
    ) -> WorkspaceController:
        user = sign_in(services, role)
        session = UserSession(user, timedelta(minutes=10), **({"clock": clock} if clock else {}))
        workspace = WorkspaceController(
            services,
            task_runner,
            session,
            default_page_registry(),
            UiStateStore(settings.data_dir / "ui"),
            idle_check_ms=idle_check_ms,
        )
        qtbot.addWidget(workspace.window)
        workspace.show()
        opened.append(workspace)
        return workspace

    yield factory
    for workspace in opened:
        workspace.close()


AppFactory = Callable[..., ClinicAppController]


@pytest.fixture
def app_factory(qtbot: QtBot) -> Iterator[AppFactory]:
    """`app_factory(settings)` → a started application (login window shown, store opening)."""
    apps: list[ClinicAppController] = []

    def factory(settings: Settings, **kwargs: object) -> ClinicAppController:
        app = ClinicAppController(settings, **kwargs)  # type: ignore[arg-type]
        apps.append(app)
        app.start()
        return app

    yield factory
    for app in apps:
        app.shutdown()


def fake_clock_sessions(clock: FakeClock) -> Callable[[Services, AuthenticatedUser], UserSession]:
    def make(services: Services, user: AuthenticatedUser) -> UserSession:
        return UserSession(user, timedelta(minutes=services.settings.idle_lock_minutes), clock)

    return make


def make_patients(
    services: Services, user: AuthenticatedUser, rows: list[tuple[str, str, str]]
) -> list[PatientSummary]:
    """(given, family, birth date) → created patients, through the real service."""
    created = []
    for given, family, birth in rows:
        result = services.patients.create(
            user, PatientInput(given_name=given, family_name=family, sex="female", birth_date=birth)
        )
        created.append(result.patient.summary)
    return created
