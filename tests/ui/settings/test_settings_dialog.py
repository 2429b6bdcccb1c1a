"""Ctrl+, opens this workstation's settings: IT's locked ones are marked and disabled, an
administrator changes the idle lock where IT left it open, everyone else reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from clinic_app.bootstrap import Services
from clinic_app.maintenance.workstation_settings import (
    IDLE_LOCK,
    LABELS,
    WorkstationSettingsService,
)
from clinic_app.packaging.machine_config import CONFIG_ENV
from clinic_app.packaging.workstation_preferences import PREFERENCES_FILE, WorkstationPreferences
from clinic_app.security.permissions import Role
from clinic_app.settings import DATA_DIR_ENV, Settings
from clinic_app.ui.settings.settings_dialog import SettingsDialog
from clinic_app.ui.shell.main_window import MainWindow
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from tests.store_inspection import audit_events, last_audit_seq
from tests.ui.fixtures import WorkspaceFactory

REVIEW_FOLDER = Path("/tmp/clinic_screens")


def screenshot(dialog: SettingsDialog, folder: Path, name: str) -> None:
    """For review by eye (copied to /tmp/clinic_screens/); rendered, not blank."""
    path = folder / f"{name}.png"
    assert dialog.grab().save(str(path))
    image = QImage(str(path))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 23) for y in range(0, 300, 7)}
    assert len(colours) > 4, "the dialog is blank"
    REVIEW_FOLDER.mkdir(exist_ok=True)
    shutil.copy(path, REVIEW_FOLDER / path.name)


def active(qtbot: QtBot, window: MainWindow) -> MainWindow:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    return window


def opened_dialog(qtbot: QtBot, window: MainWindow) -> SettingsDialog:
    """Ctrl+, on the main window, then the settings read on the database lane."""
    qtbot.keyClick(active(qtbot, window), Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(SettingsDialog)
    assert isinstance(dialog, SettingsDialog), "Ctrl+, opened no Settings dialog"
    # The rows are added once the settings were read, and shown by Qt's next event loop pass.
    qtbot.waitUntil(
        lambda: IDLE_LOCK in dialog.editors and dialog.editors[IDLE_LOCK].isVisible(),
        timeout=10000,
    )
    return dialog


def it_locks(services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """IT's file sets and locks the idle lock and the sync server; the settings are loaded
    from it as at start-up."""
    config = tmp_path / "etc" / "clinic_app" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        'idle_lock_minutes = 5\nsync_server_url = "https://sync.clinic.example/fhir"\n'
        'locked = ["idle_lock_minutes", "sync_server_url"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(CONFIG_ENV, str(config))
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    services.settings = Settings.load(services.settings.data_dir)
    services.workstation_settings = WorkstationSettingsService(
        services.settings, "keyring", services.db, services.audit_log, services.authorizer
    )
    return config


def test_an_admin_changes_the_idle_lock_and_it_is_saved_and_audited(
    qtbot: QtBot, open_workspace: WorkspaceFactory, services: Services, tmp_path: Path
) -> None:
    window = open_workspace(Role.ADMIN).window
    dialog = opened_dialog(qtbot, window)
    assert [dialog.notes[name].text() != "" for name in LABELS] == [True] * len(LABELS)
    assert not any(
        mark.pixmap() and not mark.pixmap().isNull() for mark in dialog.lock_marks.values()
    )
    spin = dialog.idle_lock_spin
    assert spin.isEnabled()
    assert not spin.isReadOnly()
    assert spin.value() == 10
    assert "you can change the idle lock" in dialog.intro.text()
    assert dialog.save_button.isVisible()
    assert not dialog.save_button.isEnabled(), "nothing changed yet"
    data_dir = dialog.editors["data_dir"]
    assert isinstance(data_dir, QLineEdit)
    assert data_dir.isReadOnly()
    assert data_dir.text() == str(services.settings.data_dir)

    last = last_audit_seq(services.db)
    spin.setValue(15)
    assert dialog.save_button.isEnabled()
    dialog.resize(720, 560)
    screenshot(dialog, tmp_path, "settings-dialog-admin")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.message().startswith("Saved"), timeout=10000)

    assert services.settings.idle_lock_minutes == 15
    assert WorkstationPreferences.load(services.settings.data_dir).idle_lock_minutes == 15
    assert [e.action for e in audit_events(services.db, after_seq=last)] == ["settings.change"]
    assert dialog.idle_lock_spin.value() == 15
    assert not dialog.save_button.isEnabled()


def test_other_roles_read_the_settings_but_can_not_change_them(
    qtbot: QtBot, open_workspace: WorkspaceFactory, services: Services
) -> None:
    window = open_workspace(Role.DOCTOR).window
    dialog = opened_dialog(qtbot, window)
    idle = dialog.editors[IDLE_LOCK]
    assert isinstance(idle, QLineEdit)
    assert idle.isReadOnly()
    assert idle.text() == "10 minutes"
    assert dialog.save_button.isHidden()
    assert "Only an administrator" in dialog.intro.text()
    assert dialog.notes[IDLE_LOCK].text() == "Only an administrator can change this."
    # Ctrl+S does nothing for them: no file, nothing audited.
    last = last_audit_seq(services.db)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert audit_events(services.db, after_seq=last) == []
    assert not (services.settings.data_dir / PREFERENCES_FILE).exists()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)


def test_settings_it_locked_show_a_lock_and_where_they_were_set_and_are_disabled(
    qtbot: QtBot,
    open_workspace: WorkspaceFactory,
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = it_locks(services, tmp_path, monkeypatch)
    window = open_workspace(Role.ADMIN).window
    dialog = opened_dialog(qtbot, window)
    for name in (IDLE_LOCK, "sync_server_url"):
        assert not dialog.editors[name].isEnabled(), name
        assert dialog.notes[name].text() == f"Set by your IT department in {config}"
        assert not dialog.lock_marks[name].pixmap().isNull(), f"{name} has no lock icon"
    idle = dialog.editors[IDLE_LOCK]
    assert isinstance(idle, QLineEdit)
    assert idle.text() == "5 minutes"
    sync = dialog.editors["sync_server_url"]
    assert isinstance(sync, QLineEdit)
    assert sync.text() == "https://sync.clinic.example/fhir"
    for name in ("data_dir", "unlock_mode", "language"):
        assert dialog.editors[name].isEnabled(), name
        assert dialog.lock_marks[name].pixmap().isNull(), name
    assert str(config) in dialog.intro.text()
    assert not dialog.save_button.isVisible(), "nothing left for the admin to change"

    assert "IT locked" in dialog.intro.text()
    dialog.resize(720, 560)
    screenshot(dialog, tmp_path, "settings-dialog-locked")


def test_a_save_that_fails_says_why_and_changes_nothing(
    qtbot: QtBot, open_workspace: WorkspaceFactory, services: Services
) -> None:
    # A folder where the file should go: the disk refuses the write.
    (services.settings.data_dir / PREFERENCES_FILE).mkdir()
    (services.settings.data_dir / f".{PREFERENCES_FILE}.tmp").mkdir()
    window = open_workspace(Role.ADMIN).window
    dialog = opened_dialog(qtbot, window)
    dialog.idle_lock_spin.setValue(30)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "could not be saved" in dialog.message(), timeout=10000)
    assert services.settings.idle_lock_minutes == 10
    assert dialog.save_button.isEnabled(), "the person can try again"


def test_the_settings_shortcut_is_off_while_the_screen_is_locked(
    qtbot: QtBot, open_workspace: WorkspaceFactory
) -> None:
    workspace = open_workspace(Role.ADMIN)
    active(qtbot, workspace.window)
    workspace.lock()
    assert workspace.window.showing_lock_screen
    qtbot.keyClick(workspace.window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert workspace.window.findChild(SettingsDialog) is None
