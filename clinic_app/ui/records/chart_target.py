"""What another page asks the chart page to open: a patient, and maybe one visit or record."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChartTarget:
    patient_id: str
    visit_id: str | None = None
    record_id: str | None = None

    @classmethod
    def of(cls, item: object) -> ChartTarget | None:
        """A patient id (str) or a `ChartTarget`; anything else is not for the chart."""
        if isinstance(item, ChartTarget):
            return item
        if isinstance(item, str) and item:
            return cls(item)
        return None
