"""clinic audit verify|list"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from clinic_app.cli.context import CliContext, pass_cli, user_option
from clinic_app.cli.output import ConsoleProgress, emit_json, emit_table
from clinic_app.errors import ValidationError
from clinic_app.storage.audit import MAX_LIST_LIMIT, AuditFilter


def _when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(
            f"{option} must be a date or date-time (YYYY-MM-DD[THH:MM])."
        ) from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


@click.group()
def audit() -> None:
    """The audit log (admin role)."""


@audit.command()
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def verify(state: CliContext, as_json: bool) -> None:
    """Check the hash chain; report the first broken link."""
    result = state.services().audit.verify(state.user(), ConsoleProgress(enabled=not as_json))
    if as_json:
        emit_json(result)
    elif result.ok:
        click.echo(f"ok: {result.checked} events, chain intact")
    else:
        click.echo(
            f"BROKEN at event {result.first_broken_seq}: {result.reason} "
            f"({result.checked} events verified before it)"
        )
    if not result.ok:
        raise click.exceptions.Exit(1)


@audit.command("list")
@click.option("--limit", type=click.IntRange(1, MAX_LIST_LIMIT), default=50, show_default=True)
@click.option("--by", "username", default=None, help="Only events by this user name.")
@click.option("--action", default=None, help="Action prefix, e.g. patient. or auth.login")
@click.option("--record", "record_id", default=None, help="Only events about this record id.")
@click.option("--since", default=None, help="From this date/time (UTC unless given).")
@click.option("--until", default=None, help="Before this date/time.")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def list_(
    state: CliContext,
    limit: int,
    username: str | None,
    action: str | None,
    record_id: str | None,
    since: str | None,
    until: str | None,
    as_json: bool,
) -> None:
    """Newest events first."""
    flt = AuditFilter(
        username=username,
        action=action,
        record_id=record_id,
        since=_when(since, "--since"),
        until=_when(until, "--until"),
    )
    events = state.services().audit.list(state.user(), flt, limit=limit)
    if as_json:
        emit_json(events)
        return
    emit_table(
        ["SEQ", "WHEN (UTC)", "USER", "ACTION", "OUTCOME", "RECORD"],
        [
            [
                e.seq,
                e.occurred_at.isoformat(timespec="seconds"),
                e.username or "-",
                e.action,
                e.outcome,
                f"{e.record_type or ''} {e.record_id or ''}".strip(),
            ]
            for e in events
        ],
    )
