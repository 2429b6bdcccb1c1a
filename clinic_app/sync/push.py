"""Push: the outbox, in order, as FHIR transaction bundles (all or nothing on the server).

PUT with the record's client-made id, `If-Match` on the server version last seen (none for a
record the server has never had); DELETE for a tombstone. On success, in one local
transaction: the server's version is stamped on each row (no echo: Core statements), and the
outbox entries the bundle covered are removed. A bundle the server refuses is split in halves
until the refused record is alone; that record then becomes a conflict (412: changed on the
server; 409 on an appointment: slot booked there) or is quarantined with the server's message
(any other 4xx). A repeated push after a lost answer is harmless: the server keeps an identical
update as it is, and a 412 whose server content equals ours is recognised as already done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from clinic_app.errors import OperationCancelledError
from clinic_app.storage.audit import SYSTEM_ACTOR, AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.outbox import SUPPRESS_OUTBOX
from clinic_app.storage.types import utcnow
from clinic_app.sync import binaries, quarantine
from clinic_app.sync.client import FhirClient
from clinic_app.sync.conflict_store import NewConflict, notify, record_conflict
from clinic_app.sync.errors import BadResponseError, MappingError, RejectedError
from clinic_app.sync.fhir_values import as_object, etag_version
from clinic_app.sync.gc_pause import collector_paused
from clinic_app.sync.journal import LogEvent, write_log
from clinic_app.sync.mappings.base import Values
from clinic_app.sync.mappings.registry import MappingRegistry
from clinic_app.sync.models import ConflictKind
from clinic_app.sync.push_batch import PushBatch, PushItem, collect
from clinic_app.sync.rows import (
    clear_outbox,
    resend_parents,
    same_content,
    stamp_versions,
    write_content,
)
from clinic_app.tasks import CancelToken, ProgressReporter


@dataclass
class PushResult:
    pushed: int = 0
    conflicts: int = 0
    quarantined: int = 0
    local_only: int = 0
    deferred: int = 0


class Pusher:
    def __init__(
        self,
        db: Database,
        registry: MappingRegistry,
        client: FhirClient,
        server_url: str,
        audit_log: AuditLog,
        *,
        batch_size: int = 250,
    ) -> None:
        self._db = db
        self._registry = registry
        self._client = client
        self._server = server_url
        self._audit = audit_log
        self._batch = batch_size
        self.result = PushResult()

    def run(self, progress: ProgressReporter, cancel: CancelToken | None) -> PushResult:
        after = 0
        while True:
            if cancel is not None and cancel.cancelled:
                raise OperationCancelledError
            # One bounded batch of short-lived dicts: a full collection during it would hold the
            # GIL for ~200 ms on a large store and stall the GUI thread (as pull and apply do).
            with collector_paused():
                with self._db.unit_of_work(write=False) as uow:
                    batch = collect(uow.session, self._registry, self._server, after, self._batch)
                if batch.scanned_to is None:
                    break
                after = batch.scanned_to
                self._set_aside(batch)
                if batch.items:
                    self._send(batch.items)
            progress.report(self.result.pushed, 0, "Sending changes to the server")
        return self.result

    def _set_aside(self, batch: PushBatch) -> None:
        if not (batch.local_only or batch.unmappable or batch.uploads):
            return
        with self._db.unit_of_work() as uow:
            session = uow.session
            for skipped in batch.local_only:
                clear_outbox(session, skipped.entity_type, skipped.entity_id, skipped.max_seq)
            if batch.local_only:
                self.result.local_only += len(batch.local_only)
                tables = sorted({s.entity_type for s in batch.local_only})
                write_log(
                    session,
                    self._server,
                    LogEvent.LOCAL_ONLY,
                    count=len(batch.local_only),
                    message="not synced: "
                    + "; ".join(
                        f"{t} ({next(s.reason for s in batch.local_only if s.entity_type == t)})"
                        for t in tables
                    ),
                )
            for skipped, message in batch.unmappable:
                quarantine.hold(
                    session,
                    self._server,
                    direction=quarantine.PUSH,
                    entity_type=skipped.entity_type,
                    entity_id=skipped.entity_id,
                    resource_type="",
                    resource=None,
                    status_code=None,
                    message=message,
                )
                self.result.quarantined += 1
            for attachment_id, sha256, size in batch.uploads:
                binaries.queue_upload(session, self._server, attachment_id, sha256, size)
                self.result.deferred += 1
            uow.commit()

    def _send(self, items: list[PushItem], *, reconciled: bool = False) -> None:
        bundle = {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [item.entry() for item in items],
        }
        try:
            answer = self._client.transaction(bundle)
        except RejectedError as exc:
            if len(items) == 1:
                self._refused(items[0], exc)
            elif exc.status == 412 and not reconciled:
                self._reconcile(items)
            else:
                middle = len(items) // 2
                self._send(items[:middle])
                self._send(items[middle:])
            return
        entries = answer["entry"]
        if len(entries) != len(items):
            raise BadResponseError("The server's transaction answer has the wrong entry count.")
        versions = [_version_of(entry) for entry in entries]
        with self._db.unit_of_work() as uow:
            session = uow.session
            session.info[SUPPRESS_OUTBOX] = True
            # Before the covered entries go: a new entry must sort after them (SQLite reuses
            # the highest rowid once it is deleted), or this run's next window would miss it.
            _resend_summaries(session, items)
            for item, version in zip(items, versions, strict=True):
                self._done(session, item, version)
            write_log(session, self._server, LogEvent.PUSHED, count=len(items))
            tables: dict[str, int] = {}
            for item in items:
                tables[item.mapping.entity_type] = tables.get(item.mapping.entity_type, 0) + 1
            self._audit.append(
                session,
                SYSTEM_ACTOR,
                "sync.push",
                record_type="sync",
                details={"records": len(items), **tables},
            )
            uow.commit()
        self.result.pushed += len(items)

    def _done(self, session: Session, item: PushItem, version: str | None) -> None:
        if version is not None or not item.deleted:
            stamp_versions(session, item.mapping, [(item.entity_id, version)])
        clear_outbox(session, item.mapping.entity_type, item.entity_id, item.max_seq)
        quarantine.release(session, self._server, item.entity_id, quarantine.PUSH)

    # --- one record the server refused -------------------------------------------------

    def _refused(self, item: PushItem, exc: RejectedError, *, again: bool = False) -> None:
        status = exc.status
        if item.deleted and status in (404, 410):
            self._finish_alone(item, None)
        elif status == 412:
            self._version_mismatch(item)
        elif status == 409 and item.resource_type == "Appointment":
            self._conflict(item, ConflictKind.SLOT_TAKEN, None, None, str(exc))
        elif status == 409 and not again:
            # A concurrent write on the server (this server says "retry"); a second 409 is a
            # refusal (e.g. a server that won't delete what others still reference).
            self._client.pause(0.5)
            try:
                self._send_one(item)
            except RejectedError as second:
                self._refused(item, second, again=True)
        else:
            with self._db.unit_of_work() as uow:
                quarantine.hold(
                    uow.session,
                    self._server,
                    direction=quarantine.PUSH,
                    entity_type=item.mapping.entity_type,
                    entity_id=item.entity_id,
                    resource_type=item.resource_type,
                    resource=item.resource,
                    status_code=status,
                    message=str(exc),
                )
                uow.commit()
            self.result.quarantined += 1

    def _reconcile(self, items: list[PushItem]) -> None:
        """A bundle refused for a version mismatch: most often an earlier push of the same
        records landed but its answer was lost. Each record's current server version says
        which: already there (stamped), unchanged since we saw it (sent again), or really
        changed there (a conflict)."""
        resend: list[PushItem] = []
        for item in items:
            current = self._client.read(item.resource_type, item.entity_id)
            meta = as_object(current.get("meta")) if current else {}
            server_version = meta.get("versionId")
            known = item.row.get("version_id")
            unchanged = current is not None and server_version == known
            never_there = current is None and known is None and not item.deleted
            if unchanged or never_there:
                resend.append(item)
            else:
                self._version_mismatch(item, current)
        if resend:
            self._send(resend, reconciled=True)

    def _send_one(self, item: PushItem) -> None:
        answer = self._client.transaction(
            {"resourceType": "Bundle", "type": "transaction", "entry": [item.entry()]}
        )
        entries = answer["entry"]
        if len(entries) != 1:
            raise BadResponseError("The server's transaction answer has the wrong entry count.")
        self._finish_alone(item, _version_of(entries[0]))

    def _version_mismatch(self, item: PushItem, current: dict[str, Any] | None = None) -> None:
        if current is None:
            current = self._client.read(item.resource_type, item.entity_id)
        if current is None:
            if item.deleted:
                self._finish_alone(item, None)
            else:
                self._conflict(item, ConflictKind.DELETED_ON_SERVER, None, None, "")
            return
        meta = as_object(current.get("meta"))
        version = meta.get("versionId") if isinstance(meta.get("versionId"), str) else None
        if not item.deleted:
            try:
                remote = item.mapping.from_resource(current)
            except MappingError:
                remote = None
            if remote is not None and same_content(item.mapping, item.row, remote):
                stale = item.resource is not None and item.mapping.differs(item.resource, current)
                if stale and version is not None and not item.rebased:
                    # Same record, but its summary (an AI result's status) is older there.
                    self._resend_on(item, version)
                    return
                self._finish_alone(item, version)  # the earlier push landed
                return
            if remote is not None and item.mapping.yields_to_server(item.row):
                self._take_server(item, remote, version)
                return
            if remote is not None and _pristine(item, remote) and version is not None:
                # The server's copy is another workstation's untouched one of the same slot:
                # this one (booked or blocked here) goes on top of it.
                self._resend_on(item, version)
                return
        self._conflict(item, ConflictKind.EDIT, current, version, "")

    def _resend_on(self, item: PushItem, version: str) -> None:
        """Sends the record again with If-Match on the server's version (once)."""
        item.rebased = True
        item.row["version_id"] = version
        try:
            self._send_one(item)
        except RejectedError as exc:
            self._refused(item, exc, again=True)

    def _take_server(self, item: PushItem, remote: Values, version: str | None) -> None:
        """The server's copy replaces a row that only this workstation's generator made."""
        with self._db.unit_of_work() as uow:
            uow.session.info[SUPPRESS_OUTBOX] = True
            write_content(
                uow.session,
                item.mapping,
                item.entity_id,
                remote,
                version_id=version,
                updated_at=utcnow(),
                deleted_at=None,
            )
            clear_outbox(uow.session, item.mapping.entity_type, item.entity_id, item.max_seq)
            write_log(
                uow.session,
                self._server,
                LogEvent.APPLIED,
                entity_type=item.mapping.entity_type,
                entity_id=item.entity_id,
                count=1,
                message="the server's copy of the same slot was kept",
            )
            uow.commit()

    def _finish_alone(self, item: PushItem, version: str | None) -> None:
        with self._db.unit_of_work() as uow:
            uow.session.info[SUPPRESS_OUTBOX] = True
            _resend_summaries(uow.session, [item])
            self._done(uow.session, item, version)
            write_log(uow.session, self._server, LogEvent.PUSHED, count=1)
            uow.commit()
        self.result.pushed += 1

    def _conflict(
        self,
        item: PushItem,
        kind: ConflictKind,
        server_resource: dict[str, Any] | None,
        version: str | None,
        detail: str,
    ) -> None:
        with self._db.unit_of_work() as uow:
            new: NewConflict | None = record_conflict(
                uow.session,
                self._server,
                kind=kind,
                mapping=item.mapping,
                entity_id=item.entity_id,
                local=item.row,
                server_resource=server_resource,
                server_version=version,
                detail=detail,
            )
            if new is not None:
                notify(uow.session, [new])
            uow.commit()
        self.result.conflicts += 1


def _pristine(item: PushItem, remote: Values) -> bool:
    """Whether the server's version of a record this workstation never sent is one a
    generator made and nobody touched (see `TableMapping.yields_to_server`)."""
    if item.rebased or item.row.get("version_id") is not None:
        return False
    return item.mapping.yields_to_server({**remote, "version_id": None, "deleted_at": None})


def _resend_summaries(session: Session, items: list[PushItem]) -> None:
    """Rows summarised in a parent's resource reached the server: the parent goes again,
    unless it went in the same bundle (its resource already counted them)."""
    sent = {(item.mapping.entity_type, item.entity_id) for item in items}
    by_mapping: dict[str, list[PushItem]] = {}
    for item in items:
        if item.mapping.summarised_in is not None and not item.deleted:
            by_mapping.setdefault(item.mapping.entity_type, []).append(item)
    for group in by_mapping.values():
        mapping = group[0].mapping
        assert mapping.summarised_in is not None
        parent_table, column = mapping.summarised_in
        rows = [i.row for i in group if (parent_table, str(i.row.get(column))) not in sent]
        resend_parents(session, mapping, rows)


def _version_of(entry: object) -> str | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("response"), dict):
        raise BadResponseError("The server's transaction answer has an entry without response.")
    response = entry["response"]
    status = str(response.get("status", ""))
    if not status[:1] == "2":
        raise BadResponseError("The server's transaction answer reports a failed entry.")
    version = etag_version(response.get("etag") if isinstance(response.get("etag"), str) else None)
    location = response.get("location")
    if version is None and isinstance(location, str) and "/_history/" in location:
        version = location.rsplit("/_history/", 1)[1].strip("/") or None
    return version
