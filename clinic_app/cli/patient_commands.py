"""clinic patient add|show|list|search|delete|restore"""

from __future__ import annotations

import click

from clinic_app.cli.context import CliContext, pass_cli, user_option
from clinic_app.cli.output import emit_json, emit_table
from clinic_app.errors import NotFoundError
from clinic_app.patients.models import PatientInput, PatientSummary
from clinic_app.patients.service import MAX_PAGE, PatientSort

_LIMIT = click.IntRange(1, MAX_PAGE)


def _summary_rows(items: list[PatientSummary]) -> list[list[str]]:
    return [
        [
            p.id,
            p.display_name,
            p.birth_date.isoformat(),
            p.sex.value,
            p.mrn or "",
            "deleted" if p.deleted else "",
        ]
        for p in items
    ]


def _print_page(items: list[PatientSummary], as_json: bool) -> None:
    if as_json:
        emit_json(items)
    else:
        emit_table(["ID", "NAME", "BORN", "SEX", "MRN", ""], _summary_rows(items))


@click.group()
def patient() -> None:
    """Patients: add, show, list, search."""


@patient.command()
@click.option("--given", "given_name", required=True, help="Given name(s).")
@click.option("--family", "family_name", required=True, help="Family name.")
@click.option("--sex", required=True, type=click.Choice(["female", "male", "other", "unknown"]))
@click.option("--birth-date", required=True, help="YYYY-MM-DD.")
@click.option("--other-names", default="")
@click.option("--phone", default="")
@click.option("--email", default="")
@click.option("--address", default="")
@click.option("--mrn", default="", help="Medical record number.")
@click.option("--national-id", default="")
@click.option("--primary-doctor", default="", help="User name of the patient's primary doctor.")
@click.option("--allergies", default=None, help="Clinical: known allergies.")
@click.option("--history", "history_notes", default=None, help="Clinical: history notes.")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def add(state: CliContext, primary_doctor: str, as_json: bool, **fields: str | None) -> None:
    """Register a patient. A possible duplicate is reported, not refused."""
    actor = state.user()
    services = state.services()
    doctor_id = ""
    if primary_doctor:
        doctors = {d.username: d.id for d in services.accounts.list_doctors(actor)}
        if primary_doctor.strip().lower() not in doctors:
            raise NotFoundError("No active doctor with that user name.")
        doctor_id = doctors[primary_doctor.strip().lower()]
    data = PatientInput(primary_doctor_id=doctor_id, **fields)  # type: ignore[arg-type]
    created = services.patients.create(actor, data)
    if as_json:
        emit_json(created)
        return
    click.echo(created.patient.id)
    for dup in created.possible_duplicates:
        click.echo(
            f"warning: possible duplicate of {dup.id} ({dup.birth_date.isoformat()})", err=True
        )


@patient.command()
@click.argument("patient_id")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def show(state: CliContext, patient_id: str, as_json: bool) -> None:
    """Show one patient (clinical fields only for roles that may see them)."""
    detail = state.services().patients.get(state.user(), patient_id)
    if as_json:
        emit_json(detail)
        return
    s = detail.summary
    lines = [
        ("Name", s.display_name),
        ("Born", s.birth_date.isoformat()),
        ("Sex", s.sex.value),
        ("Phone", s.phone),
        ("E-mail", detail.email),
        ("Address", detail.address),
        ("MRN", s.mrn),
        ("National id", s.national_id),
        ("Version", s.version),
        ("Deleted", "yes" if s.deleted else "no"),
    ]
    if detail.clinical_visible:
        lines += [("Allergies", detail.allergies), ("History", detail.history_notes)]
    for label, value in lines:
        click.echo(f"{label + ':':<13}{'' if value is None else value}")


@patient.command("list")
@click.option("--limit", type=_LIMIT, default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--sort", type=click.Choice([s.value for s in PatientSort]), default="name")
@click.option("--include-deleted", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def list_(
    state: CliContext, limit: int, offset: int, sort: str, include_deleted: bool, as_json: bool
) -> None:
    """List patients, sorted."""
    page = state.services().patients.list(
        state.user(),
        sort=PatientSort(sort),
        limit=limit,
        offset=offset,
        include_deleted=include_deleted,
    )
    if as_json:
        emit_json({"total": page.total, "items": page.items})
    else:
        _print_page(page.items, False)
        click.echo(f"({len(page.items)} of {page.total})", err=True)


@patient.command()
@click.argument("query")
@click.option("--limit", type=_LIMIT, default=20, show_default=True)
@click.option("--include-deleted", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def search(state: CliContext, query: str, limit: int, include_deleted: bool, as_json: bool) -> None:
    """Search by name, identifier, phone or birth date (prefixes work)."""
    page = state.services().patients.search(
        state.user(), query, limit=limit, include_deleted=include_deleted
    )
    _print_page(page.items, as_json)


@patient.command()
@click.argument("patient_id")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def delete(state: CliContext, patient_id: str, as_json: bool) -> None:
    """Soft-delete a patient (restorable)."""
    _print_page([state.services().patients.delete(state.user(), patient_id)], as_json)


@patient.command()
@click.argument("patient_id")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def restore(state: CliContext, patient_id: str, as_json: bool) -> None:
    """Restore a soft-deleted patient."""
    _print_page([state.services().patients.restore(state.user(), patient_id)], as_json)
