"""The slot-booking authority: at most one active appointment per slot.

Every write transaction that touches appointments rewrites their rows of `slot_bookings` at its
end (so a bundle may cancel one booking and make another of the same slot in any order). The
table's primary key (slot_id) is the guarantee, for any writer, under any race; the query
before the insert only turns the common case into a readable 409 naming the holder.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from clinic_app.server.outcome import FhirError
from clinic_app.server.tables import slot_bookings

# Appointment statuses that hold their slots (the rest release them).
ACTIVE_APPOINTMENT = frozenset({"proposed", "pending", "booked", "arrived", "checked-in"})
_SLOT_REFERENCE = re.compile(r"(?:^|/)Slot/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")


def active_slots(appointment: dict[str, Any]) -> set[str]:
    """The slot ids an appointment holds: those it references while its status is active."""
    if appointment.get("status") not in ACTIVE_APPOINTMENT:
        return set()
    slots: set[str] = set()
    for reference in appointment.get("slot") or []:
        text = reference.get("reference") if isinstance(reference, dict) else None
        match = _SLOT_REFERENCE.search(text) if isinstance(text, str) else None
        if match:
            slots.add(match.group(1))
    return slots


def slot_conflict(slot_id: str, holder: str | None = None) -> FhirError:
    by = f" by Appointment/{holder}" if holder else ""
    return FhirError(
        409,
        "conflict",
        f"Slot/{slot_id} is already booked{by}; nothing was stored",
        expressions=["Appointment.slot"],
    )


def rewrite_bookings(connection: Connection, appointments: dict[str, set[str]]) -> None:
    """Replaces the bookings of `appointments` (id -> slots it now holds)."""
    for start in range(0, len(appointments), 500):
        chunk = list(appointments)[start : start + 500]
        connection.execute(delete(slot_bookings).where(slot_bookings.c.appointment_id.in_(chunk)))
    wanted: dict[str, str] = {}
    for appointment_id, slots in appointments.items():
        for slot_id in sorted(slots):
            if slot_id in wanted:
                raise slot_conflict(slot_id, wanted[slot_id])
            wanted[slot_id] = appointment_id
    if not wanted:
        return
    slot_ids = list(wanted)
    for start in range(0, len(slot_ids), 500):
        held = connection.execute(
            select(slot_bookings.c.slot_id, slot_bookings.c.appointment_id).where(
                slot_bookings.c.slot_id.in_(slot_ids[start : start + 500])
            )
        ).first()
        if held is not None:
            raise slot_conflict(held.slot_id, held.appointment_id)
    connection.execute(
        insert(slot_bookings), [{"slot_id": s, "appointment_id": a} for s, a in wanted.items()]
    )
