"""Where file content lives locally, for the tables whose resources point at a Binary.

Attachments and imported images keep their bytes the same way: 1 MiB rows of a chunk table
inside the encrypted database, keyed by the owning row's id. The Binary transfers
(`clinic_app.sync.binaries`) read and write either through this description, so a table that
gains file content adds a `ContentStore` here and sets `content` on its mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Column, Table, select
from sqlalchemy.orm import Session

from clinic_app.imaging.file_store import CHUNK_SIZE as IMAGE_CHUNK_SIZE
from clinic_app.imaging.tables import InstanceChunkRow, InstanceRow
from clinic_app.records.attachment_store import CHUNK_SIZE as ATTACHMENT_CHUNK_SIZE
from clinic_app.records.tables import AttachmentChunkRow, AttachmentRow
from clinic_app.storage.base import SyncedRow


@dataclass(frozen=True)
class ContentStore:
    name: str
    owner: type[SyncedRow]  # the synced row: content_type, chunk_count, size_bytes, sha256
    chunks: Table
    key: str  # the chunk table's column naming the owner
    chunk_size: int

    @property
    def key_column(self) -> Column[str]:
        return cast(Column[str], self.chunks.c[self.key])

    def holds(self, session: Session, owner_id: str) -> bool:
        table = cast(Table, self.owner.__table__)
        return session.scalar(select(table.c.id).where(table.c.id == owner_id)) is not None


ATTACHMENTS = ContentStore(
    "attachments",
    AttachmentRow,
    cast(Table, AttachmentChunkRow.__table__),
    "attachment_id",
    ATTACHMENT_CHUNK_SIZE,
)
IMAGES = ContentStore(
    "imaging_instances",
    InstanceRow,
    cast(Table, InstanceChunkRow.__table__),
    "instance_id",
    IMAGE_CHUNK_SIZE,
)
STORES: tuple[ContentStore, ...] = (ATTACHMENTS, IMAGES)


def store_of(session: Session, owner_id: str) -> ContentStore:
    """The store of a row's content (ids are UUIDs: one table holds it). Attachments by
    default, so content queued before its row arrived still has a place to go."""
    for store in STORES:
        if store.holds(session, owner_id):
            return store
    return ATTACHMENTS
