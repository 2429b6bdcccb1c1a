"""Fast reads for the calendar views: a busy clinic's week is ~16,000 slots and appointments,
so the views read them with two plain SQL statements (no ORM objects, no per-value type
processing) and parse each distinct timestamp and date once per call (a week repeats the same
few hundred instants across every doctor). Stored formats are SQLAlchemy's SQLite ones: UTC
`YYYY-MM-DD HH:MM:SS.ffffff` for instants, `YYYY-MM-DD` for dates, 0/1 for booleans."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from clinic_app.scheduling.calendar_models import DayListRow
from clinic_app.scheduling.models import (
    AppointmentStatus,
    AppointmentSummary,
    AppointmentType,
    SlotStatus,
)

_T = TypeVar("_T")

TYPES = {t.value: t for t in AppointmentType}
STATUSES = {s.value: s for s in AppointmentStatus}
SLOT_STATUSES = {s.value: s for s in SlotStatus}

_SLOTS_SQL = (
    "SELECT id, doctor_id, local_date, starts_at, ends_at, status, block_reason, version "
    "FROM slots WHERE local_date >= ? AND local_date <= ? AND deleted_at IS NULL "
    "AND doctor_id IN ({doctors})"
)
_APPOINTMENTS_SQL = (
    "SELECT a.id, a.patient_id, a.doctor_id, a.slot_id, a.starts_at, a.ends_at, a.local_date, "
    "a.appointment_type, a.status, a.walk_in, a.confirmed, a.meeting_link, a.arrived_at, "
    "a.version, p.family_name, p.given_name, p.birth_date, p.phone "
    "FROM appointments a JOIN patients p ON p.id = a.patient_id "
    "WHERE a.local_date >= ? AND a.local_date <= ? AND a.deleted_at IS NULL "
    "AND a.status IN ({statuses}) AND a.doctor_id IN ({doctors})"
)


def _fetch_all(session: Session, sql: str, params: tuple[object, ...]) -> list[tuple[Any, ...]]:
    """Plain tuples from the driver, on the unit of work's own connection and transaction."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        return list(cursor.execute(sql, params).fetchall())
    finally:
        cursor.close()


@dataclass(frozen=True)
class Doctor:
    id: str
    name: str
    specialisation: str
    room: str | None
    time_zone: str
    tz: ZoneInfo


class SlotRecord(NamedTuple):
    id: str
    doctor_id: str
    local_date: date
    starts_at: datetime
    ends_at: datetime
    status: str
    block_reason: str | None
    version: int
    local_start: datetime
    local_end: datetime


class AppointmentRecord(NamedTuple):
    id: str
    patient_id: str
    doctor_id: str
    slot_id: str | None
    starts_at: datetime
    ends_at: datetime
    local_date: date
    appointment_type: str
    status: str
    walk_in: bool
    confirmed: bool
    meeting_link: str | None
    arrived_at: datetime | None
    version: int
    family_name: str
    given_name: str
    birth_date: date
    phone: str | None
    local_start: datetime
    local_end: datetime


class RowReader:
    """Parses stored values once per distinct value, for one read."""

    def __init__(self) -> None:
        self._instants: dict[str, datetime] = {}
        self._dates: dict[str, date] = {}
        self._local: dict[str, dict[str, datetime]] = {}

    def instant(self, text: str) -> datetime:
        value = self._instants.get(text)
        if value is None:
            value = datetime.fromisoformat(text).replace(tzinfo=UTC)
            self._instants[text] = value
        return value

    def day(self, text: str) -> date:
        value = self._dates.get(text)
        if value is None:
            value = date.fromisoformat(text)
            self._dates[text] = value
        return value

    def local(self, text: str, tz: ZoneInfo) -> datetime:
        """The stored UTC instant `text` in the zone `tz` (one conversion per distinct pair)."""
        cache = self._local.get(tz.key)
        if cache is None:
            cache = self._local[tz.key] = {}
        value = cache.get(text)
        if value is None:
            value = cache[text] = self.instant(text).astimezone(tz)
        return value

    def slots(
        self, session: Session, date_from: date, date_to: date, zones: Mapping[str, ZoneInfo]
    ) -> list[SlotRecord]:
        """The live slots of the doctors in `zones` (doctor id → zone) between local dates."""
        doctor_ids = list(zones)
        if not doctor_ids:
            return []
        sql = _SLOTS_SQL.format(doctors=", ".join("?" * len(doctor_ids)))
        rows = _fetch_all(session, sql, (date_from.isoformat(), date_to.isoformat(), *doctor_ids))
        instant, day, local = self.instant, self.day, self.local
        return [
            SlotRecord(
                r[0],
                r[1],
                day(r[2]),
                instant(r[3]),
                instant(r[4]),
                r[5],
                r[6],
                r[7],
                local(r[3], zones[r[1]]),
                local(r[4], zones[r[1]]),
            )
            for r in rows
        ]

    def appointments(
        self,
        session: Session,
        date_from: date,
        date_to: date,
        zones: Mapping[str, ZoneInfo],
        statuses: Sequence[str],
    ) -> list[AppointmentRecord]:
        """Appointments (with their patients' names) of the doctors in `zones`, by time."""
        doctor_ids = list(zones)
        if not doctor_ids:
            return []
        sql = _APPOINTMENTS_SQL.format(
            statuses=", ".join("?" * len(statuses)), doctors=", ".join("?" * len(doctor_ids))
        )
        rows = _fetch_all(
            session, sql, (date_from.isoformat(), date_to.isoformat(), *statuses, *doctor_ids)
        )
        instant, day, local = self.instant, self.day, self.local
        records = [
            AppointmentRecord(
                r[0],
                r[1],
                r[2],
                r[3],
                instant(r[4]),
                instant(r[5]),
                day(r[6]),
                r[7],
                r[8],
                bool(r[9]),
                bool(r[10]),
                r[11],
                instant(r[12]) if r[12] else None,
                r[13],
                r[14],
                r[15],
                day(r[16]),
                r[17],
                local(r[4], zones[r[2]]),
                local(r[5], zones[r[2]]),
            )
            for r in rows
        ]
        records.sort(key=lambda record: record.starts_at)
        return records

    @staticmethod
    def summary(r: AppointmentRecord) -> AppointmentSummary:
        return frozen(
            AppointmentSummary,
            id=r.id,
            patient_id=r.patient_id,
            patient_name=f"{r.family_name}, {r.given_name}",
            doctor_id=r.doctor_id,
            slot_id=r.slot_id,
            starts_at=r.starts_at,
            ends_at=r.ends_at,
            local_start=r.local_start,
            local_end=r.local_end,
            appointment_type=TYPES[r.appointment_type],
            status=STATUSES[r.status],
            walk_in=r.walk_in,
            confirmed=r.confirmed,
            meeting_link=r.meeting_link,
            arrived_at=r.arrived_at,
            version=r.version,
        )


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pauses the cyclic garbage collector while a view builds its ~16,000 objects (none of
    them in a reference cycle). Otherwise each few hundred new objects trigger a collection
    that walks everything alive: half the CPU of a busy week view, and more in the GUI's larger
    heap. Reference counting still frees everything; the collector resumes right after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def frozen(cls: type[_T], **fields: object) -> _T:
    """Builds a frozen dataclass without its __init__. A frozen dataclass's __init__ sets each
    field through object.__setattr__, about ten times slower than a plain class; a busy week
    view builds ~16,000 of them, so it fills the instance's __dict__ directly (frozen only
    guards attribute assignment afterwards). Only for dataclasses with no __post_init__ and
    every field given; tests compare the result with the regular constructor's."""
    instance = object.__new__(cls)
    instance.__dict__.update(fields)
    return instance


def day_row(r: AppointmentRecord, doctor: Doctor) -> DayListRow:
    return DayListRow(
        local_start=r.local_start,
        local_end=r.local_end,
        doctor_name=doctor.name,
        room=doctor.room,
        patient_id=r.patient_id,
        patient_name=f"{r.family_name}, {r.given_name}",
        birth_date=r.birth_date,
        phone=r.phone,
        appointment_type=r.appointment_type,
        status=r.status,
        walk_in=r.walk_in,
        confirmed=r.confirmed,
    )
