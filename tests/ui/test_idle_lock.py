"""Idle lock: patient data hidden after the idle time, unlocked by the same user with nothing
lost; another user signing in closes the previous user's views and keeps their draft aside."""

from __future__ import annotations

from datetime import timedelta

from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.settings import Settings
from clinic_app.ui.app_controller import ClinicAppController
from clinic_app.ui.patients.patients_page import PatientsPage
from clinic_app.ui.shell.workspace_controller import WorkspaceController
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORDS, USERNAMES
from tests.ui.fixtures import AppFactory, FakeClock, WorkspaceFactory, fake_clock_sessions

IDLE = timedelta(minutes=10)


def patients_page(qtbot: QtBot, workspace: WorkspaceController) -> PatientsPage:
    page = workspace.window.page("patients")
    assert isinstance(page, PatientsPage)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 or page.list_view.showing_empty_state)
    return page


def start_draft(qtbot: QtBot, page: PatientsPage, family_name: str) -> None:
    page.list_view.new_button.click()
    assert page.panel.showing_form
    qtbot.keyClicks(page.form_view.editor("family_name"), family_name)
    qtbot.keyClicks(page.form_view.editor("allergies"), "penicillin")


def visible_texts(workspace: WorkspaceController) -> list[str]:
    return [
        edit.text()
        for edit in workspace.window.findChildren(QLineEdit)
        if edit.isVisible() and edit.text()
    ]


def test_idle_time_hides_patient_data_and_the_same_user_unlocks_with_the_draft_intact(
    qtbot: QtBot, open_workspace: WorkspaceFactory, fake_clock: FakeClock
) -> None:
    workspace = open_workspace(Role.DOCTOR, clock=fake_clock, idle_check_ms=20)
    page = patients_page(qtbot, workspace)
    start_draft(qtbot, page, "Draftson")
    window = workspace.window

    fake_clock.advance(IDLE + timedelta(seconds=1))
    qtbot.waitUntil(lambda: window.showing_lock_screen, timeout=3000)
    assert not page.isVisible()
    assert not window.navigation.isVisible()
    assert "Draftson" not in visible_texts(workspace)
    assert not window.new_action.isEnabled(), "shortcuts are off while locked"

    lock_screen = window.lock_screen
    lock_screen.unlock_button.click()
    assert lock_screen.error_text() == "Enter your password."
    lock_screen.password_edit.setText("not-my-password-1")
    lock_screen.unlock_button.click()
    qtbot.waitUntil(lambda: lock_screen.error_text() != "", timeout=10000)
    assert window.showing_lock_screen
    assert "not correct" in lock_screen.error_text()

    lock_screen.password_edit.setText(PASSWORDS[Role.DOCTOR])
    lock_screen.unlock_button.click()
    qtbot.waitUntil(lambda: not window.showing_lock_screen, timeout=10000)
    assert page.isVisible()
    assert page.panel.showing_form
    assert page.form_view.editor("family_name").text() == "Draftson"
    assert page.form_view.is_dirty()
    assert not workspace.session.is_locked()


def test_keyboard_and_mouse_input_keeps_the_session_awake(
    qtbot: QtBot, open_workspace: WorkspaceFactory, fake_clock: FakeClock
) -> None:
    workspace = open_workspace(Role.NURSE, clock=fake_clock, idle_check_ms=20)
    page = patients_page(qtbot, workspace)
    fake_clock.advance(IDLE - timedelta(minutes=1))
    qtbot.keyClicks(page.list_view.search_edit, "a")
    fake_clock.advance(timedelta(minutes=2))
    assert not workspace.session.is_locked()
    qtbot.mouseMove(page.list_view.table)
    qtbot.mouseClick(page.list_view.table.viewport(), Qt.MouseButton.LeftButton)
    fake_clock.advance(IDLE - timedelta(seconds=30))
    assert not workspace.session.is_locked()
    fake_clock.advance(timedelta(minutes=1))
    qtbot.waitUntil(lambda: workspace.window.showing_lock_screen, timeout=3000)


def test_the_lock_button_locks_at_once(qtbot: QtBot, open_workspace: WorkspaceFactory) -> None:
    workspace = open_workspace(Role.FRONT_DESK)
    patients_page(qtbot, workspace)
    workspace.window.lock_button.click()
    assert workspace.window.showing_lock_screen
    assert workspace.session.is_locked()


def settle_password(services: Services, role: Role) -> str:
    """Template accounts hold a temporary password: replace it as the person would."""
    user = services.accounts.login(USERNAMES[role], PASSWORDS[role])
    new_password = PASSWORDS[role] + "-own"
    services.accounts.change_own_password(user, PASSWORDS[role], new_password)
    return new_password


def signed_in_app(
    qtbot: QtBot, app_factory: AppFactory, settings: Settings, clock: FakeClock
) -> ClinicAppController:
    app = app_factory(settings, session_factory=fake_clock_sessions(clock), idle_check_ms=20)
    qtbot.waitUntil(lambda: app.login_window.ready, timeout=10000)
    return app


def switch_to(qtbot: QtBot, app: ClinicAppController, username: str, password: str) -> None:
    assert app.workspace is not None
    lock_screen = app.workspace.window.lock_screen
    lock_screen.switch_toggle.click()
    lock_screen.other_username_edit.setText(username)
    lock_screen.other_password_edit.setText(password)
    with qtbot.waitSignal(app.workspace_opened, timeout=10000):
        lock_screen.switch_button.click()


def test_another_user_closes_the_previous_views_and_the_draft_waits_for_its_owner(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory, fake_clock: FakeClock
) -> None:
    app = signed_in_app(qtbot, app_factory, initialised_settings, fake_clock)
    assert app.services is not None
    doctor_password = settle_password(app.services, Role.DOCTOR)
    nurse_password = settle_password(app.services, Role.NURSE)

    app.login_window.username_edit.setText(USERNAMES[Role.DOCTOR])
    app.login_window.password_edit.setText(doctor_password)
    with qtbot.waitSignal(app.workspace_opened, timeout=10000):
        app.login_window.sign_in_button.click()
    doctor_workspace = app.workspace
    assert doctor_workspace is not None
    start_draft(qtbot, patients_page(qtbot, doctor_workspace), "Draftson")
    doctor_window = doctor_workspace.window

    fake_clock.advance(IDLE + timedelta(seconds=1))
    qtbot.waitUntil(lambda: doctor_window.showing_lock_screen, timeout=3000)
    switch_to(qtbot, app, USERNAMES[Role.NURSE], nurse_password)

    nurse_workspace = app.workspace
    assert nurse_workspace is not None
    assert nurse_workspace.user.username == USERNAMES[Role.NURSE]
    assert not doctor_window.isVisible(), "the doctor's views are closed"
    nurse_page = patients_page(qtbot, nurse_workspace)
    assert not nurse_page.panel.showing_form, "the nurse does not see the doctor's draft"
    assert "Draftson" not in visible_texts(nurse_workspace)

    nurse_workspace.lock()
    switch_to(qtbot, app, USERNAMES[Role.DOCTOR], doctor_password)
    back = app.workspace
    assert back is not None
    assert back.user.username == USERNAMES[Role.DOCTOR]
    page = back.window.page("patients")
    assert isinstance(page, PatientsPage)
    assert page.panel.showing_form
    assert page.form_view.editor("family_name").text() == "Draftson"
    assert page.form_view.collect_input().allergies == "penicillin"


def test_a_user_with_a_temporary_password_changes_it_before_taking_over(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory, fake_clock: FakeClock
) -> None:
    app = signed_in_app(qtbot, app_factory, initialised_settings, fake_clock)
    app.login_window.username_edit.setText(USERNAMES[Role.ADMIN])
    app.login_window.password_edit.setText(PASSWORDS[Role.ADMIN])
    with qtbot.waitSignal(app.workspace_opened, timeout=10000):
        app.login_window.sign_in_button.click()
    assert app.workspace is not None
    app.workspace.lock()
    lock_screen = app.workspace.window.lock_screen
    lock_screen.switch_toggle.click()
    lock_screen.other_username_edit.setText(USERNAMES[Role.FRONT_DESK])
    lock_screen.other_password_edit.setText(PASSWORDS[Role.FRONT_DESK])
    lock_screen.switch_button.click()
    assert app.login is not None
    qtbot.waitUntil(lambda: app.login.change_password_dialog is not None, timeout=10000)
    assert app.workspace is None, "the administrator's views are closed first"
    assert app.login_window.isVisible()


def test_an_open_dialog_is_hidden_while_locked_and_comes_back_after(
    qtbot: QtBot, open_workspace: WorkspaceFactory
) -> None:
    from clinic_app.ui.admin.admin_page import AdminPage

    workspace = open_workspace(Role.ADMIN)
    page = workspace.window.show_page("admin")
    assert isinstance(page, AdminPage)
    qtbot.waitUntil(lambda: page.user_model.rowCount() == 4, timeout=5000)
    page.user_view.add_button.click()
    assert page.user_controller is not None
    dialog = page.user_controller.dialog
    assert dialog is not None
    dialog.line("display_name").setText("Half typed")
    assert dialog.isVisible()
    workspace.lock()
    assert not dialog.isVisible()
    lock_screen = workspace.window.lock_screen
    lock_screen.password_edit.setText(PASSWORDS[Role.ADMIN])
    lock_screen.unlock_button.click()
    qtbot.waitUntil(lambda: not workspace.window.showing_lock_screen, timeout=10000)
    assert dialog.isVisible()
    assert dialog.line("display_name").text() == "Half typed"
