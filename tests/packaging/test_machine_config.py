"""IT's machine-wide configuration: where it is read from, what it may set and lock, and that a
broken file is refused rather than ignored."""

from __future__ import annotations

from pathlib import Path

import pytest
from clinic_app.packaging.machine_config import (
    CONFIG_ENV,
    LOCKABLE,
    MachineConfigError,
    default_config_path,
    load_machine_config,
)
from clinic_app.settings import DATA_DIR_ENV, Settings, SyncSettings


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "etc" / "config.toml"
    path.parent.mkdir()
    monkeypatch.setenv(CONFIG_ENV, str(path))
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    return path


def test_the_documented_locations_per_operating_system(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROGRAMDATA", r"D:\ProgramData")
    assert default_config_path("linux") == Path("/etc/clinic_app/config.toml")
    assert default_config_path("win32") == Path(r"D:\ProgramData") / "clinic_app" / "config.toml"
    assert default_config_path("darwin") == Path(
        "/Library/Application Support/clinic_app/config.toml"
    )


def test_it_sets_every_setting_and_locks_some(config_file: Path, tmp_path: Path) -> None:
    config_file.write_text(
        f'data_dir = "{tmp_path / "clinic-data"}"\n'
        'unlock_mode = "passphrase"\n'
        "idle_lock_minutes = 3\n"
        'sync_server_url = "https://sync.clinic.example/fhir"\n'
        'language = "pt-BR"\n'
        'locked = ["idle_lock_minutes", "sync_server_url"]\n'
        f'trusted_keys = "{tmp_path / "keys"}"\n'
    )
    settings = Settings.load()
    assert settings.data_dir == (tmp_path / "clinic-data").resolve()
    assert settings.unlock_mode == "passphrase"
    assert settings.idle_lock_minutes == 3
    assert settings.sync_server_url == "https://sync.clinic.example/fhir"
    assert settings.language == "pt-BR"
    assert settings.locked == frozenset({"idle_lock_minutes", "sync_server_url"})
    assert settings.is_locked("idle_lock_minutes")
    assert not settings.is_locked("language")
    assert settings.machine_config_file == config_file
    assert settings.trusted_keys == tmp_path / "keys"


def test_locked_true_locks_everything_lockable(config_file: Path) -> None:
    config_file.write_text("locked = true\n")
    assert Settings.load().locked == frozenset(LOCKABLE)


def test_the_command_line_and_environment_still_choose_the_data_directory(
    config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.write_text(f'data_dir = "{tmp_path / "from-config"}"\n')
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "from-env"))
    assert Settings.load().data_dir == (tmp_path / "from-env").resolve()
    assert Settings.load(tmp_path / "explicit").data_dir == (tmp_path / "explicit").resolve()


def test_a_locked_sync_server_wins_over_the_users_choice(config_file: Path, tmp_path: Path) -> None:
    config_file.write_text(
        f'data_dir = "{tmp_path / "data"}"\n'
        'sync_server_url = "https://it.example/fhir"\nlocked = ["sync_server_url"]\n'
    )
    settings = Settings.load()
    settings.data_dir.mkdir()
    SyncSettings(server_url="https://user-choice.example/fhir", enabled=True).save(
        settings.data_dir
    )
    assert settings.sync.server_url == "https://it.example/fhir"
    assert settings.sync.enabled


def test_an_unlocked_sync_server_is_only_a_default(config_file: Path, tmp_path: Path) -> None:
    config_file.write_text(
        f'data_dir = "{tmp_path / "data"}"\nsync_server_url = "https://it.example/fhir"\n'
    )
    settings = Settings.load()
    settings.data_dir.mkdir()
    assert settings.sync.server_url == "https://it.example/fhir"
    SyncSettings(server_url="https://user-choice.example/fhir").save(settings.data_dir)
    assert settings.sync.server_url == "https://user-choice.example/fhir"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("idle_lock_minute = 5\n", "idle_lock_minute is not a known key"),
        ("idle_lock_minutes = 0\n", "from 1 to 240"),
        ("idle_lock_minutes = true\n", "whole number"),
        ('unlock_mode = "plaintext"\n', "keyring, passphrase"),
        ('sync_server_url = "ftp://x"\n', "https://"),
        ('language = "english please"\n', "language tag"),
        ('locked = ["workstation"]\n', "lockable"),
        ('locked = "yes"\n', "true, false or a list"),
        ("data_dir = \n", "not valid TOML"),
    ],
)
def test_a_broken_file_is_refused_with_the_key_named(
    config_file: Path, text: str, message: str
) -> None:
    config_file.write_text(text)
    with pytest.raises(MachineConfigError, match=message) as raised:
        Settings.load()
    assert str(config_file) in str(raised.value)


def test_clinic_config_naming_a_missing_file_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "nowhere.toml"))
    with pytest.raises(MachineConfigError, match="CLINIC_CONFIG names"):
        load_machine_config()


def test_an_empty_clinic_config_means_no_machine_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(CONFIG_ENV, "")
    assert load_machine_config().path is None
    assert Settings.load().locked == frozenset()
