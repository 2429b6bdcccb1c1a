"""Fixtures for the sync GUI tests (imported by `conftest.py` only when PySide6 is installed):
a task runner that stops before the workstations close, and helpers that build the Sync page
or the whole window over a real workstation (its own encrypted store) synced with the
reference server in a child process on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from clinic_app.security.permissions import Role
from clinic_app.ui.shell.builtin_pages import default_page_registry
from clinic_app.ui.shell.main_window import MainWindow
from clinic_app.ui.shell.shell_page import PageContext
from clinic_app.ui.sync.sync_page import SyncPage
from clinic_app.ui.tasks.task_runner import TaskRunner
from pytestqt.qtbot import QtBot

from tests.sync.workstation import Workstation

PAGE_SIZE = (1280, 720)


@pytest.fixture
def ui_runner(request: pytest.FixtureRequest) -> Iterator[TaskRunner]:
    """Set up after `workstation`, so its workers are done before the workstations close."""
    request.getfixturevalue("workstation")
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def context_for(station: Workstation, role: Role, runner: TaskRunner) -> PageContext:
    """The workstation's services with its own `SyncService` (the sync tests' quick retry
    policy), signed in as `role`."""
    services = replace(station.services, sync=station.sync)
    return PageContext(services, station.users[role], runner)


PageFactory = Callable[[Workstation, Role], SyncPage]


@pytest.fixture
def sync_page(qtbot: QtBot, ui_runner: TaskRunner) -> PageFactory:
    def factory(station: Workstation, role: Role) -> SyncPage:
        page = SyncPage(context_for(station, role, ui_runner))
        qtbot.addWidget(page)
        page.resize(*PAGE_SIZE)
        page.show()
        page.page_shown()
        return page

    return factory


WindowFactory = Callable[[Workstation, Role], MainWindow]


@pytest.fixture
def sync_window(qtbot: QtBot, ui_runner: TaskRunner) -> Iterator[WindowFactory]:
    """The main window with every page the role sees (and their status-bar companions)."""
    opened: list[MainWindow] = []

    def factory(station: Workstation, role: Role) -> MainWindow:
        context = context_for(station, role, ui_runner)
        window = MainWindow(default_page_registry().pages_for(context.user), context)
        qtbot.addWidget(window)
        window.resize(1366, 728)
        window.show()
        opened.append(window)
        return window

    yield factory
    for window in opened:
        window.shutdown_pages()
        window.close_for_good()
