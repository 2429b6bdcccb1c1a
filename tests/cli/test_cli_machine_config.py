"""`clinic` under IT's machine configuration: `init` takes IT's unlock mode as its default and
refuses another when IT locked it; a broken configuration is one line on stderr, exit 78."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from clinic_app import __version__
from clinic_app.cli.main import EXIT_MACHINE_CONFIG
from clinic_app.packaging.machine_config import CONFIG_ENV
from clinic_app.settings import Settings
from clinic_app.storage.store import unlock_mode

from tests.cli.conftest import CliRunner

ADMIN_ENV = {"CLINIC_ADMIN_PASSWORD": "first-admin-2026"}
PASSPHRASE_ENV = {"CLINIC_PASSPHRASE": "a long clinic passphrase"}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "etc" / "config.toml"


def write(path: Path, text: str) -> dict[str, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return {CONFIG_ENV: str(path)}


def test_init_defaults_to_the_unlock_mode_it_configured(
    run_cli: CliRunner, settings: Settings, config: Path
) -> None:
    # A secure keyring is there (the in-memory one), yet IT asked for a passphrase.
    env = write(config, 'unlock_mode = "passphrase"\n')
    result = run_cli(
        "init", "--admin", "boss", "--json", env={**env, **ADMIN_ENV, **PASSPHRASE_ENV}
    )
    assert result.code == 0, result.err
    assert result.json()["unlock_mode"] == "passphrase"
    assert f"as your IT department configured in {config}" in result.err
    assert unlock_mode(settings).value == "passphrase"


def test_an_explicit_choice_overrides_an_unlocked_default(
    run_cli: CliRunner, settings: Settings, config: Path
) -> None:
    env = write(config, 'unlock_mode = "passphrase"\n')
    result = run_cli(
        "init", "--unlock", "keyring", "--admin", "boss", "--json", env={**env, **ADMIN_ENV}
    )
    assert result.code == 0, result.err
    assert unlock_mode(settings).value == "keyring"


def test_a_locked_unlock_mode_refuses_another_choice_and_writes_nothing(
    run_cli: CliRunner, settings: Settings, config: Path
) -> None:
    env = write(config, 'unlock_mode = "passphrase"\nlocked = ["unlock_mode"]\n')
    result = run_cli("init", "--unlock", "keyring", "--admin", "boss", env={**env, **ADMIN_ENV})
    assert result.code == 1
    assert result.err == (
        f"error: Your IT department set the unlock mode of this workstation to passphrase in "
        f"{config}; a keyring database can't be created here.\n"
    )
    assert not settings.database_path.exists()
    assert not settings.store_file.exists()

    # The same choice as IT's, or none, goes ahead.
    result = run_cli(
        "init", "--unlock", "passphrase", "--admin", "boss", "--json",
        env={**env, **ADMIN_ENV, **PASSPHRASE_ENV},
    )  # fmt: skip
    assert result.code == 0, result.err
    assert unlock_mode(settings).value == "passphrase"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("idle_lock_minutes = 999\n", "idle_lock_minutes"),
        ('unlock_mode = "plaintext"\n', "unlock_mode"),
        ('colour = "blue"\n', "colour"),
        ('locked = ["everything"]\n', "locked"),
        ("idle_lock_minutes = \n", "not valid TOML"),
        ("\x00\xff" * 5000, "not valid TOML"),
    ],
    ids=["range", "choice", "unknown", "lock-name", "syntax", "binary"],
)
def test_a_broken_configuration_is_one_line_naming_file_and_key(
    run_cli: CliRunner, config: Path, text: str, key: str
) -> None:
    env = write(config, text)
    result = run_cli("selftest", env=env)
    assert result.code == EXIT_MACHINE_CONFIG
    assert result.out == ""
    [line] = result.err.splitlines()
    assert line.startswith("error: The machine configuration ")
    assert str(config) in line
    assert key in line
    assert line.endswith("Contact your IT department.")


def test_a_configuration_file_that_is_missing_is_named(run_cli: CliRunner, config: Path) -> None:
    result = run_cli("selftest", env={CONFIG_ENV: str(config)})
    assert result.code == EXIT_MACHINE_CONFIG
    assert str(config) in result.err


def test_the_version_still_answers_with_a_broken_configuration(
    run_cli: CliRunner, config: Path
) -> None:
    result = run_cli("--version", env=write(config, "idle_lock_minutes = 0\n"))
    assert result.code == 0
    assert __version__ in result.out


def test_the_console_script_says_it_in_one_line_without_a_traceback(
    tmp_path: Path, config: Path
) -> None:
    write(config, "idle_lock_minutes = 0\n")
    env = {**os.environ, CONFIG_ENV: str(config), "CLINIC_DATA_DIR": str(tmp_path / "data")}
    completed = subprocess.run(
        [sys.executable, "-m", "clinic_app.cli", "selftest"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert completed.returncode == EXIT_MACHINE_CONFIG
    assert "Traceback" not in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1
    assert "idle_lock_minutes" in completed.stderr
