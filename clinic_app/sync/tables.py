"""The sync engine's own rows: local to the workstation, never synced themselves.

- `sync_state`: one row per server: the pull cursor, an unfinished pull's `next` link, and the
  last outcome (for the status bar).
- `sync_inbox`: pulled resource versions waiting to be applied, newest version per resource.
  Pages are staged here before anything is applied, so a pull can be resumed after a crash and
  is applied oldest first whatever order the server pages in (FHIR history is newest first).
- `sync_conflicts`: a local change and a server change to the same record, both kept until a
  person resolves them; also slot bookings the server refused and possible duplicate patients.
- `sync_quarantine`: a record the server rejected (push) or that could not be applied here
  (pull), with the reason; retried on request, never dropped.
- `sync_binaries`: attachment content to upload or download, resumable per file.
- `sync_log`: what each sync did (ids, counts and outcomes only, never patient data).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.storage.base import Base
from clinic_app.storage.types import UtcDateTime, new_id, utcnow


class SyncStateRow(Base):
    __tablename__ = "sync_state"

    server_url: Mapped[str] = mapped_column(String(500), primary_key=True)
    # The `_since` of the next pull (a server instant, ISO 8601), None before the first pull.
    cursor: Mapped[str | None] = mapped_column(String(40))
    # fetching: pages are being staged (next_link is where to go on); applying: all pages are
    # staged, `pending_cursor` becomes the cursor once the inbox is applied.
    pull_phase: Mapped[str] = mapped_column(String(16), default="idle")
    next_link: Mapped[str | None] = mapped_column(Text)
    pending_cursor: Mapped[str | None] = mapped_column(String(40))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    online: Mapped[bool] = mapped_column(default=False)


class SyncInboxRow(Base):
    __tablename__ = "sync_inbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    server_url: Mapped[str] = mapped_column(String(500))
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[str] = mapped_column(String(64))
    version_id: Mapped[str] = mapped_column(String(64))
    version_rank: Mapped[int] = mapped_column(BigInteger, default=0)
    last_updated: Mapped[str] = mapped_column(String(40))
    deleted: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("server_url", "resource_type", "resource_id", name="uq_sync_inbox_key"),
        Index("ix_sync_inbox_order", "server_url", "last_updated", "seq"),
    )


class SyncConflictRow(Base):
    __tablename__ = "sync_conflicts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    server_url: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(24))  # see models.ConflictKind
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(36))
    resource_type: Mapped[str] = mapped_column(String(40))
    patient_id: Mapped[str | None] = mapped_column(String(36))
    # The local row's synced fields when the conflict was found (JSON), and the server's
    # resource (FHIR JSON) with its version; `other_id` names the second patient of a pair.
    local_json: Mapped[str] = mapped_column(Text)
    server_json: Mapped[str | None] = mapped_column(Text)
    server_version: Mapped[str | None] = mapped_column(String(64))
    other_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    resolution: Mapped[str | None] = mapped_column(String(24))
    resolved_by: Mapped[str | None] = mapped_column(String(36))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_sync_conflicts_entity", "entity_id", "status"),
        Index("ix_sync_conflicts_status", "status", "created_at"),
    )


class SyncQuarantineRow(Base):
    __tablename__ = "sync_quarantine"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    server_url: Mapped[str] = mapped_column(String(500))
    direction: Mapped[str] = mapped_column(String(8))  # push | pull
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    resource_type: Mapped[str] = mapped_column(String(40))
    # What was sent (push) or received (pull), so it can be shown, edited and retried.
    resource_json: Mapped[str | None] = mapped_column(Text)
    # For a pulled version: which one it was (a deletion has no resource to say so).
    server_version: Mapped[str | None] = mapped_column(String(64))
    server_time: Mapped[str | None] = mapped_column(String(40))
    status_code: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16), default="held")  # held | released
    # The entity's last outbox entry when it was held: a newer local change releases it.
    outbox_seq: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_sync_quarantine_entity", "entity_id", "status"),)


class SyncBinaryRow(Base):
    __tablename__ = "sync_binaries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    server_url: Mapped[str] = mapped_column(String(500))
    direction: Mapped[str] = mapped_column(String(8))  # up | down
    attachment_id: Mapped[str] = mapped_column(String(36))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint(
            "server_url", "direction", "attachment_id", name="uq_sync_binaries_transfer"
        ),
        Index("ix_sync_binaries_status", "server_url", "status"),
    )


class SyncLogRow(Base):
    __tablename__ = "sync_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    server_url: Mapped[str] = mapped_column(String(500))
    event: Mapped[str] = mapped_column(String(32))
    entity_type: Mapped[str | None] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
