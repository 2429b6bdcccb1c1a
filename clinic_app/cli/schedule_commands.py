"""clinic schedule hours|slots|book|earliest|cancel|list

Dates (YYYY-MM-DD) and times (HH:MM) are the doctor's local ones; output shows local times
with their UTC offset. A doctor is named by user name (or id).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import click

from clinic_app.cli.context import CliContext, pass_cli, user_option
from clinic_app.cli.output import emit_json, emit_table
from clinic_app.errors import NotFoundError
from clinic_app.scheduling.calendar_models import CalendarView
from clinic_app.scheduling.errors import SlotTakenError
from clinic_app.scheduling.hours import DAY_NAMES, format_weekly, parse_days, parse_weekly
from clinic_app.scheduling.models import (
    AppointmentSummary,
    AppointmentType,
    BookingRequest,
    DoctorProfileInput,
    SlotSearch,
)
from clinic_app.scheduling.validation import parse_date, parse_time
from clinic_app.security.users import AuthenticatedUser

_TYPE = click.Choice([t.value for t in AppointmentType])


def _doctor_id(state: CliContext, actor: AuthenticatedUser, name: str) -> str:
    wanted = name.strip().lower()
    for doctor in state.services().accounts.list_doctors(actor):
        if wanted in (doctor.username, doctor.id):
            return doctor.id
    raise NotFoundError("No active doctor with that user name.")


def _weekdays(text: str | None) -> frozenset[int] | None:
    return frozenset(parse_days(text)) if text else None


@click.group()
def schedule() -> None:
    """Doctors' hours, slots and appointments."""


@schedule.command()
@click.argument("doctor")
@click.option("--hours", "hours_text", default=None, help="e.g. 'mon-fri=08:00-12:00,13:00-17:00'.")
@click.option("--breaks", "breaks_text", default=None, help="Same form, cut out of the hours.")
@click.option("--minutes", type=int, default=None, help="Consultation length.")
@click.option("--tz", "time_zone", default=None, help="IANA time zone, e.g. Europe/Berlin.")
@click.option("--specialisation", default=None)
@click.option("--room", default=None)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def hours(
    state: CliContext,
    doctor: str,
    hours_text: str | None,
    breaks_text: str | None,
    minutes: int | None,
    time_zone: str | None,
    specialisation: str | None,
    room: str | None,
    as_json: bool,
) -> None:
    """Set a doctor's weekly hours (and profile); lists bookings now outside the hours."""
    actor = state.user()
    scheduling = state.services().scheduling
    doctor_id = _doctor_id(state, actor, doctor)
    try:
        current = scheduling.profiles.get(actor, doctor_id)
    except NotFoundError:
        current = None
    if current is None and not (specialisation and minutes and time_zone and hours_text):
        raise click.UsageError(
            "This doctor has no profile yet: give --hours, --minutes, --tz and --specialisation."
        )
    data = DoctorProfileInput(
        specialisation=specialisation or (current.specialisation if current else ""),
        consultation_minutes=minutes or (current.consultation_minutes if current else 0),
        time_zone=time_zone or (current.time_zone if current else ""),
        room=room if room is not None else ((current.room or "") if current else ""),
        weekly_hours=parse_weekly(hours_text)
        if hours_text is not None
        else (current.weekly_hours if current else {}),
        breaks=parse_weekly(breaks_text)
        if breaks_text is not None
        else (current.breaks if current else {}),
    )
    profile, change = scheduling.profiles.save_profile(actor, doctor_id, data)
    if as_json:
        emit_json({"profile": profile, "change": change})
        return
    click.echo(f"{profile.doctor_name}: {format_weekly(profile.weekly_hours) or '(no hours)'}")
    click.echo(f"slots removed: {change.removed_slots}, added: {change.created_slots}")
    for appointment in change.appointments_to_move:
        click.echo(
            f"move: {appointment.id} {appointment.local_start:%Y-%m-%d %H:%M} "
            f"{appointment.patient_name}"
        )


@schedule.command()
@click.argument("doctor")
@click.option("--from", "date_from", required=True, help="First local date, YYYY-MM-DD.")
@click.option("--to", "date_to", required=True, help="Last local date (at most a year on).")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def slots(state: CliContext, doctor: str, date_from: str, date_to: str, as_json: bool) -> None:
    """Generate a doctor's slots over a date range from the working hours."""
    actor = state.user()
    result = state.services().scheduling.slots.generate(
        actor,
        _doctor_id(state, actor, doctor),
        parse_date(date_from, "date_from"),
        parse_date(date_to, "date_to"),
    )
    if as_json:
        emit_json(result)
    else:
        click.echo(f"created {result.created} slots ({result.skipped_existing} already there)")


def _book(as_json: bool, action: Callable[[], AppointmentSummary]) -> None:
    try:
        appointment = action()
    except SlotTakenError as exc:
        if as_json:
            emit_json({"error": "slot_taken", "next_slot": exc.next_slot})
        raise
    if as_json:
        emit_json(appointment)
    else:
        click.echo(
            f"{appointment.id} {appointment.local_start:%Y-%m-%d %H:%M%z} "
            f"{appointment.appointment_type.value} (provisional until synced)"
        )


@schedule.command()
@click.option("--patient", "patient_id", required=True)
@click.option("--slot", "slot_id", required=True)
@click.option("--type", "kind", type=_TYPE, default="first_visit", show_default=True)
@click.option("--link", default=None, help="Telehealth meeting link (https).")
@click.option("--note", default=None)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def book(
    state: CliContext,
    patient_id: str,
    slot_id: str,
    kind: str,
    link: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Book a patient into a slot."""
    actor = state.user()
    request = BookingRequest(patient_id, kind, link, note)
    booking = state.services().scheduling.booking
    _book(as_json, lambda: booking.book(actor, slot_id, request))


@schedule.command()
@click.option("--doctor", default=None, help="A doctor's user name (else any doctor).")
@click.option("--specialisation", default=None)
@click.option("--from", "date_from", default=None, help="Earliest local date.")
@click.option("--to", "date_to", default=None, help="Latest local date.")
@click.option("--after", "time_from", default=None, help="Starting at or after HH:MM.")
@click.option("--before", "time_to", default=None, help="Ending by HH:MM.")
@click.option("--weekdays", default=None, help=f"e.g. mon,wed or mon-fri ({','.join(DAY_NAMES)}).")
@click.option("--book", "patient_id", default=None, help="Book it at once for this patient id.")
@click.option("--type", "kind", type=_TYPE, default="first_visit", show_default=True)
@click.option("--link", default=None, help="Telehealth meeting link (https).")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def earliest(
    state: CliContext,
    doctor: str | None,
    specialisation: str | None,
    date_from: str | None,
    date_to: str | None,
    time_from: str | None,
    time_to: str | None,
    weekdays: str | None,
    patient_id: str | None,
    kind: str,
    link: str | None,
    as_json: bool,
) -> None:
    """Find the earliest free slot that fits (and optionally book it)."""
    actor = state.user()
    search = SlotSearch(
        doctor_id=_doctor_id(state, actor, doctor) if doctor else None,
        specialisation=specialisation,
        date_from=parse_date(date_from, "date_from") if date_from else None,
        date_to=parse_date(date_to, "date_to") if date_to else None,
        time_from=parse_time(time_from, "time_from") if time_from else None,
        time_to=parse_time(time_to, "time_to") if time_to else None,
        weekdays=_weekdays(weekdays),
    )
    booking = state.services().scheduling.booking
    if patient_id:
        request = BookingRequest(patient_id, kind, link)
        _book(as_json, lambda: booking.book_earliest(actor, search, request))
        return
    slot = booking.find_earliest(actor, search)
    if as_json:
        emit_json(slot)
    elif slot is None:
        raise NotFoundError("No free slot fits these constraints.")
    else:
        click.echo(f"{slot.id} {slot.local_start:%Y-%m-%d %H:%M%z} doctor {slot.doctor_id}")


@schedule.command()
@click.argument("appointment_id")
@click.option("--reason", required=True)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def cancel(state: CliContext, appointment_id: str, reason: str, as_json: bool) -> None:
    """Cancel an appointment (with a reason); its slot is free again."""
    actor = state.user()
    appointment = state.services().scheduling.booking.cancel(actor, appointment_id, reason)
    if as_json:
        emit_json(appointment)
    else:
        click.echo(f"{appointment.id} cancelled")


def _print_view(view: CalendarView) -> None:
    rows = []
    for column in view.columns:
        for entry in column.entries:
            appointment = entry.appointment
            status = appointment.status.value if appointment else (entry.slot_status or "")
            rows.append(
                [
                    f"{entry.local_start:%Y-%m-%d %H:%M}",
                    f"{entry.local_end:%H:%M}",
                    column.doctor_name,
                    str(status),
                    appointment.patient_name if appointment else (entry.block_reason or ""),
                    entry.slot_id or "",
                    appointment.id if appointment else "",
                ]
            )
    emit_table(["START", "END", "DOCTOR", "STATUS", "PATIENT", "SLOT", "APPOINTMENT"], rows)


@schedule.command("list")
@click.option("--day", default=None, help="One local date, YYYY-MM-DD.")
@click.option("--week", default=None, help="Seven days from this date.")
@click.option("--doctor", default=None, help="One doctor's user name (else the whole clinic).")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def list_(
    state: CliContext, day: str | None, week: str | None, doctor: str | None, as_json: bool
) -> None:
    """List a day or a week: slots and appointments, per doctor."""
    if bool(day) == bool(week):
        raise click.UsageError("Give either --day or --week.")
    actor = state.user()
    doctor_id = _doctor_id(state, actor, doctor) if doctor else None
    start = parse_date(day or week or "", "day" if day else "week")
    end = start if day else start + timedelta(days=6)
    view = state.services().scheduling.calendar.range_view(actor, start, end, doctor_id)
    if as_json:
        emit_json(view)
    else:
        _print_view(view)
