"""An imported file's bytes, kept in 1 MiB chunks inside the encrypted database, written in the
same transaction as its instance row. (The records package keeps attachments the same way; see
`clinic_app.records.attachment_store`.)"""

from __future__ import annotations

import hashlib

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from clinic_app.imaging.errors import UnreadableImageError
from clinic_app.imaging.tables import InstanceChunkRow

CHUNK_SIZE = 1024 * 1024
_CHUNKS = InstanceChunkRow.__table__


def chunks_for(size: int) -> int:
    return -(-size // CHUNK_SIZE)


def write_file(session: Session, instance_id: str, data: bytes) -> int:
    """Stores `data` for the instance; returns the number of chunks."""
    count = 0
    for offset in range(0, len(data), CHUNK_SIZE):
        session.execute(
            insert(_CHUNKS).values(
                instance_id=instance_id, seq=count, data=data[offset : offset + CHUNK_SIZE]
            )
        )
        count += 1
    return count


def read_file(session: Session, instance_id: str, chunk_count: int, sha256: str) -> bytes:
    """The stored bytes, checked against the SHA-256 recorded at import."""
    rows = session.execute(
        select(InstanceChunkRow.seq, InstanceChunkRow.data)
        .where(InstanceChunkRow.instance_id == instance_id)
        .order_by(InstanceChunkRow.seq)
    ).all()
    if [row.seq for row in rows] != list(range(chunk_count)):
        raise UnreadableImageError(
            "Part of this image is missing from the database. Restore the latest backup."
        )
    data = b"".join(row.data for row in rows)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise UnreadableImageError(
            "This image's stored bytes do not match what was imported. Restore the latest backup."
        )
    return data
