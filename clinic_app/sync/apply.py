"""Pull, second half: apply the staged versions to local rows, oldest first, in batches.

Per version: unknown here → insert; known → skip when this version (or a newer one) is already
here; no local change pending → overwrite (or tombstone); a local change pending → the same
content means an earlier push landed (stamp it), demographics changed in different fields merge
(the base comes from the server's history), anything else becomes a conflict with both sides
kept. A version that can't be stored here is quarantined with the reason, never skipped.

Each batch is one local transaction: the rows, the inbox entries it consumed, its conflicts and
their notices, and one audit event with the counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from clinic_app.errors import OperationCancelledError
from clinic_app.storage.audit import SYSTEM_ACTOR, AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.outbox import SUPPRESS_OUTBOX
from clinic_app.sync.apply_group import BatchOutcome, GroupApplier
from clinic_app.sync.client import FhirClient
from clinic_app.sync.conflict_store import notify
from clinic_app.sync.gc_pause import collector_paused
from clinic_app.sync.journal import LogEvent, write_log
from clinic_app.sync.mappings.base import Values
from clinic_app.sync.mappings.registry import MappingRegistry
from clinic_app.sync.model_downloads import ModelReleases
from clinic_app.sync.pull import finish_pull
from clinic_app.sync.pulled_item import PulledItem, decode
from clinic_app.sync.rows import load_rows, pending_entities
from clinic_app.sync.tables import SyncInboxRow
from clinic_app.tasks import CancelToken, ProgressReporter

_INBOX = cast(Table, SyncInboxRow.__table__)

# Within a batch, visits go last: a visit signed on the server must not be signed here before
# its vitals and codes (written before the signature) are in, or the records triggers refuse them.
# Imaging rows follow their foreign keys: study, series, image, result, reviews.
_ORDER = {
    "patients": 0,
    "doctor_profiles": 1,
    "slots": 2,
    "appointments": 3,
    "imaging_studies": 5,
    "imaging_series": 6,
    "imaging_instances": 7,
    "imaging_analyses": 8,
    "imaging_analysis_reviews": 8,
    "visits": 9,
}


@dataclass
class ApplyResult:
    applied: int = 0
    skipped: int = 0
    conflicts: int = 0
    merged: int = 0
    quarantined: int = 0
    duplicates: int = 0
    code_sets: int = 0
    by_table: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: BatchOutcome) -> None:
        self.code_sets += outcome.code_sets
        self.applied += outcome.applied
        self.skipped += outcome.skipped
        self.conflicts += len(outcome.conflicts)
        self.merged += outcome.merged
        self.quarantined += outcome.quarantined
        self.duplicates += outcome.duplicates
        for table, count in outcome.by_table.items():
            self.by_table[table] = self.by_table.get(table, 0) + count


class Applier:
    def __init__(
        self,
        db: Database,
        registry: MappingRegistry,
        client: FhirClient | None,
        server_url: str,
        audit_log: AuditLog,
        *,
        batch_size: int = 1000,
        models: ModelReleases | None = None,
    ) -> None:
        self._models = models
        self._db = db
        self._registry = registry
        self._client = client
        self._server = server_url
        self._audit = audit_log
        self._batch = batch_size

    def apply(self, progress: ProgressReporter, cancel: CancelToken | None) -> ApplyResult:
        result = ApplyResult()
        while True:
            if cancel is not None and cancel.cancelled:
                raise OperationCancelledError
            with collector_paused():
                with self._db.unit_of_work(write=False) as uow:
                    rows = uow.session.execute(
                        select(_INBOX)
                        .where(_INBOX.c.server_url == self._server)
                        .order_by(_INBOX.c.last_updated, _INBOX.c.seq)
                        .limit(self._batch)
                    ).all()
                    if not rows:
                        break
                    items = decode(uow.session, self._registry, rows)
                    bases = self._merge_bases(uow.session, items)
                outcome = self._write_batch(items, bases)
            result.add(outcome)
            progress.report(result.applied + result.skipped, 0, "Applying server changes")
        with self._db.unit_of_work() as uow:
            finish_pull(uow.session, self._server)
            if result.applied or result.conflicts or result.quarantined:
                write_log(
                    uow.session,
                    self._server,
                    LogEvent.APPLIED,
                    count=result.applied,
                    message=f"{result.conflicts} conflicts, {result.merged} merged, "
                    f"{result.quarantined} quarantined, {result.skipped} already here",
                )
            uow.commit()
        return result

    def apply_items(self, items: list[PulledItem]) -> BatchOutcome:
        """Applies already decoded versions (a quarantined version being retried)."""
        with self._db.unit_of_work(write=False) as uow:
            bases = self._merge_bases(uow.session, items)
        return self._write_batch(items, bases)

    def _write_batch(self, items: list[PulledItem], bases: dict[str, Values]) -> BatchOutcome:
        with self._db.unit_of_work() as uow:
            session = uow.session
            session.info[SUPPRESS_OUTBOX] = True
            group = GroupApplier(session, self._server, bases, self._audit, self._models)
            group.apply_releases(items)
            for mapping_items in _groups(items):
                group.apply(mapping_items)
            group.quarantine_unplaced(items)
            seqs = [item.seq for item in items if item.seq]
            if seqs:
                session.execute(delete(SyncInboxRow).where(SyncInboxRow.seq.in_(seqs)))
            notify(session, group.outcome.conflicts)
            if group.outcome.applied or group.outcome.conflicts:
                self._audit.append(
                    session,
                    SYSTEM_ACTOR,
                    "sync.pull",
                    record_type="sync",
                    details={
                        "applied": group.outcome.applied,
                        "conflicts": len(group.outcome.conflicts),
                        **group.outcome.by_table,
                    },
                )
            uow.commit()
            return group.outcome

    def _merge_bases(self, session: Session, items: list[PulledItem]) -> dict[str, Values]:
        """For records that changed on both sides and merge field by field (demographics):
        the version both started from, read from the server before the write transaction."""
        bases: dict[str, Values] = {}
        if self._client is None:
            return bases
        by_mapping: dict[str, list[PulledItem]] = {}
        for item in items:
            if item.mapping is not None and item.mapping.auto_merge and not item.deleted:
                by_mapping.setdefault(item.mapping.entity_type, []).append(item)
        for entity_type, group in by_mapping.items():
            mapping = group[0].mapping
            assert mapping is not None
            ids = [item.resource_id for item in group]
            pending = pending_entities(session, entity_type, ids)
            local = load_rows(session, mapping, [i for i in ids if i in pending])
            for item in group:
                row = local.get(item.resource_id)
                known = row.get("version_id") if row else None
                if row is None or not known or known == item.version_id:
                    continue
                base = self._client.vread(item.resource_type, item.resource_id, str(known))
                if base is None:
                    continue
                try:
                    bases[item.resource_id] = mapping.from_resource(base)
                except Exception:  # noqa: BLE001 - no usable base: the change becomes a conflict
                    continue
        return bases


def _groups(items: list[PulledItem]) -> list[list[PulledItem]]:
    grouped: dict[str, list[PulledItem]] = {}
    for item in items:
        if item.mapping is not None:
            grouped.setdefault(item.mapping.entity_type, []).append(item)
    return [grouped[name] for name in sorted(grouped, key=lambda n: (_ORDER.get(n, 5), n))]
