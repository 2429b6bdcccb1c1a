"""Attachment content, inside the encrypted database, in 1 MiB chunks.

Storage decision (refines ARCHITECTURE "Data", which planned an AES-GCM file store for
attachments too large for the database): every attachment up to the configured size limit
lives in the SQLCipher database itself, in the `attachment_chunks` table. So it is

- encrypted at rest with the database key (no second key, no second cipher to get right);
- written in the same transaction as its metadata, its outbox entry and its audit event: a
  crash or power cut leaves the whole attachment or nothing, never an orphan file;
- included in every backup and restore, which copy the database;
- streamed in and out one chunk at a time, so a 100 MB file never sits in memory.

Chunks are written before their metadata row (same transaction), which is why the chunk table
has no foreign key; a trigger refuses any UPDATE of a stored chunk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from clinic_app.errors import ClinicError, ValidationError
from clinic_app.records.content_sniffing import ContentSniffer, Sniffed
from clinic_app.records.tables import AttachmentChunkRow
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

CHUNK_SIZE = 1024 * 1024
_CHUNKS = AttachmentChunkRow.__table__


@dataclass(frozen=True)
class StoredContent:
    size_bytes: int
    sha256: str
    chunk_count: int
    sniffed: Sniffed


def describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def too_large(size: int, limit: int) -> ValidationError:
    return ValidationError(
        f"The file is too large to attach ({describe_size(size)}; the limit is "
        f"{describe_size(limit)}). Attach a smaller file, or ask IT to raise the limit.",
        {"file": f"At most {describe_size(limit)}."},
    )


def write_chunks(
    session: Session,
    attachment_id: str,
    stream: BinaryIO,
    filename: str,
    *,
    limit: int,
    expected_size: int | None = None,
    progress: ProgressReporter | None = None,
    cancel: CancelToken | None = None,
) -> StoredContent:
    """Streams `stream` into chunks for `attachment_id` in the caller's transaction."""
    progress = progress or NullProgress()
    digest = hashlib.sha256()
    sniffer = ContentSniffer()
    size = 0
    seq = 0
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            chunk = stream.read(CHUNK_SIZE)
        except OSError as exc:
            raise ClinicError(
                "The file could not be read to the end (it was moved, removed or became "
                "unreadable while being attached); nothing was saved."
            ) from exc
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise too_large(max(size, expected_size or 0), limit)
        digest.update(chunk)
        sniffer.feed(chunk)
        session.execute(insert(_CHUNKS).values(attachment_id=attachment_id, seq=seq, data=chunk))
        seq += 1
        progress.report(size, expected_size or 0, "Attaching the file")
    if size == 0:
        raise ValidationError(
            "The file is empty: there is nothing to attach.", {"file": "The file is empty."}
        )
    if expected_size is not None and size != expected_size:
        raise ClinicError(
            "The file changed while it was being attached (its size is not what it was when "
            "reading began); nothing was saved. Try again once it is complete."
        )
    return StoredContent(size, digest.hexdigest(), seq, sniffer.finish(filename))


def iter_chunks(session: Session, attachment_id: str, chunk_count: int) -> Iterator[bytes]:
    """One chunk per query, so memory stays at one chunk whatever the file's size."""
    for seq in range(chunk_count):
        data = session.scalar(
            select(AttachmentChunkRow.data).where(
                AttachmentChunkRow.attachment_id == attachment_id, AttachmentChunkRow.seq == seq
            )
        )
        if data is None:
            raise ClinicError(
                "Part of this attachment is missing from the database. Restore the latest "
                "backup, or run `clinic selftest`."
            )
        yield data
