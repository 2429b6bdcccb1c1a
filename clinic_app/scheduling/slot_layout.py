"""Laying slots in the database: add the candidates that don't clash, and re-apply changed
rules (hours, breaks, consultation length, time zone, leave) to a doctor's future slots.

Re-applying never removes a booked slot: open or blocked generated slots that the new rules no
longer produce are tombstoned; booked ones stay, and those now outside working time are
reported so the desk can move their appointments. Manually added slots are one-offs and
survive hour changes; leave removes them too when unbooked.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from clinic_app.scheduling.local_time import local_today
from clinic_app.scheduling.models import ACTIVE_STATUSES, SlotOrigin, SlotStatus
from clinic_app.scheduling.slot_generation import (
    ScheduleRules,
    SlotCandidate,
    generate,
    within_hours,
)
from clinic_app.scheduling.slot_ids import slot_id
from clinic_app.scheduling.tables import AppointmentRow, DoctorProfileRow, SlotRow
from clinic_app.storage.outbox import OutboxOperation, OutboxRow

_CHUNK = 500


@dataclass(frozen=True)
class LayoutResult:
    created: int
    skipped: int
    removed: int
    appointment_ids_to_move: list[str]


class _Busy:
    """Sorted live intervals of one doctor, for overlap checks."""

    def __init__(self, intervals: Iterable[tuple[datetime, datetime]]) -> None:
        self._items = sorted(intervals)
        self._starts = [start for start, _ in self._items]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        i = bisect_left(self._starts, end)  # intervals starting before `end`
        return i > 0 and any(self._items[j][1] > start for j in range(max(0, i - 2), i))

    def add(self, start: datetime, end: datetime) -> None:
        i = bisect_left(self._starts, start)
        self._items.insert(i, (start, end))
        self._starts.insert(i, start)


def new_slot_row(doctor_id: str, c: SlotCandidate, origin: SlotOrigin) -> SlotRow:
    return SlotRow(
        id=slot_id(doctor_id, c.starts_at, c.ends_at),
        doctor_id=doctor_id,
        starts_at=c.starts_at,
        ends_at=c.ends_at,
        local_date=c.local_date,
        weekday=c.weekday,
        local_start_minute=c.local_start_minute,
        local_end_minute=c.local_end_minute,
        status=SlotStatus.OPEN.value,
        origin=origin.value,
    )


def place_slot(session: Session, doctor_id: str, c: SlotCandidate, origin: SlotOrigin) -> SlotRow:
    """A new slot, or the removed one with the same id brought back (see `slot_ids`)."""
    fresh = new_slot_row(doctor_id, c, origin)
    old = session.get(SlotRow, fresh.id)
    if old is None:
        session.add(fresh)
        return fresh
    for name in ("local_date", "weekday", "local_start_minute", "local_end_minute", "origin"):
        setattr(old, name, getattr(fresh, name))
    old.status, old.block_reason, old.deleted_at = SlotStatus.OPEN.value, None, None
    return old


def _live_slots(session: Session, doctor_id: str, since: datetime) -> list[SlotRow]:
    return list(
        session.scalars(
            select(SlotRow).where(
                SlotRow.doctor_id == doctor_id,
                SlotRow.deleted_at.is_(None),
                SlotRow.starts_at >= since,
            )
        )
    )


def add_candidates(
    session: Session,
    doctor_id: str,
    candidates: Iterable[SlotCandidate],
    now: datetime,
    existing: list[SlotRow] | None = None,
) -> tuple[int, int]:
    """Inserts candidates starting after `now` that clash with no live slot; (created, skipped)."""
    rows = existing if existing is not None else _live_slots(session, doctor_id, now)
    # Slots started before now can still overlap a candidate starting just after it.
    earlier = session.scalars(
        select(SlotRow)
        .where(SlotRow.doctor_id == doctor_id, SlotRow.deleted_at.is_(None))
        .where(SlotRow.starts_at < now)
        .order_by(SlotRow.starts_at.desc())
        .limit(1)
    ).all()
    busy = _Busy((r.starts_at, r.ends_at) for r in [*rows, *earlier] if r.deleted_at is None)
    created = skipped = 0
    new_rows: list[dict[str, object]] = []
    for c in candidates:
        if c.starts_at < now:
            continue
        if busy.overlaps(c.starts_at, c.ends_at):
            skipped += 1
            continue
        busy.add(c.starts_at, c.ends_at)
        new_rows.append(_slot_values(doctor_id, c, now))
        created += 1
    _bulk_insert(session, new_rows, now)
    return created, skipped


def _as_candidate(row: SlotRow) -> SlotCandidate:
    return SlotCandidate(
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        local_date=row.local_date,
        weekday=row.weekday,
        local_start_minute=row.local_start_minute,
        local_end_minute=row.local_end_minute,
    )


def apply_rules(
    session: Session, profile: DoctorProfileRow, rules: ScheduleRules, now: datetime
) -> LayoutResult:
    today = local_today(now, rules.time_zone)
    horizon: date | None = profile.slots_until
    wanted = (
        list(generate(rules, today, horizon)) if horizon is not None and horizon >= today else []
    )
    wanted_keys = {(c.starts_at, c.ends_at) for c in wanted}
    future = _live_slots(session, profile.user_id, now)
    gone_ids: list[str] = []
    booked_outside: list[str] = []
    for row in future:
        if row.status == SlotStatus.BOOKED.value:
            if not within_hours(rules, _as_candidate(row)):
                booked_outside.append(row.id)
            continue
        if row.origin == SlotOrigin.MANUAL.value:
            gone = rules.on_leave(row.local_date)
        else:
            gone = (row.starts_at, row.ends_at) not in wanted_keys
        if gone:
            gone_ids.append(row.id)
    _bulk_tombstone(session, gone_ids, now)  # first, so a new slot may reuse a freed start
    removed = len(gone_ids)
    removed_ids = set(gone_ids)
    kept = [row for row in future if row.id not in removed_ids]
    created, skipped = add_candidates(session, profile.user_id, wanted, now, kept)
    to_move: list[str] = []
    if booked_outside:
        to_move = list(
            session.scalars(
                select(AppointmentRow.id)
                .where(
                    AppointmentRow.slot_id.in_(booked_outside),
                    AppointmentRow.status.in_([s.value for s in ACTIVE_STATUSES]),
                    AppointmentRow.deleted_at.is_(None),
                )
                .order_by(AppointmentRow.starts_at)
            )
        )
    return LayoutResult(created, skipped, removed, to_move)


# Slots come by the thousand (a year of one doctor is ~8,000), so they are written with bulk
# statements; the flush hook that writes outbox entries doesn't see bulk statements, so the
# entries are written here, in the same transaction (as the patients' demo seeding does).


def _slot_values(doctor_id: str, c: SlotCandidate, now: datetime) -> dict[str, object]:
    return {
        "id": slot_id(doctor_id, c.starts_at, c.ends_at),
        "doctor_id": doctor_id,
        "starts_at": c.starts_at,
        "ends_at": c.ends_at,
        "local_date": c.local_date,
        "weekday": c.weekday,
        "local_start_minute": c.local_start_minute,
        "local_end_minute": c.local_end_minute,
        "status": SlotStatus.OPEN.value,
        "block_reason": None,
        "origin": SlotOrigin.GENERATED.value,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "version_id": None,
        "deleted_at": None,
    }


def _outbox(
    ids: list[str],
    operation: OutboxOperation,
    version: int | None,
    now: datetime,
    versions: dict[str, int] | None = None,
) -> list[dict[str, object]]:
    return [
        {
            "entity_type": SlotRow.__tablename__,
            "entity_id": slot_id,
            "operation": operation.value,
            "entity_version": version if versions is None else versions[slot_id],
            "created_at": now,
        }
        for slot_id in ids
    ]


def _bulk_insert(session: Session, rows: list[dict[str, object]], now: datetime) -> None:
    if not rows:
        return
    # Ids are stable (see `slot_ids`): a slot made again may have a tombstone to revive.
    removed: dict[str, int] = {}
    ids = [str(row["id"]) for row in rows]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for found_id, version in session.execute(
            select(SlotRow.id, SlotRow.version).where(SlotRow.id.in_(chunk))
        ):
            removed[found_id] = version
    new = [row for row in rows if row["id"] not in removed]
    if new:
        session.execute(insert(SlotRow), new)
        created = [str(row["id"]) for row in new]
        session.execute(insert(OutboxRow), _outbox(created, OutboxOperation.CREATE, 1, now))
    revived = [row for row in rows if row["id"] in removed]
    for row in revived:
        values = {k: v for k, v in row.items() if k not in ("id", "created_at", "version_id")}
        values["version"] = removed[str(row["id"])] + 1
        session.execute(
            update(SlotRow)
            .where(SlotRow.id == row["id"])
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    if revived:
        bumped = {str(row["id"]): removed[str(row["id"])] + 1 for row in revived}
        session.execute(
            insert(OutboxRow),
            _outbox(list(bumped), OutboxOperation.UPDATE, None, now, bumped),
        )


def _bulk_tombstone(session: Session, ids: list[str], now: datetime) -> None:
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        versions = dict(
            session.execute(select(SlotRow.id, SlotRow.version).where(SlotRow.id.in_(chunk))).all()
        )
        session.execute(
            update(SlotRow)
            .where(SlotRow.id.in_(chunk), SlotRow.deleted_at.is_(None))
            .values(deleted_at=now, updated_at=now, version=SlotRow.version + 1)
            .execution_options(synchronize_session=False)
        )
        bumped = {slot_id: version + 1 for slot_id, version in versions.items()}
        session.execute(
            insert(OutboxRow), _outbox(chunk, OutboxOperation.DELETE, None, now, bumped)
        )
