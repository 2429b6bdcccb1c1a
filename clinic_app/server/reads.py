"""Reading resources: the current version, one version, and history pages.

History is answered newest first, as FHIR R4 asks. Paging is keyed on the change sequence, not
on time: the first page fixes a snapshot (the last committed `seq`), and each `next` cursor
says "versions of that snapshot below seq N". Because writers commit in `seq` order, nothing
can later appear below the snapshot, so following `next` links gives every version exactly once,
however many share a timestamp, and a cursor never expires. Changes made after the snapshot
are the next pull's: its `_since` is the snapshot's lastUpdated (`Bundle.meta.lastUpdated`).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Row, func, select

from clinic_app.server.database import read_transaction
from clinic_app.server.outcome import FhirError, bad_request
from clinic_app.server.tables import resource_versions, resources, server_state

_CURSOR_VERSION = 1


@dataclass(frozen=True)
class StoredVersion:
    resource_type: str
    resource_id: str
    version: int
    seq: int
    method: str
    status: int
    deleted: bool
    last_updated_us: int
    body: str | None
    blob_id: str | None

    @property
    def etag(self) -> str:
        return f'W/"{self.version}"'


_COLUMNS = (
    resource_versions.c.resource_type,
    resource_versions.c.resource_id,
    resource_versions.c.version,
    resource_versions.c.seq,
    resource_versions.c.method,
    resource_versions.c.status,
    resource_versions.c.deleted,
    resource_versions.c.last_updated_us,
    resource_versions.c.body,
    resource_versions.c.blob_id,
)


def _stored(row: Row[*tuple[Any, ...]]) -> StoredVersion:
    return StoredVersion(
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        version=int(row.version),
        seq=int(row.seq),
        method=row.method,
        status=int(row.status),
        deleted=bool(row.deleted),
        last_updated_us=int(row.last_updated_us),
        body=row.body,
        blob_id=row.blob_id,
    )


def read_version(
    engine: Engine, resource_type: str, resource_id: str, version: int | None = None
) -> StoredVersion:
    """The current version (`version` None) or the one named; 404 when there is none. A
    deleted version is returned too: the caller answers 410 Gone for it."""
    query = select(*_COLUMNS).where(
        resource_versions.c.resource_type == resource_type,
        resource_versions.c.resource_id == resource_id,
    )
    if version is None:
        query = query.join(
            resources,
            (resources.c.resource_type == resource_versions.c.resource_type)
            & (resources.c.resource_id == resource_versions.c.resource_id)
            & (resources.c.seq == resource_versions.c.seq),
        )
    else:
        query = query.where(resource_versions.c.version == version)
    with read_transaction(engine) as connection:
        row = connection.execute(query).one_or_none()
    if row is None:
        what = f"{resource_type}/{resource_id}"
        if version is not None:
            what += f"/_history/{version}"
        raise FhirError(404, "not-found", f"{what} is not known")
    return _stored(row)


@dataclass(frozen=True)
class Cursor:
    """Where a history listing stands: versions with `from_seq <= seq < before_seq`, of the
    snapshot whose newest change was made at `snapshot_us`. `_since` becomes `from_seq` (the
    first version at or after that instant; lastUpdated rises with seq), so every page is a
    range scan of the change sequence, whatever the filters."""

    before_seq: int
    from_seq: int
    snapshot_us: int

    def encode(self) -> str:
        raw = json.dumps([_CURSOR_VERSION, self.before_seq, self.from_seq, self.snapshot_us])
        return base64.urlsafe_b64encode(raw.encode("ascii")).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            padded = token + "=" * (-len(token) % 4)
            tag, before, start, snapshot = json.loads(base64.urlsafe_b64decode(padded))
            values = (before, start, snapshot)
            if tag != _CURSOR_VERSION or not all(_is_bigint(value) for value in values):
                raise ValueError
        except (ValueError, TypeError, binascii.Error):
            raise bad_request("The _cursor parameter is not one this server issued") from None
        return cls(before, start, snapshot)


def _is_bigint(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


@dataclass(frozen=True)
class HistoryPage:
    versions: list[StoredVersion]
    next_cursor: Cursor | None
    snapshot_us: int


def first_cursor(engine: Engine, since_us: int | None) -> Cursor:
    with read_transaction(engine) as connection:
        state = connection.execute(
            select(server_state.c.change_seq, server_state.c.last_updated_us).where(
                server_state.c.id == 1
            )
        ).one()
        before = int(state.change_seq) + 1
        start = 0
        if since_us is not None:
            first = connection.execute(
                select(func.min(resource_versions.c.seq)).where(
                    resource_versions.c.last_updated_us >= since_us
                )
            ).scalar_one()
            start = before if first is None else int(first)
    return Cursor(before, start, int(state.last_updated_us))


def read_history(
    engine: Engine,
    cursor: Cursor,
    count: int,
    resource_type: str | None = None,
    resource_id: str | None = None,
) -> HistoryPage:
    query = select(*_COLUMNS).where(
        resource_versions.c.seq < cursor.before_seq, resource_versions.c.seq >= cursor.from_seq
    )
    if resource_type is not None:
        query = query.where(resource_versions.c.resource_type == resource_type)
    if resource_id is not None:
        query = query.where(resource_versions.c.resource_id == resource_id)
    query = query.order_by(resource_versions.c.seq.desc()).limit(count + 1)
    with read_transaction(engine) as connection:
        rows = [_stored(row) for row in connection.execute(query)]
    following = None
    if len(rows) > count:
        rows = rows[:count]
        following = Cursor(rows[-1].seq, cursor.from_seq, cursor.snapshot_us)
    return HistoryPage(rows, following, cursor.snapshot_us)
