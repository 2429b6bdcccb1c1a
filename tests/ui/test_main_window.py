"""The main window: pages from the registry by permission, shortcuts, status bar, and the
per-user window state."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from clinic_app.bootstrap import Services
from clinic_app.security.idle_lock import UserSession
from clinic_app.security.permissions import Action, Role
from clinic_app.settings import Settings
from clinic_app.ui.shell.builtin_pages import register_builtin_pages
from clinic_app.ui.shell.help_dialog import HelpDialog
from clinic_app.ui.shell.main_window import MainWindow
from clinic_app.ui.shell.page_registry import PageRegistry, PageSpec
from clinic_app.ui.shell.shell_page import PageContext, ShellPage
from clinic_app.ui.shell.workspace_controller import WorkspaceController
from clinic_app.ui.tasks.task_runner import TaskRunner
from clinic_app.ui.ui_state_store import UiStateStore
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, make_patients, sign_in


class ReportsPage(ShellPage):
    """A page a later feature might add, without touching the main window."""

    def __init__(self, context: PageContext) -> None:
        super().__init__()
        self.user_id = context.user.id
        QLabel("Reports", self)


class FrontPage(ShellPage):
    def __init__(self, context: PageContext) -> None:
        super().__init__()
        QLabel(f"Hello {context.user.display_name}", self)


def registry_with_reports() -> PageRegistry:
    """Only test pages, so the test does not depend on which features are installed."""
    registry = PageRegistry()
    registry.register(PageSpec("front", "Front", "patients", FrontPage, Action.PATIENT_READ, 10))
    registry.register(PageSpec("system", "System", "admin", FrontPage, Action.USER_MANAGE, 90))
    registry.register(
        PageSpec("reports", "Reports", "audit", ReportsPage, Action.AUDIT_READ, order=50)
    )
    return registry


def window_for(
    qtbot: QtBot, services: Services, runner: TaskRunner, role: Role, registry: PageRegistry
) -> MainWindow:
    user = sign_in(services, role)
    window = MainWindow(registry.pages_for(user), PageContext(services, user, runner))
    qtbot.addWidget(window)
    return window


def test_a_registered_page_appears_only_for_roles_allowed_to_see_it(
    qtbot: QtBot, services: Services, task_runner: TaskRunner
) -> None:
    registry = registry_with_reports()
    admin_window = window_for(qtbot, services, task_runner, Role.ADMIN, registry)
    assert admin_window.page_keys == ["front", "reports", "system"], "in their order"
    page = admin_window.show_page("reports")
    assert isinstance(page, ReportsPage)
    assert admin_window.current_page_key == "reports"

    desk_window = window_for(qtbot, services, task_runner, Role.FRONT_DESK, registry)
    assert desk_window.page_keys == ["front"]
    with pytest.raises(KeyError):
        desk_window.show_page("system")


def test_the_builtin_pages_follow_the_permission_table(services: Services) -> None:
    registry = PageRegistry()
    register_builtin_pages(registry)
    admin_keys = [spec.key for spec in registry.pages_for(sign_in(services, Role.ADMIN))]
    desk_keys = [spec.key for spec in registry.pages_for(sign_in(services, Role.FRONT_DESK))]
    assert admin_keys[0] == "patients"
    assert "admin" in admin_keys
    assert "patients" in desk_keys
    assert "admin" not in desk_keys


def test_pages_are_built_only_when_first_shown(
    qtbot: QtBot, services: Services, task_runner: TaskRunner
) -> None:
    window = window_for(qtbot, services, task_runner, Role.ADMIN, registry_with_reports())
    assert window.built_pages() == {}
    window.show_page("reports")
    assert list(window.built_pages()) == ["reports"]


def test_two_pages_can_not_share_a_name() -> None:
    registry = registry_with_reports()
    with pytest.raises(ValueError, match="already registered"):
        registry.register(PageSpec("reports", "Again", "audit", ReportsPage))


def active(qtbot: QtBot, workspace: WorkspaceController) -> MainWindow:
    window = workspace.window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    return window


def test_keyboard_shortcuts_find_new_lock_and_help(
    qtbot: QtBot, open_workspace: WorkspaceFactory
) -> None:
    workspace = open_workspace(Role.NURSE)
    window = active(qtbot, workspace)
    page = window.page("patients")
    assert page is not None
    search = page.list_view.search_edit  # type: ignore[attr-defined]
    assert not search.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(search.hasFocus, timeout=2000)

    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.panel.showing_form  # type: ignore[attr-defined]
    assert page.form_view.title_label.text() == "New patient"  # type: ignore[attr-defined]

    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.findChild(HelpDialog) is not None, timeout=2000)
    help_dialog = window.findChild(HelpDialog)
    assert help_dialog is not None
    help_dialog.close()

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.showing_lock_screen
    assert workspace.session.is_locked()


def test_ctrl_n_from_another_page_opens_a_new_patient(
    qtbot: QtBot, open_workspace: WorkspaceFactory
) -> None:
    workspace = open_workspace(Role.ADMIN)
    window = active(qtbot, workspace)
    window.show_page("admin")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    # The administrator may not create patients: the shortcut goes to the page, which refuses.
    assert window.current_page_key == "patients"
    assert not window.page("patients").panel.showing_form  # type: ignore[union-attr]


def test_the_status_bar_shows_who_is_signed_in_and_the_connection(
    qtbot: QtBot, open_workspace: WorkspaceFactory
) -> None:
    window = open_workspace(Role.FRONT_DESK).window
    assert window.user_label.text() == "Dee Desk · Front desk"
    assert window.connection_label.text() == "Offline · sync not set up"
    window.set_connection_state("Online · synced 2 min ago", "refresh")
    assert window.connection_label.text() == "Online · synced 2 min ago"
    assert window.lock_button.isVisible()


def test_window_size_and_last_page_are_remembered_per_user(
    qtbot: QtBot,
    services: Services,
    task_runner: TaskRunner,
    settings: Settings,
    open_workspace: WorkspaceFactory,
) -> None:
    make_patients(services, sign_in(services, Role.DOCTOR), [("Ana", "Silva", "1980-01-02")])
    first = open_workspace(Role.ADMIN)
    first.window.resize(1100, 650)
    first.window.show_page("admin")
    admin_id = first.user.id
    first.close()

    state_file = settings.data_dir / "ui" / f"{admin_id}.json"
    stored = json.loads(state_file.read_text(encoding="utf-8"))
    assert stored["last_page"] == "admin"
    assert set(stored) == {"geometry", "last_page"}, "nothing clinical is stored"
    assert "Silva" not in state_file.read_text(encoding="utf-8")

    again = open_workspace(Role.ADMIN)
    assert again.window.current_page_key == "admin"
    assert (again.window.width(), again.window.height()) == (1100, 650)
    other = open_workspace(Role.NURSE)
    assert other.window.current_page_key == "patients"


def test_a_damaged_state_file_is_ignored(settings: Settings) -> None:
    store = UiStateStore(settings.data_dir / "ui")
    (settings.data_dir / "ui").mkdir(parents=True)
    (settings.data_dir / "ui" / "abc.json").write_text("{not json", encoding="utf-8")
    assert store.load("abc").last_page == ""
    with pytest.raises(ValueError, match="user id"):
        store.load("../etc/passwd")


def test_signing_out_with_unsaved_changes_asks_first(
    qtbot: QtBot, open_workspace: WorkspaceFactory
) -> None:
    workspace = open_workspace(Role.DOCTOR)
    page = workspace.window.page("patients")
    assert page is not None
    page.list_view.new_button.click()  # type: ignore[attr-defined]
    page.form_view.editor("family_name").setText("Unsaved")  # type: ignore[attr-defined]
    signed_out: list[str] = []
    workspace.signed_out.connect(signed_out.append)
    workspace.window.sign_out_button.click()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None, timeout=2000)
    dialog = QApplication.activeModalWidget()
    assert dialog is not None
    assert signed_out == []
    dialog.confirm_button.click()  # type: ignore[attr-defined]
    assert signed_out == [""]


def test_a_session_can_be_built_with_any_idle_time(services: Services) -> None:
    user = sign_in(services, Role.NURSE)
    assert services.new_session(user).idle_timeout == timedelta(minutes=10)
    assert UserSession(user, timedelta(seconds=1)).idle_timeout == timedelta(seconds=1)
