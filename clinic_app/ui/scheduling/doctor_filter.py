"""Which doctors a calendar shows: everyone, one speciality, or one doctor."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from clinic_app.scheduling.models import DoctorProfile


class FilterKind(StrEnum):
    ALL = "all"
    SPECIALITY = "speciality"
    DOCTOR = "doctor"


@dataclass(frozen=True)
class DoctorFilter:
    kind: FilterKind
    value: str = ""  # the speciality or the doctor id
    label: str = "All doctors"

    def doctor_ids(self, profiles: list[DoctorProfile]) -> list[str] | None:
        """The doctors to load; None for the whole clinic."""
        if self.kind is FilterKind.DOCTOR:
            return [self.value]
        if self.kind is FilterKind.SPECIALITY:
            wanted = self.value.casefold()
            return [p.doctor_id for p in profiles if p.specialisation.casefold() == wanted]
        return None


ALL_DOCTORS = DoctorFilter(FilterKind.ALL)


def filter_choices(profiles: list[DoctorProfile], *, own_only: bool) -> list[DoctorFilter]:
    """A doctor who may see only their own calendar gets just that; the desk gets the clinic,
    each speciality with more than one doctor, and each doctor."""
    doctors = [
        DoctorFilter(FilterKind.DOCTOR, p.doctor_id, f"{p.doctor_name} · {p.specialisation}")
        for p in profiles
    ]
    if own_only:
        return doctors
    counts: dict[str, tuple[str, int]] = {}
    for profile in profiles:
        key = profile.specialisation.casefold()
        name, count = counts.get(key, (profile.specialisation, 0))
        counts[key] = (name, count + 1)
    specialities = [
        DoctorFilter(FilterKind.SPECIALITY, name, f"All in {name}")
        for name, count in sorted(counts.values())
        if count > 1
    ]
    return [ALL_DOCTORS, *specialities, *doctors]
