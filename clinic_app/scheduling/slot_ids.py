"""Slot ids: a stable function of the doctor and the slot's start and end.

Every workstation that generates a doctor's slots from the same rules makes the same ids, so
the server (and the other workstations) see one slot, not one per workstation that happened to
generate it. A slot removed and later made again (leave taken back, hours restored) gets its
old id back: the tombstone is revived as a new version, never inserted twice.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

# Fixed for ever: changing it would give every future slot a new id.
SLOT_NAMESPACE = uuid.UUID("6f1d3c2e-5b7a-4e39-9c61-0f2a8d4b7e15")


def _instant(moment: datetime) -> str:
    if moment.tzinfo is None:  # stored instants are UTC; a naive one is read as such
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def slot_id(doctor_id: str, starts_at: datetime, ends_at: datetime) -> str:
    return str(uuid.uuid5(SLOT_NAMESPACE, f"{doctor_id}|{_instant(starts_at)}|{_instant(ends_at)}"))
