"""clinic visit add|show|list|sign"""

from __future__ import annotations

import click

from clinic_app.cli.context import CliContext, pass_cli, user_option
from clinic_app.cli.output import emit_json, emit_table
from clinic_app.errors import NotFoundError
from clinic_app.records.context import MAX_PAGE
from clinic_app.records.models import Visit, VisitInput, VitalsInput
from clinic_app.records.vitals import parse_blood_pressure, parse_temperature, validate_vitals

_TEXT_FIELDS = {
    "reason": "Reason for the visit.",
    "symptoms": "Symptoms, in the patient's words.",
    "history_medical": "Medical history.",
    "history_medication": "Current medication.",
    "history_allergy": "Allergy history.",
    "examination": "Examination findings.",
    "assessment": "Assessment (doctors).",
    "plan": "Plan (doctors).",
}


def _vitals_input(
    temp: str | None,
    pulse: str | None,
    bp: str | None,
    rr: str | None,
    spo2: str | None,
    weight: str | None,
    weight_unit: str,
    height: str | None,
    height_unit: str,
) -> VitalsInput | None:
    if not any((temp, pulse, bp, rr, spo2, weight, height)):
        return None
    temperature, unit = parse_temperature(temp) if temp else (None, "C")
    systolic, diastolic = parse_blood_pressure(bp) if bp else (None, None)
    return VitalsInput(
        temperature=temperature,
        temperature_unit=unit,
        pulse=pulse,
        systolic=systolic,
        diastolic=diastolic,
        respiratory_rate=rr,
        spo2=spo2,
        weight=weight,
        weight_unit=weight_unit,
        height=height,
        height_unit=height_unit,
    )


def vitals_options(function: click.decorators.FC) -> click.decorators.FC:
    """--temp --pulse --bp --rr --spo2 --weight --height (shared with `clinic triage`)."""
    options = [
        click.option("--temp", default=None, help="Temperature, e.g. 38.2 or 101.3F."),
        click.option("--pulse", default=None, help="Pulse, beats per minute."),
        click.option("--bp", default=None, help="Blood pressure systolic/diastolic, e.g. 120/80."),
        click.option("--rr", default=None, help="Respiratory rate, breaths per minute."),
        click.option("--spo2", default=None, help="Oxygen saturation, %."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _print_visit(visit: Visit) -> None:
    s = visit.summary
    lines: list[tuple[str, object]] = [
        ("Visit", s.id),
        ("Patient", s.patient_id),
        ("Started", s.started_at.isoformat(timespec="minutes")),
        ("Status", s.status.value),
    ]
    if visit.clinical_visible:
        lines.append(("Reason", s.reason))
        for field in list(_TEXT_FIELDS)[1:]:
            lines.append((field.replace("_", " ").capitalize(), getattr(visit, field)))
        for vitals in visit.vitals:
            bp = (
                f"{vitals.systolic_mmhg}/{vitals.diastolic_mmhg}"
                if vitals.systolic_mmhg is not None
                else None
            )
            parts = [
                f"T {vitals.temperature_c} °C" if vitals.temperature_c is not None else "",
                f"P {vitals.pulse_bpm}" if vitals.pulse_bpm is not None else "",
                f"BP {bp}" if bp else "",
                f"RR {vitals.respiratory_rate}" if vitals.respiratory_rate is not None else "",
                f"SpO2 {vitals.spo2_percent} %" if vitals.spo2_percent is not None else "",
                f"BMI {vitals.bmi}" if vitals.bmi is not None else "",
            ]
            lines.append(("Vitals", "  ".join(p for p in parts if p)))
        for code in (*visit.diagnoses, *visit.procedures):
            lines.append((code.kind.value.capitalize(), f"{code.code} {code.description}"))
        for addendum in visit.addenda:
            lines.append(("Addendum", f"[{addendum.field or 'visit'}] {addendum.text}"))
    for label, value in lines:
        click.echo(f"{label + ':':<20}{'' if value is None else value}")


@click.group()
def visit() -> None:
    """Visits (encounters): add, show, list, sign."""


@visit.command()
@click.option("--patient", "patient_id", required=True, help="The patient's id.")
@click.option("--appointment", "appointment_id", default=None, help="Appointment id, if any.")
@click.option("--clinician", default=None, help="User name of the clinician (default: you).")
@click.option("--reason", default=None, help=_TEXT_FIELDS["reason"])
@click.option("--symptoms", default=None, help=_TEXT_FIELDS["symptoms"])
@click.option("--history", "history_medical", default=None, help=_TEXT_FIELDS["history_medical"])
@click.option(
    "--medication", "history_medication", default=None, help=_TEXT_FIELDS["history_medication"]
)
@click.option(
    "--allergy-history", "history_allergy", default=None, help=_TEXT_FIELDS["history_allergy"]
)
@click.option("--examination", default=None, help=_TEXT_FIELDS["examination"])
@click.option("--assessment", default=None, help=_TEXT_FIELDS["assessment"])
@click.option("--plan", default=None, help=_TEXT_FIELDS["plan"])
@vitals_options
@click.option("--weight", default=None, help="Weight (kg, or lb with --weight-unit lb).")
@click.option("--weight-unit", type=click.Choice(["kg", "lb"]), default="kg")
@click.option("--height", default=None, help="Height (cm, or in with --height-unit in).")
@click.option("--height-unit", type=click.Choice(["cm", "in"]), default="cm")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def add(
    state: CliContext,
    patient_id: str,
    appointment_id: str | None,
    clinician: str | None,
    temp: str | None,
    pulse: str | None,
    bp: str | None,
    rr: str | None,
    spo2: str | None,
    weight: str | None,
    weight_unit: str,
    height: str | None,
    height_unit: str,
    as_json: bool,
    **text: str | None,
) -> None:
    """Open a visit for a patient, with its notes and a first set of vitals."""
    actor = state.user()
    services = state.services()
    vitals = _vitals_input(temp, pulse, bp, rr, spo2, weight, weight_unit, height, height_unit)
    if vitals is not None:
        validate_vitals(vitals)  # refuse bad readings before anything is written
    clinician_id = None
    if clinician:
        staff = {u.username: u.id for u in services.accounts.list_users(actor) if u.active}
        clinician_id = staff.get(clinician.strip().lower())
        if clinician_id is None:
            raise NotFoundError("No active user with that user name.")
    records = services.records
    opened = records.visits.open_visit(
        actor,
        patient_id,
        appointment_id=appointment_id,
        clinician_id=clinician_id,
        data=VisitInput(**text),
    )
    if vitals is not None:
        records.visits.record_vitals(actor, opened.id, vitals)
    result = records.visits.get_visit(actor, opened.id) if vitals is not None else opened
    if as_json:
        emit_json(result)
    else:
        click.echo(result.id)


@visit.command()
@click.argument("visit_id")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def show(state: CliContext, visit_id: str, as_json: bool) -> None:
    """Show a visit with its vitals, codes and addenda."""
    result = state.services().records.visits.get_visit(state.user(), visit_id)
    if as_json:
        emit_json(result)
    else:
        _print_visit(result)


@visit.command("list")
@click.option("--patient", "patient_id", required=True, help="The patient's id.")
@click.option("--limit", type=click.IntRange(1, MAX_PAGE), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def list_(state: CliContext, patient_id: str, limit: int, offset: int, as_json: bool) -> None:
    """List a patient's visits, newest first."""
    items = state.services().records.visits.list_visits(
        state.user(), patient_id, limit=limit, offset=offset
    )
    if as_json:
        emit_json(items)
        return
    emit_table(
        ["ID", "STARTED", "STATUS", "REASON"],
        [
            [
                v.id,
                v.started_at.isoformat(timespec="minutes"),
                v.status.value,
                (v.reason or "")[:40],
            ]
            for v in items
        ],
    )


@visit.command()
@click.argument("visit_id")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def sign(state: CliContext, visit_id: str, as_json: bool) -> None:
    """Sign a visit (doctors). A signed visit is corrected only by addenda."""
    services = state.services()
    actor = state.user()
    current = services.records.visits.get_visit(actor, visit_id)
    signed = services.records.visits.sign_visit(actor, visit_id, current.version)
    if as_json:
        emit_json(signed)
    else:
        click.echo(f"signed {signed.id} sha256={signed.content_sha256}")
