"""Writing versions: the one place a resource changes.

A `ChangeSet` is one write transaction. It first locks `server_state` (the change sequence), so
writers run one at a time from that point and `seq` order is commit order. Each version it
writes takes the next `seq` and a `lastUpdated` one microsecond after the previous version's
(never behind the clock): `lastUpdated` rises strictly with `seq`, so `_since` the last
`lastUpdated` a client has seen brings back only that one version again. Current versions are
read for a whole bundle at once and the new rows are written in batches by `finish`, which also
rewrites the slot bookings of the appointments touched.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from clinic_app.server.blob_store import BlobInfo, delete_blob, publish_blob
from clinic_app.server.database import now_us, write_transaction
from clinic_app.server.instants import format_instant
from clinic_app.server.outcome import FhirError
from clinic_app.server.slot_bookings import active_slots, rewrite_bookings
from clinic_app.server.tables import resource_versions, resources, server_state
from clinic_app.server.validation import SERVER_META

T = TypeVar("T")
Key = tuple[str, str]  # (resource type, id)

_READ_CURRENT = select(
    resources.c.resource_id, resources.c.version, resources.c.deleted, resources.c.content_hash
).where(
    resources.c.resource_type == bindparam("type"),
    resources.c.resource_id.in_(bindparam("ids", expanding=True)),
)
_UPDATE_POINTER = (
    update(resources)
    .where(
        resources.c.resource_type == bindparam("k_type"),
        resources.c.resource_id == bindparam("k_id"),
    )
    .values(
        version=bindparam("p_version"),
        seq=bindparam("p_seq"),
        deleted=bindparam("p_deleted"),
        content_hash=bindparam("p_hash"),
    )
)


def device_source(device_id: str | None) -> str | None:
    """meta.source of a version: the device that wrote it."""
    return f"urn:uuid:{device_id}" if device_id else None


@dataclass(frozen=True)
class Current:
    version: int
    deleted: bool
    content_hash: str | None


@dataclass(frozen=True)
class WriteResult:
    resource_type: str
    resource_id: str
    version: int | None  # None: a DELETE of something that never existed
    deleted: bool
    status: int  # 201 created, 200 updated or unchanged, 204 deleted
    last_updated_us: int
    body: str | None  # the stored resource (with meta), None for deletions
    changed: bool  # False: an identical update or a repeated DELETE wrote no version

    @property
    def etag(self) -> str | None:
        return None if self.version is None else f'W/"{self.version}"'

    @property
    def location(self) -> str | None:
        if self.version is None:
            return None
        return f"{self.resource_type}/{self.resource_id}/_history/{self.version}"


def content_hash(resource: dict[str, Any], blob_sha256: str | None = None) -> str:
    """What an update is compared on: everything but the server's own meta elements."""
    stripped = dict(resource)
    meta = {k: v for k, v in (resource.get("meta") or {}).items() if k not in SERVER_META}
    stripped.pop("meta", None)
    if meta:
        stripped["meta"] = meta
    canonical = json.dumps(stripped, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8"))
    if blob_sha256:
        digest.update(blob_sha256.encode("ascii"))
    return digest.hexdigest()


def _serialise(resource: dict[str, Any]) -> str:
    ordered = {"resourceType": resource["resourceType"], "id": resource["id"]}
    ordered["meta"] = resource["meta"]
    ordered.update((k, v) for k, v in resource.items() if k not in ordered)
    return json.dumps(ordered, separators=(",", ":"), ensure_ascii=False)


class ChangeSet:
    def __init__(self, connection: Connection, device_id: str | None) -> None:
        self.connection = connection
        self._device_id = device_id
        state = connection.execute(
            select(server_state.c.change_seq, server_state.c.last_updated_us)
            .where(server_state.c.id == 1)
            .with_for_update()
        ).one()
        self._seq = int(state.change_seq)
        self._start_seq = self._seq
        self._clock = max(now_us() - 1, int(state.last_updated_us))
        self._current: dict[Key, Current | None] = {}
        self._stored: set[Key] = set()  # keys with a row in `resources`
        self._versions: list[dict[str, Any]] = []
        self._new_pointers: list[dict[str, Any]] = []
        self._moved_pointers: list[dict[str, Any]] = []
        self._appointments: dict[str, set[str]] = {}

    def load(self, keys: Iterable[Key]) -> None:
        """Reads the current versions of `keys` in a few queries (one per type and 500 ids)."""
        by_type: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            if key not in self._current:
                self._current[key] = None
                by_type[key[0]].append(key[1])
        for resource_type, ids in by_type.items():
            for start in range(0, len(ids), 500):
                rows = self.connection.execute(
                    _READ_CURRENT, {"type": resource_type, "ids": ids[start : start + 500]}
                )
                for row in rows:
                    key = (resource_type, row.resource_id)
                    self._current[key] = Current(row.version, row.deleted, row.content_hash)
                    self._stored.add(key)

    def current(self, resource_type: str, resource_id: str) -> Current | None:
        key = (resource_type, resource_id)
        self.load([key])
        return self._current[key]

    def put(
        self,
        resource: dict[str, Any],
        if_match: int | None,
        *,
        method: str = "PUT",
        blob: BlobInfo | None = None,
        create_only: bool = False,
    ) -> WriteResult:
        """Creates or updates `resource` (already checked). An update identical to the
        current version writes nothing and answers with the current version. `create_only`
        (If-None-Match: *) refuses with 412 when a different live version is there: two
        clients creating the same id (slots have ids made from their content) never overwrite
        each other; identical content is still a no-op, so a replay is harmless."""
        resource_type, resource_id = resource["resourceType"], resource["id"]
        if resource_type == "Binary":
            # Binary content lives in the blob; the stored resource is its metadata.
            resource = {k: v for k, v in resource.items() if k != "data"}
        current = self.current(resource_type, resource_id)
        _check_precondition(resource_type, current, if_match)
        digest = content_hash(resource, blob.sha256 if blob else None)
        if current is not None and not current.deleted and current.content_hash == digest:
            if blob is not None:
                delete_blob(self.connection, blob.blob_id)
            return self._unchanged(resource_type, resource_id, current.version)
        if create_only and current is not None and not current.deleted:
            raise FhirError(
                412,
                "conflict",
                f"If-None-Match: this {resource_type} exists already (version "
                f"{current.version}), with other content",
            )
        version = 1 if current is None else current.version + 1
        status = 201 if current is None or current.deleted else 200
        stamp = self._tick()
        meta = {k: v for k, v in (resource.get("meta") or {}).items() if k not in SERVER_META}
        meta["versionId"] = str(version)
        meta["lastUpdated"] = format_instant(stamp)
        source = device_source(self._device_id)
        if source:
            meta["source"] = source
        body = _serialise({**resource, "meta": meta})
        if blob is not None:
            publish_blob(self.connection, blob)
        key = (resource_type, resource_id)
        self._write(key, version, method, status, stamp, body, digest, blob)
        if resource_type == "Appointment":
            self._appointments[resource_id] = active_slots(resource)
        return WriteResult(resource_type, resource_id, version, False, status, stamp, body, True)

    def delete(self, resource_type: str, resource_id: str, if_match: int | None) -> WriteResult:
        current = self.current(resource_type, resource_id)
        _check_precondition(resource_type, current, if_match)
        if current is None or current.deleted:
            version = None if current is None else current.version
            return WriteResult(
                resource_type, resource_id, version, True, 204, self._clock, None, False
            )
        version = current.version + 1
        stamp = self._tick()
        self._write((resource_type, resource_id), version, "DELETE", 204, stamp, None, None, None)
        if resource_type == "Appointment":
            self._appointments[resource_id] = set()
        return WriteResult(resource_type, resource_id, version, True, 204, stamp, None, True)

    def finish(self) -> None:
        """Writes the batched rows, rewrites bookings and advances the change sequence."""
        if self._versions:
            self.connection.execute(insert(resource_versions), self._versions)
        if self._new_pointers:
            self.connection.execute(insert(resources), self._new_pointers)
        if self._moved_pointers:
            self.connection.execute(_UPDATE_POINTER, self._moved_pointers)
        if self._appointments:
            rewrite_bookings(self.connection, self._appointments)
        if self._seq != self._start_seq:
            self.connection.execute(
                update(server_state)
                .where(server_state.c.id == 1)
                .values(change_seq=self._seq, last_updated_us=self._clock)
            )

    def _tick(self) -> int:
        self._clock = max(now_us(), self._clock + 1)
        return self._clock

    def _unchanged(self, resource_type: str, resource_id: str, version: int) -> WriteResult:
        row = self.connection.execute(
            select(resource_versions.c.body, resource_versions.c.last_updated_us).where(
                resource_versions.c.resource_type == resource_type,
                resource_versions.c.resource_id == resource_id,
                resource_versions.c.version == version,
            )
        ).one()
        return WriteResult(
            resource_type, resource_id, version, False, 200, row.last_updated_us, row.body, False
        )

    def _write(
        self,
        key: Key,
        version: int,
        method: str,
        status: int,
        stamp: int,
        body: str | None,
        digest: str | None,
        blob: BlobInfo | None,
    ) -> None:
        self._seq += 1
        deleted = body is None
        self._versions.append(
            {
                "seq": self._seq,
                "resource_type": key[0],
                "resource_id": key[1],
                "version": version,
                "method": method,
                "status": status,
                "deleted": deleted,
                "last_updated_us": stamp,
                "device_id": self._device_id,
                "content_hash": digest,
                "body": body,
                "blob_id": blob.blob_id if blob else None,
            }
        )
        self._current[key] = Current(version, deleted, digest)
        if key in self._stored:
            self._moved_pointers.append(
                {
                    "k_type": key[0],
                    "k_id": key[1],
                    "p_version": version,
                    "p_seq": self._seq,
                    "p_deleted": deleted,
                    "p_hash": digest,
                }
            )
            return
        self._stored.add(key)
        self._new_pointers.append(
            {
                "resource_type": key[0],
                "resource_id": key[1],
                "version": version,
                "seq": self._seq,
                "deleted": deleted,
                "content_hash": digest,
            }
        )


def _check_precondition(resource_type: str, current: Current | None, if_match: int | None) -> None:
    if if_match is None:
        return
    if current is None:
        raise FhirError(
            412,
            "conflict",
            f"If-Match names version {if_match} of a {resource_type} that does not exist",
        )
    if current.version != if_match:
        raise FhirError(
            412,
            "conflict",
            f"Version conflict: If-Match names version {if_match}, the current version is "
            f"{current.version}",
        )


def run_changes(engine: Engine, device_id: str | None, work: Callable[[ChangeSet], T]) -> T:
    """Runs `work` in one write transaction: all of it is stored, or none of it."""
    try:
        with write_transaction(engine) as connection:
            changes = ChangeSet(connection, device_id)
            result = work(changes)
            changes.finish()
        return result
    except IntegrityError as exc:
        if "slot_bookings" in str(exc.orig):
            raise FhirError(
                409, "conflict", "A slot in this request is already booked; nothing was stored"
            ) from None
        raise FhirError(
            409, "conflict", "The request collided with a concurrent change; retry it"
        ) from None
    except OperationalError as exc:
        if "locked" in str(exc.orig).lower():
            raise FhirError(
                503,
                "transient",
                "The database is busy; retry shortly",
                headers={"Retry-After": "1"},
            ) from None
        raise
