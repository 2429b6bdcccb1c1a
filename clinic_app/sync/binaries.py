"""File content (attachments, imported images) as FHIR Binary, moved apart from the record
bundles.

Up: a file's bytes go to `Binary/<row id>` before the resource pointing at them
(DocumentReference, Media) is pushed (the push holds it back until then), one file per
request, streamed from the encrypted database chunk by chunk, so a large file never sits in
memory and never holds up the other records' bundles (they are pushed first). Each file that
went is marked done at once: an upload run cut short never sends a finished file again; the
file it was in the middle of is sent again whole (a plain FHIR `PUT Binary` has no partial
form, so a file is the unit of resumption). Small files go first, and files over
`LARGE_FILE` only at the end of the run, after the downloads (see the engine): a large file
delays nothing else, and one that fails is tried again next run while the rest went.

Down: a pulled row's bytes are fetched into its chunk table
(`clinic_app.sync.content_stores`), committing every chunk; an interrupted download resumes
from the bytes it has with an HTTP Range request (or skips them when the server sends all),
and the file is accepted only when its size and SHA-256 match the record.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from typing import cast

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from clinic_app.errors import OperationCancelledError
from clinic_app.storage.database import Database
from clinic_app.storage.types import new_id, utcnow
from clinic_app.sync import quarantine
from clinic_app.sync.client import FhirClient
from clinic_app.sync.content_stores import ContentStore, store_of
from clinic_app.sync.errors import RejectedError, ServerUnavailableError
from clinic_app.sync.journal import LogEvent, write_log
from clinic_app.sync.tables import SyncBinaryRow
from clinic_app.tasks import CancelToken, ProgressReporter

UP = "up"
DOWN = "down"
PENDING = "pending"
DONE = "done"
_MAX_ERROR = 500
LARGE_FILE = 8 * 1024 * 1024  # uploaded last in a run (see the engine)


def _queue(
    session: Session, server_url: str, direction: str, attachment_id: str, sha256: str, size: int
) -> None:
    statement = sqlite_insert(cast(Table, SyncBinaryRow.__table__)).values(
        id=new_id(),
        server_url=server_url,
        direction=direction,
        attachment_id=attachment_id,
        sha256=sha256,
        size_bytes=size,
        status=PENDING,
        attempts=0,
        updated_at=utcnow(),
    )
    session.execute(statement.on_conflict_do_nothing())


def queue_download(
    session: Session, server_url: str, attachment_id: str, sha256: str, size: int
) -> None:
    _queue(session, server_url, DOWN, attachment_id, sha256, size)


def queue_upload(
    session: Session, server_url: str, attachment_id: str, sha256: str, size: int
) -> None:
    _queue(session, server_url, UP, attachment_id, sha256, size)


def uploaded(session: Session, server_url: str, ids: list[str]) -> set[str]:
    return set(
        session.scalars(
            select(SyncBinaryRow.attachment_id).where(
                SyncBinaryRow.server_url == server_url,
                SyncBinaryRow.direction == UP,
                SyncBinaryRow.status == DONE,
                SyncBinaryRow.attachment_id.in_(ids),
            )
        )
    )


class Transfers:
    def __init__(self, db: Database, client: FhirClient, server_url: str) -> None:
        self._db = db
        self._client = client
        self._server = server_url

    def _jobs(
        self, direction: str, sizes: tuple[int, int | None] = (0, None)
    ) -> list[tuple[str, str, int]]:
        smallest, largest = sizes
        with self._db.unit_of_work(write=False) as uow:
            query = (
                select(SyncBinaryRow.attachment_id, SyncBinaryRow.sha256, SyncBinaryRow.size_bytes)
                .where(
                    SyncBinaryRow.server_url == self._server,
                    SyncBinaryRow.direction == direction,
                    SyncBinaryRow.status == PENDING,
                    SyncBinaryRow.size_bytes >= smallest,
                )
                .order_by(SyncBinaryRow.size_bytes)  # small files first
            )
            if largest is not None:
                query = query.where(SyncBinaryRow.size_bytes <= largest)
            return [(r[0], r[1], int(r[2])) for r in uow.session.execute(query)]

    def _finish(self, attachment_id: str, direction: str, error: str | None) -> None:
        with self._db.unit_of_work() as uow:
            uow.session.execute(
                update(SyncBinaryRow)
                .where(
                    SyncBinaryRow.server_url == self._server,
                    SyncBinaryRow.direction == direction,
                    SyncBinaryRow.attachment_id == attachment_id,
                )
                .values(
                    status=DONE if error is None else PENDING,
                    attempts=SyncBinaryRow.attempts + 1,
                    last_error=error[:_MAX_ERROR] if error else None,
                    updated_at=utcnow(),
                )
            )
            if error is None:
                event = LogEvent.UPLOADED if direction == UP else LogEvent.DOWNLOADED
                write_log(
                    uow.session,
                    self._server,
                    event,
                    entity_type=store_of(uow.session, attachment_id).name,
                    entity_id=attachment_id,
                )
            uow.commit()

    # --- up ----------------------------------------------------------------------------

    def upload(
        self,
        progress: ProgressReporter,
        cancel: CancelToken | None,
        sizes: tuple[int, int | None] = (0, None),
    ) -> int:
        """Sends the pending files whose size is within `sizes` (bytes, inclusive)."""
        done = 0
        for attachment_id, _sha256, size in self._jobs(UP, sizes):
            _check(cancel)
            with self._db.unit_of_work(write=False) as uow:
                store = store_of(uow.session, attachment_id)
                row = uow.session.get(store.owner, attachment_id)
                content_type = getattr(row, "content_type", None) or "application/octet-stream"
                chunk_count = int(getattr(row, "chunk_count", 0) or 0)
            try:
                self._client.put_binary(
                    attachment_id,
                    functools.partial(self._read, store, attachment_id, chunk_count),
                    content_type,
                    size,
                )
            except RejectedError as exc:
                self._refused(attachment_id, exc)
                continue
            except ServerUnavailableError as exc:
                # One file that won't go doesn't hold up the others; it is tried next time.
                self._finish(attachment_id, UP, str(exc))
                continue
            self._finish(attachment_id, UP, None)
            done += 1
            progress.report(done, 0, "Sending attachments")
        return done

    def _read(self, store: ContentStore, owner_id: str, chunk_count: int) -> Iterator[bytes]:
        chunks = store.chunks
        for seq in range(chunk_count):
            with self._db.unit_of_work(write=False) as uow:
                data = uow.session.scalar(
                    select(chunks.c.data).where(store.key_column == owner_id, chunks.c.seq == seq)
                )
            if data is None:
                raise ServerUnavailableError("Part of an attachment is missing here.")
            yield bytes(data)

    def _refused(self, attachment_id: str, exc: RejectedError) -> None:
        with self._db.unit_of_work() as uow:
            quarantine.hold(
                uow.session,
                self._server,
                direction=quarantine.PUSH,
                entity_type=self._store(attachment_id).name,
                entity_id=attachment_id,
                resource_type="Binary",
                resource=None,
                status_code=exc.status,
                message=str(exc),
            )
            uow.session.execute(
                delete(SyncBinaryRow).where(
                    SyncBinaryRow.server_url == self._server,
                    SyncBinaryRow.direction == UP,
                    SyncBinaryRow.attachment_id == attachment_id,
                )
            )
            uow.commit()

    # --- down --------------------------------------------------------------------------

    def download(self, progress: ProgressReporter, cancel: CancelToken | None) -> int:
        done = 0
        for attachment_id, sha256, size in self._jobs(DOWN):
            _check(cancel)
            try:
                error = self._download(attachment_id, sha256, size, cancel)
            except RejectedError as exc:
                error = f"The server has no content for this attachment yet (HTTP {exc.status})."
            except ServerUnavailableError as exc:
                error = str(exc)  # resumes from the bytes already here, next time
            self._finish(attachment_id, DOWN, error)
            if error is None:
                done += 1
                progress.report(done, 0, "Receiving attachments")
        return done

    def _store(self, owner_id: str) -> ContentStore:
        with self._db.unit_of_work(write=False) as uow:
            return store_of(uow.session, owner_id)

    def _stored(self, store: ContentStore, owner_id: str) -> tuple[int, int]:
        data = store.chunks.c.data
        with self._db.unit_of_work(write=False) as uow:
            count, size = uow.session.execute(
                select(func.count(), func.coalesce(func.sum(func.length(data)), 0)).where(
                    store.key_column == owner_id
                )
            ).one()
        return int(count), int(size)

    def _download(
        self, attachment_id: str, sha256: str, size: int, cancel: CancelToken | None
    ) -> str | None:
        store = self._store(attachment_id)
        chunk_size = store.chunk_size
        seq, have = self._stored(store, attachment_id)
        if have < size:
            response = self._client.get_binary(attachment_id, have)
            skip = have if response.status_code == 200 else 0
            buffer = b""
            try:
                for received in response.iter_content(chunk_size=256 * 1024):
                    _check(cancel)
                    cut = min(skip, len(received))
                    skip -= cut
                    buffer += received[cut:]
                    while len(buffer) >= chunk_size:
                        self._write_chunk(store, attachment_id, seq, buffer[:chunk_size])
                        buffer, seq = buffer[chunk_size:], seq + 1
                if buffer:
                    self._write_chunk(store, attachment_id, seq, buffer)
            except OSError as exc:  # requests' connection errors derive from it
                raise ServerUnavailableError(
                    "The connection broke while an attachment was coming down; it resumes "
                    "from there next time."
                ) from exc
            finally:
                response.close()
        return self._verify(store, attachment_id, sha256, size)

    def _write_chunk(self, store: ContentStore, owner_id: str, seq: int, data: bytes) -> None:
        with self._db.unit_of_work() as uow:
            uow.session.execute(
                insert(store.chunks).values({store.key: owner_id, "seq": seq, "data": data})
            )
            uow.commit()

    def _verify(self, store: ContentStore, owner_id: str, sha256: str, size: int) -> str | None:
        digest = hashlib.sha256()
        total = 0
        chunks = store.chunks
        with self._db.unit_of_work(write=False) as uow:
            for (data,) in uow.session.execute(
                select(chunks.c.data).where(store.key_column == owner_id).order_by(chunks.c.seq)
            ):
                digest.update(data)
                total += len(data)
        if total == size and digest.hexdigest() == sha256:
            return None
        with self._db.unit_of_work() as uow:
            uow.session.execute(delete(chunks).where(store.key_column == owner_id))
            uow.commit()
        return "The file's content did not match its size and SHA-256; it is fetched again."


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None and cancel.cancelled:
        raise OperationCancelledError
