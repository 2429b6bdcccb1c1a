"""Writing versions: the one place a resource changes.

A `ChangeSet` is one write transaction. It first locks `server_state` (the change sequence), so
writers run one at a time from that point and `seq` order is commit order; every version it
writes takes the next `seq` and the transaction's `lastUpdated` (never earlier than the last
one written). Appointments it touches have their slot bookings rewritten at the end, where the
primary key of `slot_bookings` refuses a second active booking of a slot.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from clinic_app.server.blob_store import BlobInfo, delete_blob, publish_blob
from clinic_app.server.database import now_us, write_transaction
from clinic_app.server.instants import format_instant
from clinic_app.server.outcome import FhirError
from clinic_app.server.tables import resource_versions, resources, server_state, slot_bookings
from clinic_app.server.validation import SERVER_META

T = TypeVar("T")

# Appointment statuses that hold their slots (the rest release them).
ACTIVE_APPOINTMENT = frozenset({"proposed", "pending", "booked", "arrived", "checked-in"})
_SLOT_REFERENCE = re.compile(r"(?:^|/)Slot/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")


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


def active_slots(appointment: dict[str, Any]) -> set[str]:
    if appointment.get("status") not in ACTIVE_APPOINTMENT:
        return set()
    slots: set[str] = set()
    for reference in appointment.get("slot") or []:
        text = reference.get("reference") if isinstance(reference, dict) else None
        match = _SLOT_REFERENCE.search(text) if isinstance(text, str) else None
        if match:
            slots.add(match.group(1))
    return slots


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
        self.last_updated_us = max(now_us(), int(state.last_updated_us))
        self._appointments: dict[str, set[str]] = {}

    def current(self, resource_type: str, resource_id: str) -> Current | None:
        row = self.connection.execute(
            select(resources.c.version, resources.c.deleted, resources.c.content_hash).where(
                resources.c.resource_type == resource_type,
                resources.c.resource_id == resource_id,
            )
        ).one_or_none()
        return None if row is None else Current(row.version, row.deleted, row.content_hash)

    def put(
        self,
        resource: dict[str, Any],
        if_match: int | None,
        *,
        method: str = "PUT",
        blob: BlobInfo | None = None,
    ) -> WriteResult:
        """Creates or updates `resource` (already checked). An update identical to the
        current version writes nothing and answers with the current version."""
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
        version = 1 if current is None else current.version + 1
        status = 201 if current is None or current.deleted else 200
        meta = {k: v for k, v in (resource.get("meta") or {}).items() if k not in SERVER_META}
        meta["versionId"] = str(version)
        meta["lastUpdated"] = format_instant(self.last_updated_us)
        source = device_source(self._device_id)
        if source:
            meta["source"] = source
        body = _serialise({**resource, "meta": meta})
        if blob is not None:
            publish_blob(self.connection, blob)
        self._write(resource_type, resource_id, version, method, status, body, digest, blob)
        if resource_type == "Appointment":
            self._appointments[resource_id] = active_slots(resource)
        return WriteResult(
            resource_type, resource_id, version, False, status, self.last_updated_us, body, True
        )

    def delete(self, resource_type: str, resource_id: str, if_match: int | None) -> WriteResult:
        current = self.current(resource_type, resource_id)
        _check_precondition(resource_type, current, if_match)
        if current is None:
            return WriteResult(
                resource_type, resource_id, None, True, 204, self.last_updated_us, None, False
            )
        if current.deleted:
            return WriteResult(
                resource_type,
                resource_id,
                current.version,
                True,
                204,
                self.last_updated_us,
                None,
                False,
            )
        version = current.version + 1
        self._write(resource_type, resource_id, version, "DELETE", 204, None, None, None)
        if resource_type == "Appointment":
            self._appointments[resource_id] = set()
        return WriteResult(
            resource_type, resource_id, version, True, 204, self.last_updated_us, None, True
        )

    def finish(self) -> None:
        """Rewrites the touched appointments' bookings and advances the change sequence."""
        if self._appointments:
            self._rewrite_bookings()
        if self._seq != self._start_seq:
            self.connection.execute(
                update(server_state)
                .where(server_state.c.id == 1)
                .values(change_seq=self._seq, last_updated_us=self.last_updated_us)
            )

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
        resource_type: str,
        resource_id: str,
        version: int,
        method: str,
        status: int,
        body: str | None,
        digest: str | None,
        blob: BlobInfo | None,
    ) -> None:
        self._seq += 1
        deleted = body is None
        self.connection.execute(
            insert(resource_versions).values(
                seq=self._seq,
                resource_type=resource_type,
                resource_id=resource_id,
                version=version,
                method=method,
                status=status,
                deleted=deleted,
                last_updated_us=self.last_updated_us,
                device_id=self._device_id,
                content_hash=digest,
                body=body,
                blob_id=blob.blob_id if blob else None,
            )
        )
        pointer = {"version": version, "seq": self._seq, "deleted": deleted, "content_hash": digest}
        if version == 1:
            self.connection.execute(
                insert(resources).values(
                    resource_type=resource_type, resource_id=resource_id, **pointer
                )
            )
        else:
            self.connection.execute(
                update(resources)
                .where(
                    resources.c.resource_type == resource_type,
                    resources.c.resource_id == resource_id,
                )
                .values(**pointer)
            )

    def _rewrite_bookings(self) -> None:
        appointment_ids = list(self._appointments)
        self.connection.execute(
            delete(slot_bookings).where(slot_bookings.c.appointment_id.in_(appointment_ids))
        )
        wanted: dict[str, str] = {}
        for appointment_id, slots in self._appointments.items():
            for slot_id in sorted(slots):
                if slot_id in wanted:
                    raise _slot_conflict(slot_id, wanted[slot_id])
                wanted[slot_id] = appointment_id
        if not wanted:
            return
        # A readable answer first; the primary key below is what actually guarantees it.
        held = self.connection.execute(
            select(slot_bookings.c.slot_id, slot_bookings.c.appointment_id).where(
                slot_bookings.c.slot_id.in_(list(wanted))
            )
        ).first()
        if held is not None:
            raise _slot_conflict(held.slot_id, held.appointment_id)
        self.connection.execute(
            insert(slot_bookings),
            [{"slot_id": s, "appointment_id": a} for s, a in wanted.items()],
        )


def _slot_conflict(slot_id: str, holder: str) -> FhirError:
    return FhirError(
        409,
        "conflict",
        f"Slot/{slot_id} is already booked by Appointment/{holder}; nothing was stored",
        expressions=["Appointment.slot"],
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
