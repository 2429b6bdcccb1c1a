"""The scheduling page is in the shell for every role, with the reminder timer beside it,
and Ctrl+N on it books."""

from __future__ import annotations

from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.ui.scheduling.reminder_timer import ReminderTimer
from clinic_app.ui.scheduling.schedule_page import SchedulePage
from clinic_app.ui.scheduling.schedule_page_spec import PAGE_KEY
from clinic_app.ui.shell.builtin_pages import default_page_registry
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory


def test_every_role_gets_the_calendar_page(users: dict[Role, AuthenticatedUser]) -> None:
    registry = default_page_registry()
    for role, user in users.items():
        assert PAGE_KEY in [spec.key for spec in registry.pages_for(user)], role


def test_the_desk_opens_the_calendar_and_books_with_ctrl_n(
    qtbot: QtBot, open_workspace: WorkspaceFactory
) -> None:
    workspace = open_workspace(Role.FRONT_DESK)
    window = workspace.window
    assert isinstance(window.companion(PAGE_KEY), ReminderTimer), "started at sign-in"
    page = window.show_page(PAGE_KEY)
    assert isinstance(page, SchedulePage)
    qtbot.waitUntil(lambda: page.calendar.settled and page.calendar.profiles == [], timeout=10_000)
    window.new_action.trigger()
    assert page.booking is not None
    assert page.booking.dialog.isVisible()
    page.booking.dialog.reject()
