"""init, unlock --recovery-key, selftest."""

from __future__ import annotations

import os
from pathlib import Path

import click

from clinic_app import __version__
from clinic_app.bootstrap import initialise, unlock_mode_for
from clinic_app.cli.context import PASSPHRASE_ENV, CliContext, pass_cli, secret
from clinic_app.cli.output import emit_json
from clinic_app.errors import ClinicError
from clinic_app.maintenance.selftest import run_selftest
from clinic_app.storage import keys, store
from clinic_app.storage.keys import UnlockMode
from clinic_app.storage.store import recover_store

ADMIN_PASSWORD_ENV = "CLINIC_ADMIN_PASSWORD"
RECOVERY_KEY_ENV = "CLINIC_RECOVERY_KEY"

_MODE = click.Choice([mode.value for mode in UnlockMode])


def _write_recovery_key(path: Path, recovery_key: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(recovery_key + "\n")


def _show_recovery_key(recovery_key: str, to_file: str | None, as_json: bool) -> dict[str, str]:
    if to_file:
        try:
            _write_recovery_key(Path(to_file), recovery_key)
        except FileExistsError as exc:
            raise ClinicError(f"{to_file} already exists; choose a new file.") from exc
        return {"recovery_key_file": to_file}
    if not as_json:
        click.echo("")
        click.echo("RECOVERY KEY (shown once; store it offline, e.g. printed in the clinic safe):")
        click.echo(f"  {recovery_key}")
        click.echo("It opens this database on another machine: clinic unlock --recovery-key")
        click.echo("")
    return {"recovery_key": recovery_key}


def _passphrase_for(mode: UnlockMode) -> str | None:
    if mode is not UnlockMode.PASSPHRASE:
        return None
    passphrase = secret(PASSPHRASE_ENV, "New database passphrase", confirm=True)
    keys.check_passphrase_rules(passphrase)
    return passphrase


@click.command()
@click.option(
    "--unlock",
    "unlock_mode",
    type=_MODE,
    default=None,
    help="keyring (key kept in the OS keyring) or passphrase. Default: the machine "
    "configuration's unlock_mode, else keyring when a secure one exists, else passphrase. "
    "When IT locked unlock_mode, another choice is refused.",
)
@click.option("--admin", "admin_username", required=True, help="User name of the first admin.")
@click.option("--display-name", default=None, help="The admin's display name.")
@click.option(
    "--recovery-key-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the recovery key to this new file (mode 600) instead of printing it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_cli
def init(
    state: CliContext,
    unlock_mode: str | None,
    admin_username: str,
    display_name: str | None,
    recovery_key_file: str | None,
    as_json: bool,
) -> None:
    """Create the encrypted database and the first administrator."""
    settings = state.settings
    mode = unlock_mode_for(settings, UnlockMode(unlock_mode) if unlock_mode else None)
    if unlock_mode is None and settings.unlock_mode:
        click.echo(
            f"Unlock mode {mode.value}, as your IT department configured in "
            f"{settings.machine_config_file}.",
            err=True,
        )
    elif unlock_mode is None and mode is UnlockMode.PASSPHRASE:
        click.echo(
            "No secure OS keyring here: the database will be protected by a passphrase.", err=True
        )
    passphrase = _passphrase_for(mode)
    password = secret(ADMIN_PASSWORD_ENV, f"Password for {admin_username}", confirm=True)
    services, recovery_key = initialise(
        state.settings,
        mode=mode,
        passphrase=passphrase,
        admin_username=admin_username,
        admin_display_name=display_name or admin_username,
        admin_password=password,
    )
    services.close()
    result: dict[str, str] = {
        "data_dir": str(state.settings.data_dir),
        "unlock_mode": mode.value,
        "admin": admin_username.strip().lower(),
    }
    result.update(_show_recovery_key(recovery_key, recovery_key_file, as_json))
    if as_json:
        emit_json(result)
    else:
        click.echo(f"Initialised {result['data_dir']} ({mode.value} mode).")


@click.command()
@click.option(
    "--recovery-key",
    "recovery_key",
    default=None,
    help=f"The recovery key (or ${RECOVERY_KEY_ENV}, or a prompt).",
)
@click.option(
    "--unlock",
    "unlock_mode",
    type=_MODE,
    default=None,
    help="How this machine keeps the new key. Default: the machine configuration's "
    "unlock_mode, else keyring when available.",
)
@click.option(
    "--recovery-key-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the NEW recovery key to this new file instead of printing it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_cli
def unlock(
    state: CliContext,
    recovery_key: str | None,
    unlock_mode: str | None,
    recovery_key_file: str | None,
    as_json: bool,
) -> None:
    """Open a database with its recovery key and re-key it to this machine.

    The old recovery key stops working; a new one is shown once.
    """
    given = recovery_key or secret(RECOVERY_KEY_ENV, "Recovery key")
    mode = unlock_mode_for(state.settings, UnlockMode(unlock_mode) if unlock_mode else None)
    passphrase = _passphrase_for(mode)
    fresh = recover_store(state.settings, given, mode, passphrase)
    result: dict[str, str] = {"unlock_mode": fresh.info.unlock_mode.value}
    result.update(_show_recovery_key(fresh.recovery_key, recovery_key_file, as_json))
    if as_json:
        emit_json(result)
    else:
        click.echo(f"The database is re-keyed to this machine ({mode.value} mode).")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@pass_cli
def selftest(state: CliContext, as_json: bool) -> None:
    """Check the installation: store, key, migrations, integrity, audit chain, disk."""
    passphrase = None
    if store.is_initialised(state.settings) and (
        store.unlock_mode(state.settings) is UnlockMode.PASSPHRASE
    ):
        passphrase = secret(PASSPHRASE_ENV, "Database passphrase")
    checks = run_selftest(state.settings, passphrase, version=__version__)
    failed = [check for check in checks if not check.ok]
    if as_json:
        emit_json({"ok": not failed, "checks": checks})
    else:
        for check in checks:
            click.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    if failed:
        raise click.exceptions.Exit(1)
