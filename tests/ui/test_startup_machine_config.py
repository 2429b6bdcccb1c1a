"""Start-up under IT's machine configuration: first-run setup defaults to IT's unlock mode and
locks the choice when IT locked it (saying where); a broken configuration is a readable window
naming the file and the key, and the application exits non-zero."""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from clinic_app.__main__ import main as gui_main
from clinic_app.packaging.machine_config import CONFIG_ENV
from clinic_app.settings import DATA_DIR_ENV, Settings
from clinic_app.storage.store import unlock_mode
from clinic_app.ui.startup.machine_config_error import EXIT_MACHINE_CONFIG
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import AppFactory
from tests.ui.test_startup import PASSPHRASE, fill_admin, finish_setup, setup_dialog_of


def it_settings(settings: Settings, mode: str, *, locked: bool, tmp_path: Path) -> Settings:
    """What `Settings.load` makes of IT's file setting (and maybe locking) `unlock_mode`."""
    return replace(
        settings,
        unlock_mode=mode,
        locked=frozenset({"unlock_mode"}) if locked else frozenset(),
        machine_config_file=tmp_path / "etc" / "config.toml",
    )


def test_setup_defaults_to_its_unlock_mode_and_the_person_may_change_it(
    qtbot: QtBot, settings: Settings, app_factory: AppFactory, tmp_path: Path
) -> None:
    app = app_factory(it_settings(settings, "passphrase", locked=False, tmp_path=tmp_path))
    dialog = setup_dialog_of(qtbot, app)
    assert dialog.passphrase_mode, "IT's choice is the default"
    assert dialog.unlock_mode_choosable
    assert dialog.unlock_mode_lock_note is None
    dialog.choose_passphrase_mode(False)
    assert not dialog.passphrase_mode


def test_a_locked_unlock_mode_can_not_be_changed_and_says_where_it_was_set(
    qtbot: QtBot, settings: Settings, app_factory: AppFactory, tmp_path: Path
) -> None:
    app = app_factory(it_settings(settings, "passphrase", locked=True, tmp_path=tmp_path))
    dialog = setup_dialog_of(qtbot, app)
    assert dialog.passphrase_mode
    assert not dialog.unlock_mode_choosable
    assert dialog.unlock_mode_lock_note is not None
    assert dialog.unlock_mode_lock_note.isVisible()
    expected = f"Set by your IT department in {tmp_path / 'etc' / 'config.toml'}"
    assert dialog.unlock_mode_lock_note.text() == expected
    dialog.choose_passphrase_mode(False)
    assert dialog.passphrase_mode, "IT's lock holds"

    dialog.field("passphrase").setText(PASSPHRASE)
    dialog.field("passphrase_confirm").setText(PASSPHRASE)
    fill_admin(dialog)
    finish_setup(qtbot, app, dialog)
    assert unlock_mode(settings).value == "passphrase"


def test_a_locked_keyring_mode_without_a_keyring_sends_the_person_to_it(
    qtbot: QtBot, settings: Settings, app_factory: AppFactory, tmp_path: Path
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    app = app_factory(it_settings(settings, "keyring", locked=True, tmp_path=tmp_path))
    dialog = setup_dialog_of(qtbot, app)
    assert not dialog.unlock_mode_choosable
    assert dialog.unlock_mode_lock_note is not None
    assert "contact your IT department" in dialog.unlock_mode_lock_note.text()
    assert not dialog.create_button.isEnabled(), "the database could not be made as IT wants"
    fill_admin(dialog)
    dialog.create_button.click()
    assert not settings.database_path.exists()


def test_the_first_run_setup_is_logged_when_it_appears(
    qtbot: QtBot, settings: Settings, app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="clinic_app.ui.startup.startup_controller"):
        app = app_factory(settings)
        dialog = setup_dialog_of(qtbot, app)
    assert dialog.isVisible()
    assert "first-run setup shown" in caplog.messages


# --- a broken machine configuration ------------------------------------------------------


@pytest.fixture
def broken_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "etc" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("idle_lock_minutes = 0\n", encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    return config


def test_a_broken_configuration_shows_a_window_naming_file_and_key_then_exits(
    qapp: QApplication, broken_config: Path, tmp_path: Path
) -> None:
    seen: list[tuple[str, str, str]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            seen.append((box.objectName(), box.text(), box.informativeText()))
            box.button(QMessageBox.StandardButton.Close).click()

    # Polls from inside the dialog's own event loop; gives up (closing every window) rather
    # than hang the suite if the application went on to start instead.
    poll = QTimer()
    poll.timeout.connect(answer)
    poll.start(50)
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(lambda: [w.close() for w in QApplication.topLevelWidgets()])
    give_up.start(20000)
    try:
        code = gui_main(["--data-dir", str(tmp_path / "data")])
    finally:
        poll.stop()
        give_up.stop()

    assert code == EXIT_MACHINE_CONFIG
    [(name, title, message)] = seen
    assert name == "machineConfigErrorDialog"
    assert "configuration from IT is not valid" in title
    assert str(broken_config) in message
    assert "idle_lock_minutes" in message
    assert "contact your IT department" in message
    assert not (tmp_path / "data").exists(), "nothing was started or written"


def test_the_real_entry_point_shows_the_window_not_a_traceback(
    broken_config: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", CONFIG_ENV: str(broken_config)}
    process = subprocess.Popen(
        [sys.executable, "-m", "clinic_app", "--verbose", "--data-dir", str(tmp_path / "d")],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stderr],  # type: ignore[union-attr]
        daemon=True,
    ).start()
    seen: list[str] = []
    try:
        while not any("machine configuration error shown" in line for line in seen):
            seen.append(lines.get(timeout=30))
    finally:
        process.kill()
        process.wait(timeout=30)
    assert not any("Traceback" in line for line in seen), seen
    errors = [line for line in seen if line.startswith("error: ")]
    assert len(errors) == 1, seen
    assert str(broken_config) in errors[0]
    assert "idle_lock_minutes" in errors[0]
