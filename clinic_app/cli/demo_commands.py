"""clinic demo seed --patients N"""

from __future__ import annotations

import click

from clinic_app.cli.context import CliContext, pass_cli, user_option
from clinic_app.cli.output import ConsoleProgress, emit_json
from clinic_app.patients.demo import MAX_SEED, seed_patients


@click.group()
def demo() -> None:
    """Synthetic data for demos and benchmarks (clearly fake)."""


@demo.command()
@click.option("--patients", "count", type=click.IntRange(1, MAX_SEED), required=True)
@click.option("--seed", type=int, default=None, help="Random seed, for repeatable data.")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def seed(state: CliContext, count: int, seed: int | None, as_json: bool) -> None:
    """Create COUNT synthetic patients (MRN DEMO-…, history says SYNTHETIC)."""
    actor = state.user()
    services = state.services()
    created = seed_patients(
        services.db,
        services.audit_log,
        services.authorizer,
        actor,
        count,
        seed=seed,
        progress=ConsoleProgress(enabled=not as_json),
    )
    if as_json:
        emit_json({"created": created})
    else:
        click.echo(f"Created {created} synthetic patients.")
