"""What the sync service returns to the GUI and the CLI: plain frozen values, never rows.

For the GUI:
- status bar: `SyncStatus` (online, last successful sync, pending changes, open conflicts);
- Sync page: `SyncLogEntry` list, `QuarantinedItem` list, per-record `RecordSyncState`;
- conflict inbox: `Conflict` with its `FieldDifference`s side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ConflictKind(StrEnum):
    EDIT = "edit"  # changed here and on the server since the last sync
    DELETED_ON_SERVER = "deleted_on_server"  # changed here, deleted on the server
    SLOT_TAKEN = "slot_taken"  # the server refused a booking: the slot is booked there
    DUPLICATE_PATIENT = "duplicate_patient"  # two records that may be the same person


class Resolution(StrEnum):
    KEEP_LOCAL = "local"  # this workstation's version wins (sent to the server)
    TAKE_SERVER = "server"  # the server's version replaces the local one
    MERGE = "merge"  # field by field
    CANCEL_BOOKING = "cancel_booking"  # slot taken: cancel the provisional booking here
    KEEP_BOTH = "keep_both"  # possible duplicate: they are different people
    MERGED = "merged"  # possible duplicate: the same person, one chart merged into the other


class RecordSyncState(StrEnum):
    SYNCED = "synced"
    PENDING = "pending"  # changed here, not yet on the server
    CONFLICT = "conflict"
    QUARANTINED = "quarantined"
    DOWNLOADING = "downloading"  # an attachment whose content is still coming down
    LOCAL_ONLY = "local_only"  # a table that does not sync
    UNKNOWN = "unknown"  # no such record here


@dataclass(frozen=True)
class SyncStatus:
    configured: bool
    enabled: bool
    server_url: str
    online: bool
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    pending_changes: int
    conflicts: int
    quarantined: int
    pending_uploads: int
    pending_downloads: int
    interval_seconds: int
    pending_model_packs: int = 0  # model pack releases still coming down (see model_downloads)


@dataclass(frozen=True)
class FieldDifference:
    name: str
    local: Any
    server: Any

    @property
    def differs(self) -> bool:
        return bool(self.local != self.server)


@dataclass(frozen=True)
class Conflict:
    id: str
    kind: ConflictKind
    entity_type: str
    entity_id: str
    resource_type: str
    patient_id: str | None
    other_id: str | None
    server_version: str | None
    detail: str
    created_at: datetime
    fields: list[FieldDifference] = field(default_factory=list)
    # What a person may choose for this kind of conflict.
    choices: tuple[Resolution, ...] = ()


@dataclass(frozen=True)
class QuarantinedItem:
    id: str
    direction: str  # push: the server refused it; pull: it could not be applied here
    entity_type: str
    entity_id: str
    resource_type: str
    status_code: int | None
    message: str
    attempts: int
    created_at: datetime
    last_attempt_at: datetime
    resource: dict[str, Any] | None


@dataclass(frozen=True)
class SyncLogEntry:
    seq: int
    at: datetime
    event: str
    entity_type: str | None
    entity_id: str | None
    count: int
    message: str


@dataclass
class SyncReport:
    """What one `sync now` did (counts), for the CLI and the status bar's tooltip."""

    pulled: int = 0
    applied: int = 0
    pushed: int = 0
    conflicts: int = 0
    merged: int = 0
    quarantined: int = 0
    local_only: int = 0
    uploaded: int = 0
    downloaded: int = 0
    code_sets: int = 0
    model_packs: int = 0  # model pack releases verified and installed
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    online: bool = True
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)
