"""Words and colours for appointments, slots and their statuses: one place, so the calendar,
its legend, the queue and the printed day list say the same thing."""

from __future__ import annotations

from datetime import datetime

from clinic_app.scheduling.models import AppointmentStatus, AppointmentType, SlotStatus

TYPE_LABELS: dict[AppointmentType, str] = {
    AppointmentType.FIRST_VISIT: "First visit",
    AppointmentType.FOLLOW_UP: "Follow-up",
    AppointmentType.PROCEDURE: "Procedure",
    AppointmentType.TELEHEALTH: "Telehealth",
}

STATUS_LABELS: dict[AppointmentStatus, str] = {
    AppointmentStatus.BOOKED: "Booked",
    AppointmentStatus.ARRIVED: "Arrived",
    AppointmentStatus.COMPLETED: "Completed",
    AppointmentStatus.CANCELLED: "Cancelled",
    AppointmentStatus.NO_SHOW: "No-show",
}

SLOT_LABELS: dict[SlotStatus, str] = {
    SlotStatus.OPEN: "Free slot",
    SlotStatus.BOOKED: "Booked",
    SlotStatus.BLOCKED: "Blocked",
}

# Fill (soft) and edge (strong) colour per appointment type.
TYPE_COLOURS: dict[AppointmentType, tuple[str, str]] = {
    AppointmentType.FIRST_VISIT: ("#dbe9fb", "#2f6fbe"),
    AppointmentType.FOLLOW_UP: ("#dcf3e3", "#23884a"),
    AppointmentType.PROCEDURE: ("#ece3fa", "#7a4cc2"),
    AppointmentType.TELEHEALTH: ("#fde8d4", "#c2600f"),
}

# The stripe on an appointment's left edge says its status.
STATUS_COLOURS: dict[AppointmentStatus, str] = {
    AppointmentStatus.BOOKED: "#1b6a8a",
    AppointmentStatus.ARRIVED: "#15803d",
    AppointmentStatus.COMPLETED: "#7d8b98",
    AppointmentStatus.CANCELLED: "#9aa5b1",
    AppointmentStatus.NO_SHOW: "#b42318",
}

OPEN_FILL = "#ffffff"
OPEN_EDGE = "#cdd6de"
BLOCKED_FILL = "#e4e8ec"
BLOCKED_HATCH = "#b9c3cc"
TEXT_COLOUR = "#1d2733"
MUTED_TEXT = "#7d8b98"


def type_label(value: AppointmentType | str) -> str:
    try:
        return TYPE_LABELS[AppointmentType(value)]
    except ValueError:
        return str(value).replace("_", " ").capitalize()


def status_label(value: AppointmentStatus | str) -> str:
    try:
        return STATUS_LABELS[AppointmentStatus(value)]
    except ValueError:
        return str(value).replace("_", " ").capitalize()


def clock_time(local: datetime) -> str:
    return f"{local:%H:%M}"


def time_span(start: datetime, end: datetime) -> str:
    return f"{start:%H:%M}–{end:%H:%M}"


def day_and_time(local: datetime) -> str:
    """ "Tue 10 Mar 09:15": a slot offered or found, in the doctor's local time."""
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def waiting_text(minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"
