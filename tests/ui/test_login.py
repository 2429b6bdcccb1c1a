"""Signing in through the login window: success, wrong password, lockout, forced change."""

from __future__ import annotations

from clinic_app.security.permissions import Role
from clinic_app.settings import Settings
from clinic_app.ui.app_controller import ClinicAppController
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORDS, USERNAMES
from tests.ui.fixtures import AppFactory


def ready_app(qtbot: QtBot, app_factory: AppFactory, settings: Settings) -> ClinicAppController:
    app = app_factory(settings)
    qtbot.waitUntil(lambda: app.login_window.ready, timeout=10000)
    return app


def attempt(qtbot: QtBot, app: ClinicAppController, username: str, password: str) -> None:
    window = app.login_window
    window.username_edit.setText(username)
    window.password_edit.setText(password)
    window.sign_in_button.click()
    qtbot.waitUntil(lambda: window.ready or app.workspace is not None, timeout=10000)


def test_the_administrator_signs_in_and_sees_the_pages_of_the_role(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    app = ready_app(qtbot, app_factory, initialised_settings)
    with qtbot.waitSignal(app.workspace_opened, timeout=10000):
        attempt(qtbot, app, USERNAMES[Role.ADMIN], PASSWORDS[Role.ADMIN])
    assert app.workspace is not None
    window = app.workspace.window
    assert window.isVisible()
    assert not app.login_window.isVisible()
    assert window.user_label.text() == "Ada Admin · Administrator"
    assert {"patients", "admin"} <= set(window.page_keys)
    assert window.page_keys[0] == "patients"
    assert window.current_page_key == "patients"
    assert app.login_window.password_edit.text() == "", "the password is not kept on screen"


def test_a_wrong_password_is_refused_with_a_message(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    app = ready_app(qtbot, app_factory, initialised_settings)
    attempt(qtbot, app, USERNAMES[Role.NURSE], "wrong-password-1")
    assert app.workspace is None
    assert app.login_window.error_text() == "The user name or password is not correct."
    assert app.login_window.password_edit.text() == ""


def test_an_unknown_user_gets_the_same_message_as_a_wrong_password(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    app = ready_app(qtbot, app_factory, initialised_settings)
    attempt(qtbot, app, "nobody", "whatever-123")
    assert app.login_window.error_text() == "The user name or password is not correct."


def test_empty_fields_are_caught_before_asking_the_database(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    app = ready_app(qtbot, app_factory, initialised_settings)
    window = app.login_window
    window.username_edit.setText("   ")
    window.sign_in_button.click()
    assert window.error_text() == "Enter your user name."
    window.username_edit.setText("desk")
    window.sign_in_button.click()
    assert window.error_text() == "Enter your password."
    assert window.ready


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    app = ready_app(qtbot, app_factory, initialised_settings)
    for number in range(5):
        attempt(qtbot, app, USERNAMES[Role.FRONT_DESK], f"wrong-password-{number}")
    attempt(qtbot, app, USERNAMES[Role.FRONT_DESK], PASSWORDS[Role.FRONT_DESK])
    assert app.workspace is None
    assert "locked" in app.login_window.error_text()
    assert "administrator" in app.login_window.error_text()


def test_a_temporary_password_must_be_changed_before_the_workspace_opens(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    app = ready_app(qtbot, app_factory, initialised_settings)
    assert app.services is not None
    admin = app.services.accounts.login(USERNAMES[Role.ADMIN], PASSWORDS[Role.ADMIN])
    app.services.accounts.add_user(admin, "newbie", "New Bie", Role.NURSE, "temporary-123")

    attempt(qtbot, app, "newbie", "temporary-123")
    assert app.workspace is None
    assert app.login is not None
    qtbot.waitUntil(lambda: app.login.change_password_dialog is not None, timeout=5000)
    dialog = app.login.change_password_dialog
    assert dialog is not None
    assert app.workspace is None

    dialog.field("password").setText("mine-2026-abc")
    dialog.field("password_confirm").setText("mine-2026-abd")
    dialog.save_button.click()
    assert dialog.form.error_text("password_confirm") == "The two passwords differ."

    dialog.field("password").setText("temporary-123")
    dialog.field("password_confirm").setText("temporary-123")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.form.error_text("password") != "", timeout=10000)
    assert "differ from the current" in dialog.form.error_text("password")

    dialog.field("password").setText("mine-2026-abc")
    dialog.field("password_confirm").setText("mine-2026-abc")
    with qtbot.waitSignal(app.workspace_opened, timeout=10000):
        dialog.save_button.click()
    assert app.workspace is not None
    assert app.workspace.window.user_label.text() == "New Bie · Nurse"
    assert not app.workspace.user.must_change_password
    assert app.services.accounts.login("newbie", "mine-2026-abc").username == "newbie"


def test_leaving_the_password_change_returns_to_the_login_window(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    app = ready_app(qtbot, app_factory, initialised_settings)
    attempt(qtbot, app, USERNAMES[Role.DOCTOR], PASSWORDS[Role.DOCTOR])
    assert app.login is not None
    qtbot.waitUntil(lambda: app.login.change_password_dialog is not None, timeout=5000)
    dialog = app.login.change_password_dialog
    assert dialog is not None
    dialog.reject()
    assert app.workspace is None
    assert app.login_window.ready
    assert app.login_window.password_edit.text() == ""


def sign_in_admin(qtbot: QtBot, app: ClinicAppController) -> None:
    with qtbot.waitSignal(app.workspace_opened, timeout=10000):
        attempt(qtbot, app, USERNAMES[Role.ADMIN], PASSWORDS[Role.ADMIN])


def test_signing_out_returns_to_the_login_window_and_someone_can_sign_in_again(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    app = ready_app(qtbot, app_factory, initialised_settings)
    sign_in_admin(qtbot, app)
    assert app.workspace is not None
    first_window = app.workspace.window
    first_window.sign_out_button.click()
    assert app.workspace is None
    assert app.login_window.isVisible()
    assert not first_window.isVisible()
    assert app.login_window.password_edit.text() == ""
    sign_in_admin(qtbot, app)
    assert app.workspace is not None
    assert app.workspace.window is not first_window


def test_closing_the_main_window_quits_the_application(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    app = ready_app(qtbot, app_factory, initialised_settings)
    sign_in_admin(qtbot, app)
    assert app.workspace is not None
    with qtbot.waitSignal(app.finished, timeout=5000):
        app.workspace.window.close()
    assert app.services is None, "the database was closed"


def test_closing_the_login_window_quits_the_application(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    app = ready_app(qtbot, app_factory, initialised_settings)
    with qtbot.waitSignal(app.finished, timeout=5000):
        app.login_window.close()
