"""Scheduling errors a user may see."""

from __future__ import annotations

from clinic_app.errors import ConflictError
from clinic_app.scheduling.models import SlotView


class SlotTakenError(ConflictError):
    """Someone else booked (or blocked) the slot first. `next_slot` is the doctor's next free
    slot after it, to offer instead (None when there is none in the coming year)."""

    def __init__(self, next_slot: SlotView | None) -> None:
        offer = (
            f" The next free slot is {next_slot.local_start:%Y-%m-%d %H:%M}."
            if next_slot is not None
            else " There is no other free slot for this doctor in the coming year."
        )
        super().__init__("This slot was just taken by another booking." + offer)
        self.next_slot = next_slot
