"""`clinic-server`: run the sync server and administer its devices.

    clinic-server --db URL [--host H] [--port P]      serve (migrates the database first)
    clinic-server --db URL devices add NAME           register a workstation; prints its token once
    clinic-server --db URL devices rotate|revoke NAME
    clinic-server --db URL usage [--json]

The database URL may also come from $CLINIC_SERVER_DB. Every command has --help; data commands
take --json; a failure is one line on stderr and a non-zero exit (CLINIC_DEBUG=1 shows the
traceback).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from clinic_app import __version__
from clinic_app.errors import ClinicError
from clinic_app.server.config import DB_ENV, MIB, ServerConfig
from clinic_app.server.database import make_engine
from clinic_app.server.devices import Device, DeviceRegistry
from clinic_app.server.instants import format_instant
from clinic_app.server.migrate import upgrade
from clinic_app.server.usage import UsageLog

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


class DatabaseUnreachableError(ClinicError):
    pass


def _serve_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind."),
        click.option("--port", default=8080, show_default=True, type=int, help="Port to bind."),
        click.option("--ssl-keyfile", type=click.Path(dir_okay=False), help="TLS private key."),
        click.option("--ssl-certfile", type=click.Path(dir_okay=False), help="TLS certificate."),
        click.option("--base-url", help="Public base URL when behind a reverse proxy."),
        click.option("--max-binary-mb", type=int, default=200, show_default=True),
        click.option("--max-body-mb", type=int, default=64, show_default=True),
        click.option("--max-bundle-entries", type=int, default=1000, show_default=True),
        click.option(
            "--rate",
            type=float,
            default=50.0,
            show_default=True,
            help="Default requests per second per device.",
        ),
        click.option(
            "--burst",
            type=int,
            default=200,
            show_default=True,
            help="Default burst size per device.",
        ),
        click.option(
            "--access-log/--no-access-log",
            default=True,
            help="Log each request's method, path and status (ids only, no content).",
        ),
    ]
    return functools.reduce(lambda f, option: option(f), reversed(options), command)


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="clinic-server")
@click.option("--db", "db_url", envvar=DB_ENV, help=f"Database URL (or ${DB_ENV}).")
@_serve_options
@click.pass_context
def cli(ctx: click.Context, /, db_url: str | None, **serve_options: Any) -> None:
    """The clinic's FHIR R4 sync server (SQLite or PostgreSQL)."""
    ctx.obj = {"db_url": db_url}
    if ctx.invoked_subcommand is None:
        _serve(_db_url(ctx), **serve_options)


def _db_url(ctx: click.Context) -> str:
    url = ctx.obj.get("db_url") if ctx.obj else None
    if not url:
        raise click.UsageError(f"no database: pass --db URL or set {DB_ENV}")
    return str(url)


def _migrated_engine(url: str) -> Engine:
    engine = make_engine(url)
    try:
        upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseUnreachableError(
            f"cannot open the database ({type(exc.orig).__name__}); check --db and that the "
            "database server is running"
        ) from exc
    return engine


def _serve(url: str, **options: Any) -> None:
    import uvicorn

    from clinic_app.server.app import build_services, create_app
    from clinic_app.server.blob_store import sweep_orphans

    config = ServerConfig(
        db_url=url,
        max_binary_bytes=options["max_binary_mb"] * MIB,
        max_body_bytes=options["max_body_mb"] * MIB,
        max_bundle_entries=options["max_bundle_entries"],
        rate_per_second=options["rate"],
        rate_burst=options["burst"],
        base_url=options["base_url"],
    )
    engine = _migrated_engine(url)
    sweep_orphans(engine)
    app = create_app(config, build_services(config, engine))
    uvicorn.run(
        app,
        host=options["host"],
        port=options["port"],
        ssl_keyfile=options["ssl_keyfile"],
        ssl_certfile=options["ssl_certfile"],
        access_log=options["access_log"],
        proxy_headers=True,
        log_level="info",
    )


@cli.command()
@_serve_options
@click.pass_context
def serve(ctx: click.Context, /, **options: Any) -> None:
    """Run the server (the default command)."""
    _serve(_db_url(ctx), **options)


@cli.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Bring the database schema up to date (serve does this too)."""
    _engine(ctx)
    click.echo("database is up to date")


def _device_json(device: Device) -> dict[str, Any]:
    data = asdict(device)
    for key in ("created_us", "token_issued_us", "revoked_us"):
        value = data.pop(key)
        data[key.removesuffix("_us")] = format_instant(value) if value is not None else None
    data["active"] = device.active
    return data


@cli.group()
def devices() -> None:
    """Register workstations and manage their tokens."""


def _engine(ctx: click.Context) -> Engine:
    """The command's engine, migrated, disposed of when the command ends."""
    root = ctx.find_root()
    if "engine" not in root.obj:
        migrated = _migrated_engine(_db_url(ctx))
        root.obj["engine"] = migrated
        root.call_on_close(migrated.dispose)
    engine: Engine = root.obj["engine"]
    return engine


def _registry(ctx: click.Context) -> DeviceRegistry:
    return DeviceRegistry(_engine(ctx))


def _show_token(device: Device, token: str, as_json: bool, verb: str) -> None:
    if as_json:
        click.echo(json.dumps({"device": _device_json(device), "token": token}, indent=2))
        return
    click.echo(f"Device {device.name!r} {verb} (id {device.device_id}).")
    click.echo("Its token, shown only now (give it to the workstation, keep it secret):")
    click.echo(token)


@devices.command("add")
@click.argument("name")
@click.option("--rate", type=float, help="This device's requests per second.")
@click.option("--burst", type=int, help="This device's burst size.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def devices_add(
    ctx: click.Context, name: str, rate: float | None, burst: int | None, as_json: bool
) -> None:
    """Register a workstation and print its token (once)."""
    issued = _registry(ctx).add(name, rate, burst)
    _show_token(issued.device, issued.token, as_json, "added")


@devices.command("rotate")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def devices_rotate(ctx: click.Context, name: str, as_json: bool) -> None:
    """Issue a new token; the old one stops working at once."""
    issued = _registry(ctx).rotate(name)
    _show_token(issued.device, issued.token, as_json, "has a new token")


@devices.command("revoke")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def devices_revoke(ctx: click.Context, name: str, as_json: bool) -> None:
    """Stop a device's token from working (the device and its history stay)."""
    device = _registry(ctx).revoke(name)
    if as_json:
        click.echo(json.dumps(_device_json(device), indent=2))
    else:
        click.echo(f"Device {device.name!r} revoked.")


@devices.command("limits")
@click.argument("name")
@click.option("--rate", type=float, help="Requests per second (omit: server default).")
@click.option("--burst", type=int, help="Burst size (omit: server default).")
@click.pass_context
def devices_limits(ctx: click.Context, name: str, rate: float | None, burst: int | None) -> None:
    """Set (or clear) a device's own rate limit; a running server applies it at once."""
    device = _registry(ctx).set_limits(name, rate, burst)
    click.echo(f"Device {device.name!r}: rate {device.rate_per_second}, burst {device.rate_burst}")


@devices.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def devices_list(ctx: click.Context, as_json: bool) -> None:
    """Registered devices (never their tokens)."""
    found = _registry(ctx).list()
    if as_json:
        click.echo(json.dumps([_device_json(d) for d in found], indent=2))
        return
    for device in found:
        state = "active" if device.active else "revoked"
        click.echo(f"{device.name}  {device.device_id}  {state}")
    if not found:
        click.echo("(none)")


@cli.command()
@click.option("--since", help="First day (YYYY-MM-DD, UTC).")
@click.option("--device", "device_name", help="Only this device.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def usage(ctx: click.Context, since: str | None, device_name: str | None, as_json: bool) -> None:
    """Requests, bytes in/out and errors per device and day."""
    rows = UsageLog(_engine(ctx)).report(since, device_name)
    if as_json:
        click.echo(json.dumps([asdict(row) for row in rows], indent=2))
        return
    headers = ("day", "device", "requests", "bytes_in", "bytes_out", "errors")
    table = [(r.day, r.device, r.requests, r.bytes_in, r.bytes_out, r.errors) for r in rows]
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *table, strict=False)]
    for line in (headers, *table):
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        code = cli.main(args=argv, prog_name="clinic-server", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("error: cancelled", err=True)
        return EXIT_FAILURE
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code if exc.exit_code else EXIT_USAGE
    except ClinicError as exc:
        click.echo(f"error: {' '.join(str(exc).split())}", err=True)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 0
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
