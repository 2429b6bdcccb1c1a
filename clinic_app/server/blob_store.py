"""Binary content in fixed-size chunks, so no attachment is ever held whole in memory.

A raw upload is staged chunk by chunk, each in its own short transaction (a slow upload never
holds the write lock), then published by the version that points at it. A blob no version
points at (a failed or duplicate upload) is deleted; `sweep_orphans` clears any left by a crash.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from clinic_app.server.database import now_us, read_transaction, write_transaction
from clinic_app.server.tables import binary_blobs, binary_chunks, resource_versions

_STALE_US = 3600 * 1_000_000


@dataclass(frozen=True)
class BlobInfo:
    blob_id: str
    size: int
    sha256: str


class BlobWriter:
    """Stages one upload. `write` takes any slices; full chunks are stored as they fill."""

    def __init__(self, engine: Engine, chunk_bytes: int) -> None:
        self._engine = engine
        self._chunk_bytes = chunk_bytes
        self.blob_id = str(uuid.uuid4())
        self._buffer = bytearray()
        self._chunk_no = 0
        self._size = 0
        self._hash = hashlib.sha256()
        with write_transaction(engine) as connection:
            connection.execute(
                insert(binary_blobs).values(
                    blob_id=self.blob_id, size=0, sha256=None, complete=False, created_us=now_us()
                )
            )

    def write(self, data: bytes) -> None:
        self._buffer += data
        self._size += len(data)
        self._hash.update(data)
        while len(self._buffer) >= self._chunk_bytes:
            self._store(bytes(self._buffer[: self._chunk_bytes]))
            del self._buffer[: self._chunk_bytes]

    def finish(self) -> BlobInfo:
        if self._buffer or self._chunk_no == 0:
            self._store(bytes(self._buffer))
            self._buffer.clear()
        return BlobInfo(self.blob_id, self._size, self._hash.hexdigest())

    def discard(self) -> None:
        with write_transaction(self._engine) as connection:
            delete_blob(connection, self.blob_id)

    def _store(self, chunk: bytes) -> None:
        with write_transaction(self._engine) as connection:
            connection.execute(
                insert(binary_chunks).values(
                    blob_id=self.blob_id, chunk_no=self._chunk_no, data=chunk
                )
            )
        self._chunk_no += 1


def publish_blob(connection: Connection, info: BlobInfo) -> None:
    """Marks a staged blob complete, inside the transaction that writes its version."""
    connection.execute(
        update(binary_blobs)
        .where(binary_blobs.c.blob_id == info.blob_id)
        .values(size=info.size, sha256=info.sha256, complete=True)
    )


def store_bytes(connection: Connection, data: bytes, chunk_bytes: int) -> BlobInfo:
    """A blob from bytes already in memory (Binary.data of a JSON body, bounded by its limit)."""
    blob_id = str(uuid.uuid4())
    info = BlobInfo(blob_id, len(data), hashlib.sha256(data).hexdigest())
    connection.execute(
        insert(binary_blobs).values(
            blob_id=blob_id, size=info.size, sha256=info.sha256, complete=True, created_us=now_us()
        )
    )
    chunks = [
        {"blob_id": blob_id, "chunk_no": number, "data": data[start : start + chunk_bytes]}
        for number, start in enumerate(range(0, max(len(data), 1), chunk_bytes))
    ]
    connection.execute(insert(binary_chunks), chunks)
    return info


def delete_blob(connection: Connection, blob_id: str) -> None:
    connection.execute(delete(binary_chunks).where(binary_chunks.c.blob_id == blob_id))
    connection.execute(delete(binary_blobs).where(binary_blobs.c.blob_id == blob_id))


def blob_info(connection: Connection, blob_id: str) -> BlobInfo:
    row = connection.execute(
        select(binary_blobs.c.size, binary_blobs.c.sha256).where(binary_blobs.c.blob_id == blob_id)
    ).one()
    return BlobInfo(blob_id, int(row.size), str(row.sha256))


def iter_blob(
    engine: Engine, blob_id: str, start: int = 0, end: int | None = None
) -> Iterator[bytes]:
    """Bytes [start, end) of a blob, read one chunk per query (a short read transaction each)."""
    with read_transaction(engine) as connection:
        size = blob_info(connection, blob_id).size
        first_length = connection.execute(
            select(func.length(binary_chunks.c.data)).where(
                binary_chunks.c.blob_id == blob_id, binary_chunks.c.chunk_no == 0
            )
        ).scalar_one()
    chunk_bytes = int(first_length) or 1  # every chunk but the last has this size
    end = size if end is None else min(end, size)
    position = start
    while position < end:
        number, offset = divmod(position, chunk_bytes)
        with read_transaction(engine) as connection:
            data = connection.execute(
                select(binary_chunks.c.data).where(
                    binary_chunks.c.blob_id == blob_id, binary_chunks.c.chunk_no == number
                )
            ).scalar_one()
        piece = bytes(data[offset : offset + (end - position)])
        if not piece:
            return
        yield piece
        position += len(piece)


def sweep_orphans(engine: Engine) -> int:
    """Deletes staged blobs older than an hour that no version points at (crashed uploads)."""
    cutoff = now_us() - _STALE_US
    with write_transaction(engine) as connection:
        orphans = (
            connection.execute(
                select(binary_blobs.c.blob_id).where(
                    binary_blobs.c.complete.is_(False),
                    binary_blobs.c.created_us < cutoff,
                    ~binary_blobs.c.blob_id.in_(
                        select(resource_versions.c.blob_id).where(
                            resource_versions.c.blob_id.is_not(None)
                        )
                    ),
                )
            )
            .scalars()
            .all()
        )
        for blob_id in orphans:
            delete_blob(connection, blob_id)
    return len(orphans)
