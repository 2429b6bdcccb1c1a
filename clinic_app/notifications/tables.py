"""The in-app inbox: one row per notice per recipient. Local to the workstation, not synced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.storage.base import Base
from clinic_app.storage.types import UtcDateTime, new_id, utcnow


class NotificationRow(Base):
    __tablename__ = "notifications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # A real foreign key, unlike the user ids of synced rows (imaging, records): a notice is
    # only ever posted here, to an account of this workstation, and never travels.
    recipient_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(1000), default="")
    record_type: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(36))
    patient_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)

    __table_args__ = (
        Index("ix_notifications_recipient_unread", "recipient_id", "read_at", "created_at"),
    )
