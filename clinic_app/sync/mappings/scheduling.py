"""Scheduling: doctor profiles ↔ Schedule, slots ↔ Slot, appointments ↔ Appointment.

Doctors are local accounts (not synced), so a Schedule's actor and an Appointment's doctor are
logical references by the account id; a Slot names its Schedule the same way (by the doctor's
account id), which needs no lookup on either side. The server is the authority for booking: a
booking it refuses (409) becomes a conflict for the front desk, and `confirmed` (local only)
turns true once the server has accepted the booking.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from clinic_app.scheduling.earliest import fold_specialisation
from clinic_app.scheduling.tables import AppointmentRow, DoctorProfileRow, SlotRow
from clinic_app.security.permissions import Action
from clinic_app.sync.errors import MappingError
from clinic_app.sync.fhir_values import (
    EXTENSION_BASE,
    USER_SYSTEM,
    extension_value,
    extensions,
    instant,
    optional_reference_id,
    parse_date,
    parse_instant,
    reference,
    reference_id,
    user_id_of,
    user_reference,
)
from clinic_app.sync.mappings.base import (
    TableMapping,
    Values,
    bool_value,
    instant_or_none,
    instant_text,
    int_or_none,
    required_text,
    text_or_none,
)

APPOINTMENT_TYPE_SYSTEM = "https://fhir.clinic-app.local/CodeSystem/appointment-type"


def _int(resource: Mapping[str, Any], name: str) -> int:
    value = int_or_none(extension_value(resource, name, "valueInteger"), name)
    if value is None:
        raise MappingError(f"The {name.replace('-', ' ')} is missing.")
    return value


def _date_ext(resource: Mapping[str, Any], name: str, *, required: bool) -> date | None:
    value = extension_value(resource, name, "valueDate")
    if value is None and not required:
        return None
    return parse_date(value, name.replace("-", " "))


def _hours_json(value: object, what: str) -> str:
    text = required_text(value, what, 4000)
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise MappingError(f"The {what} are not valid JSON.") from exc
    if not isinstance(raw, dict):
        raise MappingError(f"The {what} are not a weekday table.")
    return text


class DoctorProfileMapping(TableMapping):
    row_class = DoctorProfileRow
    resource_types = ("Schedule",)
    defaults = ("Schedule",)
    fields: ClassVar[tuple[str, ...]] = (
        "user_id",
        "specialisation",
        "consultation_minutes",
        "room",
        "time_zone",
        "weekly_hours",
        "breaks",
        "slots_until",
        "active",
    )
    audience = Action.SCHEDULE_MANAGE

    def patient_id(self, values: Mapping[str, Any]) -> str | None:
        return None

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        slots_until = values["slots_until"]
        return {
            "extension": extensions(
                [
                    ("consultation-minutes", "valueInteger", values["consultation_minutes"]),
                    ("room", "valueString", values["room"]),
                    ("time-zone", "valueString", values["time_zone"]),
                    ("weekly-hours", "valueString", values["weekly_hours"]),
                    ("breaks", "valueString", values["breaks"]),
                    (
                        "slots-until",
                        "valueDate",
                        slots_until.isoformat() if slots_until else None,
                    ),
                ]
            ),
            "identifier": [{"system": USER_SYSTEM, "value": values["user_id"]}],
            "active": bool(values["active"]),
            "specialty": [{"text": values["specialisation"]}],
            "actor": [user_reference(values["user_id"])],
        }

    def values(self, resource: Mapping[str, Any]) -> Values:
        actors = resource.get("actor")
        if not isinstance(actors, list) or not actors:
            raise MappingError("The schedule has no doctor.")
        specialties = resource.get("specialty") or [{}]
        data = resource
        return {
            "user_id": user_id_of(actors[0], "schedule doctor"),
            "specialisation": required_text(
                specialties[0].get("text") if isinstance(specialties[0], dict) else None,
                "specialisation",
                100,
            ),
            "consultation_minutes": _int(resource, "consultation-minutes"),
            "room": text_or_none(extension_value(data, "room", "valueString"), "room", 50),
            "time_zone": required_text(
                extension_value(data, "time-zone", "valueString"), "time zone", 64
            ),
            "weekly_hours": _hours_json(
                extension_value(data, "weekly-hours", "valueString"), "working hours"
            ),
            "breaks": _hours_json(extension_value(data, "breaks", "valueString"), "breaks"),
            "slots_until": _date_ext(resource, "slots-until", required=False),
            "active": bool_value(resource.get("active"), "active flag", default=True),
        }

    def derived(self, values: Mapping[str, Any]) -> Values:
        return {"specialisation_fold": fold_specialisation(values["specialisation"])}


_SLOT_STATUS = {"open": "free", "booked": "busy", "blocked": "busy-unavailable"}
_SLOT_STATUS_BACK = {fhir: local for local, fhir in _SLOT_STATUS.items()}


class SlotMapping(TableMapping):
    row_class = SlotRow
    resource_types = ("Slot",)
    defaults = ("Slot",)
    fields: ClassVar[tuple[str, ...]] = (
        "doctor_id",
        "starts_at",
        "ends_at",
        "local_date",
        "weekday",
        "local_start_minute",
        "local_end_minute",
        "status",
        "block_reason",
        "origin",
    )
    audience = Action.APPOINTMENT_BOOK
    # Slot ids are made from (doctor, start, end): see `clinic_app.scheduling.slot_ids`.
    content_ids = True

    def yields_to_server(self, local: Mapping[str, Any]) -> bool:
        # Generated here, never sent, still open: nothing of a person's is in it, and the
        # server's copy (perhaps booked or blocked since) is the one to keep.
        return (
            local.get("version_id") is None
            and local.get("origin") == "generated"
            and local.get("status") == "open"
            and local.get("deleted_at") is None
        )

    def patient_id(self, values: Mapping[str, Any]) -> str | None:
        return None

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "extension": extensions(
                [
                    ("origin", "valueString", values["origin"]),
                    ("local-date", "valueDate", values["local_date"].isoformat()),
                    ("weekday", "valueInteger", values["weekday"]),
                    ("local-start-minute", "valueInteger", values["local_start_minute"]),
                    ("local-end-minute", "valueInteger", values["local_end_minute"]),
                ]
            ),
            "schedule": {
                "type": "Schedule",
                "identifier": {"system": USER_SYSTEM, "value": values["doctor_id"]},
            },
            "status": _SLOT_STATUS[values["status"]],
            "start": instant(values["starts_at"]),
            "end": instant(values["ends_at"]),
        }
        if values["block_reason"]:
            body["comment"] = values["block_reason"]
        return body

    def values(self, resource: Mapping[str, Any]) -> Values:
        schedule = resource.get("schedule")
        identifier = schedule.get("identifier") if isinstance(schedule, dict) else None
        if not isinstance(identifier, dict) or identifier.get("system") != USER_SYSTEM:
            raise MappingError("The slot's schedule does not name a clinic doctor.")
        status = _SLOT_STATUS_BACK.get(str(resource.get("status")))
        if status is None:
            raise MappingError("The slot's status is not free, busy or busy-unavailable.")
        return {
            "doctor_id": required_text(identifier.get("value"), "slot doctor", 36),
            "starts_at": parse_instant(resource.get("start"), "slot start"),
            "ends_at": parse_instant(resource.get("end"), "slot end"),
            "local_date": _date_ext(resource, "local-date", required=True),
            "weekday": _int(resource, "weekday"),
            "local_start_minute": _int(resource, "local-start-minute"),
            "local_end_minute": _int(resource, "local-end-minute"),
            "status": status,
            "block_reason": text_or_none(resource.get("comment"), "block reason", 200),
            "origin": required_text(
                extension_value(resource, "origin", "valueString"), "slot origin", 16
            ),
        }


_APPOINTMENT_STATUS = {
    "booked": "booked",
    "arrived": "arrived",
    "completed": "fulfilled",
    "cancelled": "cancelled",
    "no_show": "noshow",
}
_APPOINTMENT_STATUS_BACK = {fhir: local for local, fhir in _APPOINTMENT_STATUS.items()}


class AppointmentMapping(TableMapping):
    row_class = AppointmentRow
    resource_types = ("Appointment",)
    defaults = ("Appointment",)
    fields: ClassVar[tuple[str, ...]] = (
        "patient_id",
        "doctor_id",
        "slot_id",
        "starts_at",
        "ends_at",
        "local_date",
        "appointment_type",
        "status",
        "walk_in",
        "meeting_link",
        "note",
        "arrived_at",
        "cancel_reason",
        "reminder_sent_at",
        "booked_by",
    )
    audience = Action.APPOINTMENT_BOOK

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        ext = extensions(
            [
                ("local-date", "valueDate", values["local_date"].isoformat()),
                ("walk-in", "valueBoolean", bool(values["walk_in"])),
                ("meeting-link", "valueString", values["meeting_link"]),
                ("arrived-at", "valueInstant", instant_text(values["arrived_at"])),
                ("reminder-sent-at", "valueInstant", instant_text(values["reminder_sent_at"])),
            ]
        )
        if values["booked_by"]:
            ext.append(
                {
                    "url": EXTENSION_BASE + "booked-by",
                    "valueReference": user_reference(values["booked_by"]),
                }
            )
        body: dict[str, Any] = {
            "extension": ext,
            "status": _APPOINTMENT_STATUS[values["status"]],
            "appointmentType": {
                "coding": [{"system": APPOINTMENT_TYPE_SYSTEM, "code": values["appointment_type"]}]
            },
            "start": instant(values["starts_at"]),
            "end": instant(values["ends_at"]),
            "participant": [
                {"actor": reference("Patient", values["patient_id"]), "status": "accepted"},
                {"actor": user_reference(values["doctor_id"]), "status": "accepted"},
            ],
        }
        if values["slot_id"]:
            body["slot"] = [reference("Slot", values["slot_id"])]
        if values["note"]:
            body["comment"] = values["note"]
        if values["cancel_reason"]:
            body["cancelationReason"] = {"text": values["cancel_reason"]}
        return body

    def values(self, resource: Mapping[str, Any]) -> Values:
        status = _APPOINTMENT_STATUS_BACK.get(str(resource.get("status")))
        if status is None:
            raise MappingError("The appointment's status is not one this clinic uses.")
        patient, doctor = _participants(resource.get("participant"))
        slots = resource.get("slot") or [None]
        kind = resource.get("appointmentType")
        codings = kind.get("coding") if isinstance(kind, dict) else None
        code = codings[0].get("code") if isinstance(codings, list) and codings else None
        reason = resource.get("cancelationReason")
        booked_by = extension_value(resource, "booked-by", "valueReference")
        data = resource
        return {
            "patient_id": patient,
            "doctor_id": doctor,
            "slot_id": optional_reference_id(slots[0], "Slot", "appointment slot"),
            "starts_at": parse_instant(resource.get("start"), "appointment start"),
            "ends_at": parse_instant(resource.get("end"), "appointment end"),
            "local_date": _date_ext(resource, "local-date", required=True),
            "appointment_type": required_text(code, "appointment type", 16),
            "status": status,
            "walk_in": bool_value(extension_value(data, "walk-in", "valueBoolean"), "walk-in"),
            "meeting_link": text_or_none(
                extension_value(data, "meeting-link", "valueString"), "meeting link", 500
            ),
            "note": text_or_none(resource.get("comment"), "appointment note", 500),
            "arrived_at": instant_or_none(
                extension_value(data, "arrived-at", "valueInstant"), "arrival time"
            ),
            "cancel_reason": text_or_none(
                reason.get("text") if isinstance(reason, dict) else None, "cancel reason", 500
            ),
            "reminder_sent_at": instant_or_none(
                extension_value(data, "reminder-sent-at", "valueInstant"), "reminder time"
            ),
            "booked_by": user_id_of(booked_by, "booking clerk") if booked_by else None,
        }

    def derived(self, values: Mapping[str, Any]) -> Values:
        # What the server holds is confirmed: a booking is provisional only until pushed.
        return {"confirmed": True}


def _participants(value: object) -> tuple[str, str]:
    if not isinstance(value, list):
        raise MappingError("The appointment has no participants.")
    patient = doctor = None
    for participant in value:
        actor = participant.get("actor") if isinstance(participant, dict) else None
        if not isinstance(actor, dict):
            continue
        if isinstance(actor.get("reference"), str):
            patient = reference_id(actor, "Patient", "appointment patient")
        elif isinstance(actor.get("identifier"), dict):
            doctor = user_id_of(actor, "appointment doctor")
    if patient is None or doctor is None:
        raise MappingError("The appointment must name a patient and a doctor.")
    return patient, doctor
