"""`clinic --version`, `init`, `unlock --recovery-key`, `selftest`, and the error contract."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import keyring
import pytest
from clinic_app import __version__
from clinic_app.bootstrap import Services
from clinic_app.cli.main import cli
from clinic_app.security.permissions import Role
from clinic_app.settings import Settings
from keyring.backends.fail import Keyring as FailKeyring

from tests.cli.conftest import CliRunner
from tests.keyring_fake import MemoryKeyring

ADMIN_ENV = {"CLINIC_ADMIN_PASSWORD": "first-admin-2026"}


def _all_command_paths() -> list[list[str]]:
    """Asked the way click asks (`list_commands`, `get_command`): the top level loads its
    commands' modules only when one is looked up."""
    paths: list[list[str]] = [[]]

    def walk(group: click.Command, prefix: list[str]) -> None:
        if not isinstance(group, click.Group):
            return
        context = click.Context(group)
        for name in group.list_commands(context):
            command = group.get_command(context, name)
            assert command is not None, name
            paths.append([*prefix, name])
            walk(command, [*prefix, name])

    walk(cli, [])
    return paths


def test_every_top_level_command_is_listed() -> None:
    top = {path[0] for path in _all_command_paths() if len(path) == 1}
    assert top == {
        "init", "unlock", "selftest", "user", "patient", "demo", "audit", "backup", "visit",
        "triage", "imaging", "models", "codes", "schedule", "sync", "verify-package", "update",
    }  # fmt: skip


def test_version_prints_the_package_version(run_cli: CliRunner) -> None:
    result = run_cli("--version")
    assert result.code == 0
    assert __version__ in result.out


@pytest.mark.parametrize("path", _all_command_paths(), ids=lambda p: " ".join(p) or "clinic")
def test_every_command_has_help(run_cli: CliRunner, path: list[str]) -> None:
    result = run_cli(*path, "--help")
    assert result.code == 0
    assert "Usage:" in result.out


def test_init_with_a_keyring_prints_the_recovery_key_once_in_json(
    run_cli: CliRunner, settings: Settings, memory_keyring: MemoryKeyring
) -> None:
    result = run_cli("init", "--admin", "Boss", "--json", env=ADMIN_ENV)
    assert result.code == 0, result.err
    data = result.json()
    assert data["unlock_mode"] == "keyring"
    assert data["admin"] == "boss"
    assert len(data["recovery_key"].replace("-", "")) == 56
    assert memory_keyring.secrets, "the database key was not put in the keyring"
    assert settings.database_path.exists()
    # The key is never written beside the data.
    assert data["recovery_key"] not in (settings.data_dir / "store.json").read_text()


def test_init_without_a_secure_keyring_uses_a_passphrase_never_plaintext(
    run_cli: CliRunner, settings: Settings
) -> None:
    keyring.set_keyring(FailKeyring())
    result = run_cli(
        "init",
        "--admin",
        "boss",
        "--json",
        env={**ADMIN_ENV, "CLINIC_PASSPHRASE": "a long clinic passphrase"},
    )
    assert result.code == 0, result.err
    assert result.json()["unlock_mode"] == "passphrase"
    assert "passphrase" in result.err
    with open(settings.database_path, "rb") as handle:
        assert not handle.read(16).startswith(b"SQLite format 3")
    listed = run_cli(
        "user",
        "list",
        "--json",
        "--user",
        "boss",
        env={
            "CLINIC_PASSWORD": ADMIN_ENV["CLINIC_ADMIN_PASSWORD"],
            "CLINIC_PASSPHRASE": "a long clinic passphrase",
        },
    )
    assert listed.code == 0, listed.err
    wrong = run_cli(
        "user",
        "list",
        "--user",
        "boss",
        env={
            "CLINIC_PASSWORD": ADMIN_ENV["CLINIC_ADMIN_PASSWORD"],
            "CLINIC_PASSPHRASE": "not the passphrase at all",
        },
    )
    assert wrong.code == 1
    assert wrong.err.strip() == "error: The passphrase is not correct."


def test_init_refuses_an_explicit_keyring_mode_when_none_is_secure(
    run_cli: CliRunner, settings: Settings
) -> None:
    keyring.set_keyring(FailKeyring())
    result = run_cli("init", "--unlock", "keyring", "--admin", "boss", env=ADMIN_ENV)
    assert result.code == 1
    assert "passphrase" in result.err
    assert not settings.database_path.exists()


@pytest.mark.parametrize(
    ("admin", "password", "fragment"),
    [
        ("boss", "short1", "password"),
        ("boss", "x" * 300 + "1", "password"),
        ("boss", "nodigitsatall", "password"),
        ("boss", "boss-is-1234", "password"),
        ("", "first-admin-2026", "username"),
        ("bad name!", "first-admin-2026", "username"),
        ("x" * 200, "first-admin-2026", "username"),
        ("boss", "tab\there-2026", "password"),
    ],
)
def test_init_with_bad_admin_details_writes_nothing(
    run_cli: CliRunner, settings: Settings, admin: str, password: str, fragment: str
) -> None:
    result = run_cli("init", "--admin", admin, env={"CLINIC_ADMIN_PASSWORD": password})
    assert result.code == 1
    assert result.err.startswith("error: ")
    assert fragment in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not settings.database_path.exists()
    assert not settings.store_file.exists()


def test_init_twice_is_refused_and_changes_nothing(
    run_cli: CliRunner, services: Services, settings: Settings
) -> None:
    before = settings.database_path.stat().st_size
    result = run_cli("init", "--admin", "other", env=ADMIN_ENV)
    assert result.code == 1
    assert "already holds" in result.err
    assert settings.database_path.stat().st_size == before


def test_init_writes_the_recovery_key_to_a_private_file(run_cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "recovery.txt"
    result = run_cli("init", "--admin", "boss", "--recovery-key-file", str(target), env=ADMIN_ENV)
    assert result.code == 0, result.err
    assert target.stat().st_mode & 0o077 == 0
    assert len(target.read_text().strip().replace("-", "")) == 56
    assert target.read_text().strip() not in result.out


def test_recovery_key_reopens_a_copied_database_on_another_machine(
    run_cli: CliRunner, settings: Settings, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    created = run_cli("init", "--admin", "boss", "--json", env=ADMIN_ENV)
    recovery_key = created.json()["recovery_key"]
    env = {"CLINIC_PASSWORD": ADMIN_ENV["CLINIC_ADMIN_PASSWORD"]}
    assert run_cli("demo", "seed", "--patients", "5", "--user", "boss", env=env).code == 0

    other = tmp_path / "other-machine"
    other.mkdir()
    shutil.copy2(settings.database_path, other / "clinic.db")
    shutil.copy2(settings.store_file, other / "store.json")
    memory_keyring.secrets.clear()  # the new machine's keyring knows nothing
    refused = run_cli("patient", "list", "--user", "boss", env=env, data_dir=str(other))
    assert refused.code == 1
    assert "recovery-key" in refused.err

    typo = recovery_key[:-1] + ("A" if recovery_key[-1] != "A" else "B")
    bad = run_cli("unlock", "--recovery-key", typo, data_dir=str(other))
    assert bad.code == 1
    assert "typing error" in bad.err

    moved = run_cli("unlock", "--recovery-key", recovery_key, "--json", data_dir=str(other))
    assert moved.code == 0, moved.err
    new_key = moved.json()["recovery_key"]
    assert new_key != recovery_key
    listed = run_cli("patient", "list", "--json", "--user", "boss", env=env, data_dir=str(other))
    assert listed.code == 0, listed.err
    assert listed.json()["total"] == 5
    # The old recovery key no longer opens the re-keyed copy.
    stale = run_cli("unlock", "--recovery-key", recovery_key, data_dir=str(other))
    assert stale.code == 1
    assert "does not open" in stale.err


def test_selftest_passes_on_a_healthy_store(run_cli: CliRunner, services: Services) -> None:
    result = run_cli("selftest", "--json")
    assert result.code == 0, result.out
    names = {check["name"] for check in result.json()["checks"]}
    assert {"store", "migrations", "integrity", "audit chain", "keyring", "free disk"} <= names


def test_selftest_fails_clearly_when_there_is_no_store(run_cli: CliRunner) -> None:
    result = run_cli("selftest")
    assert result.code == 1
    assert "FAIL  store" in result.out


def test_selftest_fails_on_a_damaged_database(
    run_cli: CliRunner, services: Services, settings: Settings
) -> None:
    services.db.checkpoint()
    services.close()
    with open(settings.database_path, "r+b") as handle:
        handle.seek(4096 + 100)
        handle.write(os.urandom(64))
    result = run_cli("selftest", "--json")
    assert result.code == 1, result.err
    failed = [c for c in result.json()["checks"] if not c["ok"]]
    assert failed, result.out


def test_commands_without_a_user_say_how_to_give_one(
    run_cli: CliRunner, services: Services
) -> None:
    result = run_cli("patient", "list")
    assert result.code == 1
    assert "--user" in result.err


def test_a_wrong_password_is_one_line_without_a_traceback(
    run_cli: CliRunner, services: Services
) -> None:
    result = run_cli("patient", "list", "--user", "drhouse", env={"CLINIC_PASSWORD": "nope-123456"})
    assert result.code == 1
    assert result.err.strip() == "error: The user name or password is not correct."


def test_the_console_script_exits_non_zero_with_one_line_and_no_traceback(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "CLINIC_DATA_DIR": str(tmp_path / "empty"), "CLINIC_PASSWORD": "x"}
    completed = subprocess.run(
        [sys.executable, "-m", "clinic_app.cli", "--user", "admin", "patient", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert completed.stderr.strip().startswith("error: No clinic database")
    assert len(completed.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_with_code_two(run_cli: CliRunner, services: Services) -> None:
    result = run_cli("patient", "search", "x", "--limit", "0", role=Role.DOCTOR)
    assert result.code == 2
    assert "--limit" in result.err
