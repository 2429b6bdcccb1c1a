"""The append-only, hash-chained audit log.

Each event is written in the same transaction as the change it describes. Its hash covers the
previous event's hash and its own fields, so editing, deleting or reordering any stored event
breaks the chain from that point on; `verify_chain` finds the first broken link. SQLite triggers
(see the first migration) refuse UPDATE and DELETE on the table.
Details hold ids and counts only: never names or clinical text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, String, Text, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from clinic_app.errors import ValidationError
from clinic_app.storage.base import Base
from clinic_app.storage.types import UtcDateTime, is_storable_text, new_id, utcnow
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

GENESIS_HASH = "0" * 64
_VERIFY_BATCH = 2000
MAX_LIST_LIMIT = 10_000
MAX_LIST_OFFSET = 1_000_000_000


class Outcome(StrEnum):
    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"


class AuditEventRow(Base):
    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    record_type: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(64), index=True)
    workstation: Mapped[str] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(String(16))
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


@dataclass(frozen=True)
class Actor:
    """Who does something: a signed-in user, or None for the system itself."""

    user_id: str | None
    username: str | None


SYSTEM_ACTOR = Actor(user_id=None, username="system")


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    id: str
    occurred_at: datetime
    user_id: str | None
    username: str | None
    action: str
    record_type: str | None
    record_id: str | None
    workstation: str
    outcome: str
    details: dict[str, Any]


@dataclass(frozen=True)
class ChainVerification:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    action: str | None = None
    record_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _event_hash(prev_hash: str, row: AuditEventRow) -> str:
    payload = json.dumps(
        [
            row.seq,
            row.id,
            row.occurred_at.isoformat(),
            row.user_id,
            row.username,
            row.action,
            row.record_type,
            row.record_id,
            row.workstation,
            row.outcome,
            row.details,
        ],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256((prev_hash + payload).encode("ascii")).hexdigest()


# Built once: constructing these per event cost more than running them.
_CHAIN_TIP = (
    select(AuditEventRow.seq, AuditEventRow.hash).order_by(AuditEventRow.seq.desc()).limit(1)
)
_INSERT_EVENT = insert(AuditEventRow.__table__)


def _column_values(row: AuditEventRow) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in AuditEventRow.__table__.columns}


def _check_details(details: Mapping[str, Any]) -> str:
    for key, value in details.items():
        if not isinstance(value, str | int | float | bool | type(None)):
            raise ValueError(f"audit detail {key!r} must be a scalar id or count")
    return json.dumps(dict(details), sort_keys=True, separators=(",", ":"))


class AuditLog:
    """Appends events for one workstation. Callers pass the session of their unit of work."""

    def __init__(self, workstation: str) -> None:
        self.workstation = workstation[:255]

    def append(
        self,
        session: Session,
        actor: Actor,
        action: str,
        *,
        record_type: str | None = None,
        record_id: str | None = None,
        outcome: Outcome = Outcome.OK,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        last = session.execute(_CHAIN_TIP).first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        row = AuditEventRow(
            seq=seq,
            id=new_id(),
            occurred_at=utcnow(),
            user_id=actor.user_id,
            username=actor.username,
            action=action,
            record_type=record_type,
            record_id=record_id,
            workstation=self.workstation,
            outcome=outcome.value,
            details=_check_details(details or {}),
            prev_hash=prev_hash,
        )
        row.hash = _event_hash(prev_hash, row)
        # A Core insert, not session.add + flush: every audited call pays for this, and the ORM's
        # unit-of-work flush cost more than the rest of a code search. Written at once, so the
        # next append in this transaction sees this event as the chain's tip.
        session.execute(_INSERT_EVENT, _column_values(row))


def verify_chain(
    session: Session,
    progress: ProgressReporter | None = None,
    cancel: CancelToken | None = None,
) -> ChainVerification:
    progress = progress or NullProgress()
    total = (
        session.execute(
            select(AuditEventRow.seq).order_by(AuditEventRow.seq.desc()).limit(1)
        ).scalar()
        or 0
    )
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        batch = session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.seq > last_seq)
            .order_by(AuditEventRow.seq)
            .limit(_VERIFY_BATCH)
        ).all()
        if not batch:
            break
        for row in batch:
            if row.seq != expected_seq:
                return ChainVerification(
                    False, checked, expected_seq, f"event {expected_seq} is missing"
                )
            if row.prev_hash != prev_hash:
                return ChainVerification(
                    False, checked, row.seq, "the link to the previous event is broken"
                )
            if _event_hash(prev_hash, row) != row.hash:
                return ChainVerification(
                    False, checked, row.seq, "the event was changed after it was written"
                )
            prev_hash = row.hash
            expected_seq += 1
            checked += 1
            last_seq = row.seq
        session.expunge_all()
        progress.report(checked, total, "Verifying the audit chain")
    return ChainVerification(True, checked)


def _to_event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        seq=row.seq,
        id=row.id,
        occurred_at=row.occurred_at,
        user_id=row.user_id,
        username=row.username,
        action=row.action,
        record_type=row.record_type,
        record_id=row.record_id,
        workstation=row.workstation,
        outcome=row.outcome,
        details=json.loads(row.details or "{}"),
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_listing(flt: AuditFilter, limit: int, offset: int) -> None:
    if not _is_int(limit) or not 1 <= limit <= MAX_LIST_LIMIT:
        raise ValidationError(
            f"The limit must be a whole number between 1 and {MAX_LIST_LIMIT}.",
            {"limit": f"1 to {MAX_LIST_LIMIT}."},
        )
    # Bounded so it fits SQLite's integers (a larger one fails inside the query).
    if not _is_int(offset) or not 0 <= offset <= MAX_LIST_OFFSET:
        raise ValidationError(
            f"The offset must be a whole number between 0 and {MAX_LIST_OFFSET:,}.",
            {"offset": f"0 to {MAX_LIST_OFFSET:,}."},
        )
    if not isinstance(flt, AuditFilter):
        raise ValidationError("The audit filter is missing.")
    errors: dict[str, str] = {}
    for name in ("username", "action", "record_id"):
        value = getattr(flt, name)
        if value is not None and not is_storable_text(value):
            errors[name] = "Must be text."
    for name in ("since", "until"):
        value = getattr(flt, name)
        # Stored times are UTC; a naive time would be compared as if it were UTC.
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            errors[name] = "A date and time with its time zone."
    if errors:
        raise ValidationError(f"Please correct: {', '.join(sorted(errors))}.", errors)


def list_events(
    session: Session, flt: AuditFilter, *, limit: int = 100, offset: int = 0
) -> list[AuditEvent]:
    _check_listing(flt, limit, offset)
    query = select(AuditEventRow)
    if flt.username:
        query = query.where(AuditEventRow.username == flt.username)
    if flt.action:
        query = query.where(AuditEventRow.action.startswith(flt.action, autoescape=True))
    if flt.record_id:
        query = query.where(AuditEventRow.record_id == flt.record_id)
    if flt.since:
        query = query.where(AuditEventRow.occurred_at >= flt.since)
    if flt.until:
        query = query.where(AuditEventRow.occurred_at < flt.until)
    query = query.order_by(AuditEventRow.seq.desc()).limit(limit).offset(offset)
    return [_to_event(row) for row in session.scalars(query)]


def iter_actions(session: Session) -> Iterator[str]:
    yield from session.scalars(select(AuditEventRow.action).distinct().order_by("action"))
