"""clinic triage TEXT — a quick offline analysis, nothing saved."""

from __future__ import annotations

import click

from clinic_app.cli.context import CliContext, pass_cli, user_option
from clinic_app.cli.output import emit_json
from clinic_app.cli.visit_commands import vitals_options
from clinic_app.records.models import VitalsInput
from clinic_app.records.vitals import parse_blood_pressure, parse_temperature
from clinic_app.triage.engine import SEXES
from clinic_app.triage.models import TriageInput, TriageResult


def _print(result: TriageResult) -> None:
    click.echo(f"Urgency: {result.urgency.value.upper()}")
    if result.red_flags:
        click.echo("Red flags:")
        for flag in result.red_flags:
            words = ", ".join(f'"{t.text}" ({t.field})' for t in flag.triggers)
            click.echo(f"  - {flag.name} [{flag.urgency.value}]: {words}")
    click.echo("Recommendations:")
    for item in result.recommendations:
        click.echo(f"  - {item}")
    if result.suggested_codes:
        click.echo("Suggested codes:")
        for code in result.suggested_codes:
            click.echo(f"  {code.code:<10}{code.description} ({code.system})")
    if result.online is not None:
        click.echo(result.online.label)
        for line in result.online.text.splitlines():
            click.echo(f"  {line}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(result.disclaimer)


@click.command()
@click.argument("text")
@click.option("--age", type=click.FloatRange(0, 130), default=None, help="Age in years.")
@click.option("--sex", type=click.Choice(SEXES), default=None)
@click.option("--history", default="", help="Relevant history (conditions, pregnancy, …).")
@vitals_options
@click.option(
    "--online",
    is_flag=True,
    help="Also ask the configured online model (decision support; off by default).",
)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def triage(
    state: CliContext,
    text: str,
    age: float | None,
    sex: str | None,
    history: str,
    temp: str | None,
    pulse: str | None,
    bp: str | None,
    rr: str | None,
    spo2: str | None,
    online: bool,
    as_json: bool,
) -> None:
    """Triage symptoms TEXT offline: urgency, red flags with the words that triggered them,
    recommendations, suggested codes. Nothing is saved."""
    vitals = None
    if any((temp, pulse, bp, rr, spo2)):
        temperature, unit = parse_temperature(temp) if temp else (None, "C")
        systolic, diastolic = parse_blood_pressure(bp) if bp else (None, None)
        vitals = VitalsInput(
            temperature=temperature,
            temperature_unit=unit,
            pulse=pulse,
            systolic=systolic,
            diastolic=diastolic,
            respiratory_rate=rr,
            spo2=spo2,
        )
    data = TriageInput(symptoms=text, age_years=age, sex=sex, vitals=vitals, history=history)
    result = state.services().triage.assess(state.user(), data, online=online)
    if as_json:
        emit_json(result)
    else:
        _print(result)
