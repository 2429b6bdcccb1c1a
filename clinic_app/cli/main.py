"""The `clinic` command: headless administration and IT operations.

A stable contract for scripts: every command has --help, prints data with --json where it has
data, and on failure exits non-zero with one line on stderr (no traceback; CLINIC_DEBUG=1
shows it).
"""

from __future__ import annotations

import logging
import os
import sys
import traceback

import click

from clinic_app import __version__
from clinic_app.cli.context import USER_ENV, CliContext
from clinic_app.cli.lazy_commands import COMMANDS, LazyCommandGroup
from clinic_app.errors import ClinicError, ValidationError
from clinic_app.packaging.machine_config import MachineConfigError
from clinic_app.settings import DATA_DIR_ENV, Settings

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70
# sysexits.h EX_CONFIG: IT's machine configuration is broken (the GUI exits with it too).
EXIT_MACHINE_CONFIG = 78


@click.group(
    cls=LazyCommandGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="clinic")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help=f"Data directory (default: ${DATA_DIR_ENV} or the platform's user data folder).",
)
@click.option(
    "--user",
    "username",
    envvar=USER_ENV,
    default=None,
    help=f"Act as this user (or ${USER_ENV}); password: $CLINIC_PASSWORD or a prompt.",
)
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, username: str | None) -> None:
    """Clinic workstation administration: store, accounts, patients, audit, backups."""
    state = CliContext(settings=Settings.load(data_dir), username=username)
    ctx.obj = state
    ctx.call_on_close(state.close)


def _one_line(exc: ClinicError) -> str:
    if isinstance(exc, ValidationError) and exc.field_errors:
        return "; ".join(f"{field}: {message}" for field, message in exc.field_errors.items())
    return " ".join(str(exc).split())


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        # Without standalone mode click returns the code of a command's Exit instead of raising.
        code = cli.main(args=argv, prog_name="clinic", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("error: cancelled", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code if exc.exit_code else EXIT_USAGE
    except MachineConfigError as exc:
        click.echo(f"error: {_one_line(exc)} Contact your IT department.", err=True)
        return EXIT_MACHINE_CONFIG
    except ClinicError as exc:
        click.echo(f"error: {_one_line(exc)}", err=True)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        click.echo("error: interrupted", err=True)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the CLI contract: one line, never a traceback
        if os.environ.get("CLINIC_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"error: unexpected failure ({type(exc).__name__}); "
            "run again with CLINIC_DEBUG=1 for details",
            err=True,
        )
        return EXIT_INTERNAL
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
