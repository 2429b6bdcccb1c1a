"""The inbox. Other services post notices with `post_notification` inside their own unit of
work, so a notice exists exactly when the change it announces was committed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clinic_app.errors import ValidationError
from clinic_app.notifications.models import Notification, NotificationKind
from clinic_app.notifications.tables import NotificationRow
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow

MAX_PAGE = 500
MAX_TITLE = 200
MAX_BODY = 1000


def _clip(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def post_notification(
    session: Session,
    *,
    recipient_id: str,
    kind: NotificationKind,
    title: str,
    body: str = "",
    record_type: str | None = None,
    record_id: str | None = None,
    patient_id: str | None = None,
) -> str:
    """Adds a notice to the caller's transaction; returns its id."""
    row = NotificationRow(
        recipient_id=recipient_id,
        kind=kind.value,
        title=_clip(title, MAX_TITLE) or kind.value,
        body=_clip(body, MAX_BODY),
        record_type=record_type,
        record_id=record_id,
        patient_id=patient_id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row.id


def _to_notification(row: NotificationRow) -> Notification:
    return Notification(
        id=row.id,
        kind=NotificationKind(row.kind),
        title=row.title,
        body=row.body,
        record_type=row.record_type,
        record_id=row.record_id,
        patient_id=row.patient_id,
        created_at=row.created_at,
        read=row.read_at is not None,
    )


class NotificationService:
    """Each user sees only their own inbox; no role grants access to another's."""

    def __init__(
        self, db: Database, audit: AuditLog, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._db = db
        self._audit = audit
        self._clock = clock

    def inbox(
        self,
        user: AuthenticatedUser,
        *,
        unread_only: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Notification]:
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise ValidationError(f"The limit must be between 1 and {MAX_PAGE}.")
        query = select(NotificationRow).where(NotificationRow.recipient_id == user.id)
        if unread_only:
            query = query.where(NotificationRow.read_at.is_(None))
        query = query.order_by(NotificationRow.created_at.desc(), NotificationRow.id)
        with self._db.unit_of_work() as uow:
            rows = uow.session.scalars(query.limit(limit).offset(offset)).all()
            self._audit.append(
                uow.session,
                user.actor,
                "inbox.list",
                record_type="notification",
                details={"results": len(rows)},
            )
            uow.commit()
            return [_to_notification(row) for row in rows]

    def unread_count(self, user: AuthenticatedUser) -> int:
        """Polled by the status bar: counts only, nothing clinical, so not audited."""
        with self._db.unit_of_work(write=False) as uow:
            return int(
                uow.session.scalar(
                    select(func.count())
                    .select_from(NotificationRow)
                    .where(
                        NotificationRow.recipient_id == user.id,
                        NotificationRow.read_at.is_(None),
                    )
                )
                or 0
            )

    def mark_read(self, user: AuthenticatedUser, ids: Iterable[str]) -> int:
        wanted = [i for i in ids if isinstance(i, str)][:MAX_PAGE]
        if not wanted:
            return 0
        with self._db.unit_of_work() as uow:
            result = uow.session.execute(
                update(NotificationRow)
                .where(
                    NotificationRow.id.in_(wanted),
                    NotificationRow.recipient_id == user.id,
                    NotificationRow.read_at.is_(None),
                )
                .values(read_at=self._clock())
            )
            uow.commit()
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def mark_all_read(self, user: AuthenticatedUser) -> int:
        with self._db.unit_of_work() as uow:
            result = uow.session.execute(
                update(NotificationRow)
                .where(NotificationRow.recipient_id == user.id, NotificationRow.read_at.is_(None))
                .values(read_at=self._clock())
            )
            uow.commit()
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
