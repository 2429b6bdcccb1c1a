"""clinic backup create|verify|restore"""

from __future__ import annotations

from pathlib import Path

import click

from clinic_app.cli.context import CliContext, pass_cli, user_option
from clinic_app.cli.output import ConsoleProgress, emit_json
from clinic_app.storage.backup import BackupReport

_FILE = click.Path(dir_okay=False, path_type=Path)


def _print_report(report: BackupReport, as_json: bool) -> None:
    if as_json:
        emit_json(report)
    else:
        click.echo(f"{'ok' if report.ok else 'FAILED'}: {report.path}: {report.message}")


@click.group()
def backup() -> None:
    """Encrypted backups (admin role)."""


@backup.command()
@click.argument("file", type=_FILE)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def create(state: CliContext, file: Path, as_json: bool) -> None:
    """Write an encrypted, verified backup to FILE (a new file)."""
    report = state.services().backups.create(
        state.user(), file, ConsoleProgress(enabled=not as_json)
    )
    _print_report(report, as_json)


@backup.command()
@click.argument("file", type=_FILE)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def verify(state: CliContext, file: Path, as_json: bool) -> None:
    """Check that FILE is a complete, intact backup of this store."""
    report = state.services().backups.verify(state.user(), file)
    _print_report(report, as_json)
    if not report.ok:
        raise click.exceptions.Exit(1)


@backup.command()
@click.argument("file", type=_FILE)
@click.option("--yes", is_flag=True, help="Don't ask for confirmation.")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def restore(state: CliContext, file: Path, yes: bool, as_json: bool) -> None:
    """Replace the current data with FILE (the current database is kept aside)."""
    actor = state.user()
    services = state.services()
    if not yes:
        click.confirm("Replace ALL current data with this backup?", abort=True, err=True)
    _db, kept = services.backups.restore(actor, file)
    if as_json:
        emit_json({"restored_from": file, "previous_database_kept_as": kept})
    else:
        click.echo(f"Restored. The previous database is kept as {kept}.")
