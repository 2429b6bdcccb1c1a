"""clinic sync configure|now|status|conflicts|resolve|quarantine|retry|log|publish-codes|
publish-model|model-packs|retry-model

`sync now` and `sync status` need no --user (the unlocked store is the gate, as for the GUI's
background sync); showing or resolving conflicts and held records acts as a signed-in user.
`sync now` exits 3 when the server can't be reached (nothing is lost; run it again later).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from clinic_app.cli.context import CliContext, pass_cli, user_option
from clinic_app.cli.output import ConsoleProgress, emit_json, emit_table
from clinic_app.codes.models import CodeSystem
from clinic_app.sync.errors import ServerUnavailableError
from clinic_app.sync.models import Resolution

EXIT_OFFLINE = 3


@click.group()
def sync() -> None:
    """Sync with the clinic's FHIR server: run, status, conflicts, held records."""


@sync.command()
@click.option("--url", help="The server's FHIR base URL (https://…).")
@click.option("--token", help="This workstation's device token (stored in the OS keyring).")
@click.option("--enable/--disable", "enabled", default=None, help="Background sync on or off.")
@click.option("--interval", type=int, help="Seconds between background syncs (30–86400).")
@click.option("--ca-bundle", type=click.Path(dir_okay=False), help="PEM CA bundle to trust.")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def configure(
    state: CliContext,
    url: str | None,
    token: str | None,
    enabled: bool | None,
    interval: int | None,
    ca_bundle: str | None,
    as_json: bool,
) -> None:
    """Set the server, the device token, on/off and the interval (IT, admin role)."""
    if ca_bundle is not None and ca_bundle and not Path(ca_bundle).is_file():
        raise click.UsageError("--ca-bundle must name an existing PEM file")
    saved = state.services().sync.configure(
        state.user(),
        url=url,
        token=token,
        enabled=enabled,
        interval_seconds=interval,
        ca_bundle=ca_bundle,
    )
    summary = {
        "server_url": saved.server_url,
        "enabled": saved.enabled,
        "interval_seconds": saved.interval_seconds,
        "ca_bundle": saved.ca_bundle or None,
        "token": "stored in the keyring" if saved.token_ref else "not set",
    }
    if as_json:
        emit_json(summary)
    else:
        for key, value in summary.items():
            click.echo(f"{key}: {value}")


@sync.command()
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def now(state: CliContext, as_json: bool) -> None:
    """Sync now: receive the server's changes, send this workstation's."""
    services = state.services()
    user = state.user() if state.username else None
    try:
        report = services.sync.sync_now(user, ConsoleProgress(enabled=not as_json))
    except ServerUnavailableError as exc:
        if as_json:
            emit_json({"online": False, "error": str(exc)})
        else:
            click.echo(f"offline: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_OFFLINE) from exc
    if as_json:
        emit_json(report.as_dict())
        return
    click.echo(
        f"received {report.applied}, sent {report.pushed}, conflicts {report.conflicts}, "
        f"held {report.quarantined}, files up {report.uploaded} / down "
        f"{report.downloaded}, model packs installed {report.model_packs}"
    )


@sync.command()
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def status(state: CliContext, as_json: bool) -> None:
    """Online/offline, last successful sync, pending changes, conflicts (counts only)."""
    current = state.services().sync.status(None)
    if as_json:
        emit_json(current)
        return
    last = (
        current.last_success_at.isoformat(timespec="seconds")
        if current.last_success_at
        else "never"
    )
    click.echo(
        f"server: {current.server_url or '(not configured)'} ({'on' if current.enabled else 'off'})"
    )
    click.echo(f"online: {'yes' if current.online else 'no'}; last successful sync: {last}")
    click.echo(
        f"pending changes: {current.pending_changes}; conflicts: {current.conflicts}; "
        f"held: {current.quarantined}; attachments up/down: {current.pending_uploads}/"
        f"{current.pending_downloads}"
    )
    if current.last_error:
        click.echo(f"last error: {current.last_error}")


@sync.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", type=int, default=100, show_default=True)
@user_option
@pass_cli
def conflicts(state: CliContext, as_json: bool, limit: int) -> None:
    """Open conflicts on records you may change, both versions side by side."""
    found = state.services().sync.conflicts(state.user(), limit)
    if as_json:
        emit_json(found)
        return
    for conflict in found:
        click.echo(
            f"{conflict.id}  {conflict.kind.value}  {conflict.entity_type}/{conflict.entity_id}"
            f"  choices: {', '.join(c.value for c in conflict.choices)}"
        )
        rows = [(f.name, f.local, f.server) for f in conflict.fields if f.differs]
        emit_table(("field", "here", "server"), rows)
    if not found:
        click.echo("(no open conflicts)")


@sync.command()
@click.argument("conflict_id")
@click.argument("resolution", type=click.Choice([r.value for r in Resolution]))
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME=local|server",
    help="For merge: which side each field takes (others stay local).",
)
@user_option
@pass_cli
def resolve(state: CliContext, conflict_id: str, resolution: str, fields: tuple[str, ...]) -> None:
    """Resolve a conflict: local, server, merge (with --field), cancel_booking, keep_both."""
    choices: dict[str, str] = {}
    for item in fields:
        name, sep, side = item.partition("=")
        if not sep:
            raise click.UsageError("--field takes NAME=local or NAME=server")
        choices[name.strip()] = side.strip()
    state.services().sync.resolve(state.user(), conflict_id, resolution, choices or None)
    click.echo(f"resolved: {conflict_id} ({resolution})")


@sync.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", type=int, default=100, show_default=True)
@user_option
@pass_cli
def quarantine(state: CliContext, as_json: bool, limit: int) -> None:
    """Records held back: refused by the server, or not storable here, with the reason."""
    items = state.services().sync.quarantined(state.user(), limit)
    if as_json:
        emit_json(items)
        return
    emit_table(
        ("id", "direction", "record", "http", "attempts", "reason"),
        [
            (
                i.id,
                i.direction,
                f"{i.entity_type}/{i.entity_id}",
                i.status_code,
                i.attempts,
                i.message,
            )
            for i in items
        ],
    )


@sync.command()
@click.argument("item_id")
@click.option(
    "--resource-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A corrected FHIR resource (JSON) for a held pulled record.",
)
@user_option
@pass_cli
def retry(state: CliContext, item_id: str, resource_file: Path | None) -> None:
    """Try a held record again (optionally with a corrected resource)."""
    resource = None
    if resource_file is not None:
        try:
            resource = json.loads(resource_file.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise click.UsageError("--resource-file is not valid JSON") from exc
    done = state.services().sync.retry_quarantined(state.user(), item_id, resource=resource)
    click.echo("released" if done else "still held (see clinic sync quarantine)")


@sync.command("publish-codes")
@click.argument("system")
@click.argument("version")
@click.option("--draft", is_flag=True, help="Send it without making it the active version.")
@user_option
@pass_cli
def publish_codes(state: CliContext, system: str, version: str, draft: bool) -> None:
    """Send a code set imported here to the server, for the other workstations (admin)."""
    chosen = CodeSystem.parse(system)
    release_id = state.services().sync.publish_code_set(
        state.user(), chosen.value, version, active=not draft
    )
    click.echo(f"published: CodeSystem/{release_id}")


@sync.command("publish-model")
@click.argument("pack", type=click.Path(exists=True, file_okay=False, path_type=Path))
@user_option
@pass_cli
def publish_model(state: CliContext, pack: Path) -> None:
    """Send an IT-signed model pack to the server, for the other workstations (admin).

    It is verified here first (signed by a key this workstation trusts); each workstation
    installs it only after checking the files and the signature again."""
    release_id = state.services().sync.publish_model_pack(state.user(), pack)
    click.echo(f"published: DocumentReference/{release_id}")


@sync.command("model-packs")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def model_packs(state: CliContext, as_json: bool) -> None:
    """Model pack releases still coming down, and refused ones with the reason (admin)."""
    found = state.services().sync.model_pack_releases(state.user())
    if as_json:
        emit_json(found)
        return
    emit_table(("release", "state", "reason"), [(r.id, r.state, r.reason) for r in found])
    if not found:
        click.echo("(none coming down or refused)")


@sync.command("retry-model")
@click.argument("release_id")
@user_option
@pass_cli
def retry_model(state: CliContext, release_id: str) -> None:
    """Fetch and check a refused model pack release again at the next sync (admin)."""
    done = state.services().sync.retry_model_pack(state.user(), release_id)
    click.echo(
        "queued for the next sync" if done else "still refused (see clinic sync model-packs)"
    )


@sync.command("log")
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", type=int, default=50, show_default=True)
@user_option
@pass_cli
def log_command(state: CliContext, as_json: bool, limit: int) -> None:
    """What recent syncs did (ids and counts)."""
    entries = state.services().sync.log(state.user(), limit)
    if as_json:
        emit_json(entries)
        return
    emit_table(
        ("at", "event", "record", "count", "message"),
        [
            (
                e.at.isoformat(timespec="seconds"),
                e.event,
                f"{e.entity_type}/{e.entity_id}" if e.entity_id else "",
                e.count,
                e.message,
            )
            for e in entries
        ],
    )
