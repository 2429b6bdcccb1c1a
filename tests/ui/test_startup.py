"""Start-up: first-run setup, unlocking (keyring and passphrase), and the errors that stop it."""

from __future__ import annotations

import re

import keyring
import keyring.backends.fail
import pytest
from clinic_app.bootstrap import open_services
from clinic_app.settings import Settings
from clinic_app.storage.store import is_initialised, unlock_mode
from clinic_app.ui.app_controller import ClinicAppController
from clinic_app.ui.startup.setup_dialog import SetupDialog
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QRadioButton
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from tests.keyring_fake import MemoryKeyring
from tests.ui.fixtures import AppFactory

ADMIN_PASSWORD = "clinic-2026-pw"
PASSPHRASE = "correct horse battery staple"


def setup_dialog_of(qtbot: QtBot, app: ClinicAppController) -> SetupDialog:
    qtbot.waitUntil(
        lambda: app.startup.setup_dialog is not None and app.startup.setup_dialog.isVisible(),
        timeout=10000,
    )
    assert app.startup.setup_dialog is not None
    return app.startup.setup_dialog


def fill_admin(dialog: SetupDialog, password: str = ADMIN_PASSWORD, **overrides: str) -> None:
    values = {
        "username": "chief",
        "display_name": "Chief Admin",
        "password": password,
        "password_confirm": password,
        **overrides,
    }
    for name, value in values.items():
        dialog.field(name).setText(value)


def finish_setup(qtbot: QtBot, app: ClinicAppController, dialog: SetupDialog) -> str:
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.showing_recovery_key, timeout=15000)
    key = dialog.recovery_key_label.text().replace("\n", "-")
    assert not dialog.continue_button.isEnabled(), "the key must be acknowledged first"
    qtbot.mouseClick(dialog.saved_check, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(app.store_opened, timeout=5000):
        qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
    return key


def test_first_run_creates_the_store_shows_the_recovery_key_once_and_signs_in(
    qtbot: QtBot, settings: Settings, app_factory: AppFactory
) -> None:
    app = app_factory(settings)
    assert app.login_window.isVisible()
    assert not app.login_window.ready, "the login form waits until the store is open"
    dialog = setup_dialog_of(qtbot, app)
    fill_admin(dialog)
    key = finish_setup(qtbot, app, dialog)

    assert re.fullmatch(r"([A-Z2-7]{4}-){13}[A-Z2-7]{4}", key)
    assert is_initialised(settings)
    # Shown once: not kept in the dialog, nor in any file of the data folder.
    assert dialog.recovery_key_label.text() == ""
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            assert key.replace("-", "").encode() not in path.read_bytes().replace(b"-", b"")
    assert app.login_window.ready
    assert app.login_window.username_edit.text() == "chief"

    app.login_window.password_edit.setText(ADMIN_PASSWORD)
    with qtbot.waitSignal(app.workspace_opened, timeout=10000):
        app.login_window.sign_in_button.click()
    assert app.workspace is not None
    assert app.workspace.user.username == "chief"
    assert app.workspace.window.user_label.text() == "Chief Admin · Administrator"


def test_escape_can_not_dismiss_the_recovery_key(
    qtbot: QtBot, settings: Settings, app_factory: AppFactory
) -> None:
    app = app_factory(settings)
    dialog = setup_dialog_of(qtbot, app)
    fill_admin(dialog)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.showing_recovery_key, timeout=15000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert dialog.showing_recovery_key


def test_passphrase_mode_asks_for_the_passphrase_at_the_next_start(
    qtbot: QtBot, settings: Settings, app_factory: AppFactory
) -> None:
    first = app_factory(settings)
    dialog = setup_dialog_of(qtbot, first)
    dialog.choose_passphrase_mode(True)
    dialog.field("passphrase").setText(PASSPHRASE)
    dialog.field("passphrase_confirm").setText(PASSPHRASE)
    fill_admin(dialog)
    finish_setup(qtbot, first, dialog)
    first.shutdown()
    assert unlock_mode(settings).value == "passphrase"

    second = app_factory(settings)
    qtbot.waitUntil(
        lambda: (
            second.startup.passphrase_dialog is not None
            and second.startup.passphrase_dialog.isVisible()
        ),
        timeout=10000,
    )
    unlock = second.startup.passphrase_dialog
    assert unlock is not None
    unlock.unlock_button.click()
    assert unlock.error_text() == "Enter the passphrase."
    unlock.passphrase_edit.setText("not the passphrase")
    unlock.unlock_button.click()
    qtbot.waitUntil(lambda: "not correct" in unlock.error_text(), timeout=10000)
    assert unlock.isVisible()
    assert second.services is None

    unlock.passphrase_edit.setText(PASSPHRASE)
    with qtbot.waitSignal(second.store_opened, timeout=10000):
        unlock.unlock_button.click()
    assert second.login_window.ready


def test_without_a_secure_keyring_setup_offers_only_the_passphrase(
    qtbot: QtBot, settings: Settings, app_factory: AppFactory
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    app = app_factory(settings)
    dialog = setup_dialog_of(qtbot, app)
    assert not dialog.findChild(QRadioButton, "keyringRadio").isEnabled()
    assert dialog.findChild(QRadioButton, "passphraseRadio").isChecked()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "A B"}, "username", "2–64 characters"),
        ({"username": ""}, "username", "2–64 characters"),
        ({"display_name": "   "}, "display_name", "Required"),
        ({"display_name": "x" * 200}, "display_name", "At most 128"),
        ({"password": "short1", "password_confirm": "short1"}, "password", "At least 10"),
        ({"password": "onlyletters", "password_confirm": "onlyletters"}, "password", "digits"),
        ({"password_confirm": "something-else-1"}, "password_confirm", "differ"),
    ],
)
def test_setup_shows_bad_admin_details_beside_the_field_and_writes_nothing(
    qtbot: QtBot,
    settings: Settings,
    app_factory: AppFactory,
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    app = app_factory(settings)
    dialog = setup_dialog_of(qtbot, app)
    fill_admin(dialog, **overrides)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: message in dialog.error_text(field), timeout=10000)
    assert dialog.create_button.isEnabled()
    assert not dialog.showing_recovery_key
    assert not is_initialised(settings)
    assert not settings.database_path.exists()


@pytest.mark.parametrize(
    ("passphrase", "confirm", "field", "message"),
    [
        ("too short", "too short", "passphrase", "at least 12"),
        ("a\x07" + "x" * 20, "a\x07" + "x" * 20, "passphrase", "control characters"),
        (PASSPHRASE, PASSPHRASE + "!", "passphrase_confirm", "differ"),
    ],
)
def test_setup_rejects_a_bad_passphrase_beside_the_field(
    qtbot: QtBot,
    settings: Settings,
    app_factory: AppFactory,
    passphrase: str,
    confirm: str,
    field: str,
    message: str,
) -> None:
    app = app_factory(settings)
    dialog = setup_dialog_of(qtbot, app)
    dialog.choose_passphrase_mode(True)
    dialog.field("passphrase").setText(passphrase)
    dialog.field("passphrase_confirm").setText(confirm)
    fill_admin(dialog)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: message in dialog.error_text(field), timeout=10000)
    assert not is_initialised(settings)


def wait_for_fatal_error(qtbot: QtBot, app: ClinicAppController) -> str:
    qtbot.waitUntil(lambda: app.startup.fatal_error_dialog is not None, timeout=10000)
    box = app.startup.fatal_error_dialog
    assert box is not None
    assert box.isVisible()
    with qtbot.waitSignal(app.finished, timeout=5000):
        box.accept()
    return box.windowTitle() + "\n" + box.informativeText()


def test_a_damaged_database_file_says_so_and_what_to_do(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    initialised_settings.database_path.write_bytes(b"\x00garbage" * 4096)
    for side in initialised_settings.data_dir.glob("clinic.db-*"):
        side.unlink()
    text_shown = wait_for_fatal_error(qtbot, app_factory(initialised_settings))
    assert "Damaged database" in text_shown
    assert "backup" in text_shown.lower()


def test_a_database_from_a_newer_version_is_refused_untouched(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    services = open_services(initialised_settings)
    with services.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('f00dcafe9999')"))
    services.db.checkpoint()
    services.close()
    before = initialised_settings.database_path.read_bytes()
    text_shown = wait_for_fatal_error(qtbot, app_factory(initialised_settings))
    assert "newer version" in text_shown
    assert initialised_settings.database_path.read_bytes() == before


def test_a_missing_key_in_the_keyring_points_to_the_recovery_key(
    qtbot: QtBot,
    initialised_settings: Settings,
    app_factory: AppFactory,
    memory_keyring: MemoryKeyring,
) -> None:
    memory_keyring.secrets.clear()
    text_shown = wait_for_fatal_error(qtbot, app_factory(initialised_settings))
    assert "recovery key" in text_shown


def test_an_incomplete_data_folder_is_not_overwritten(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    initialised_settings.database_path.unlink()
    text_shown = wait_for_fatal_error(qtbot, app_factory(initialised_settings))
    assert "clinic.db is missing" in text_shown
    assert initialised_settings.store_file.exists()
    assert not initialised_settings.database_path.exists()


def test_an_older_database_is_upgraded_at_start_with_progress_and_a_notice(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory
) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory
    from clinic_app.storage.migrate import alembic_config, head_revisions

    services = open_services(initialised_settings)
    newest = next(
        script
        for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
        if script.revision in head_revisions() and script.down_revision is not None
    )
    config = alembic_config()
    with services.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, f"{newest.revision}-1")
    services.db.checkpoint()
    services.close()

    app = app_factory(initialised_settings)
    with qtbot.waitSignal(app.store_opened, timeout=20000):
        pass
    assert app.startup.open_messages[:2] == [
        "Backing up before the database upgrade",
        "Upgrading the database",
    ]
    assert "upgraded" in app.login_window.notice_text()
    assert app.login_window.ready
    assert list(initialised_settings.backup_dir.glob("auto-*pre-migration.clinicbak"))
