"""The per-record decisions of a pull batch, for the versions of one table (see `apply`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from clinic_app.storage.audit import AuditLog
from clinic_app.sync import quarantine
from clinic_app.sync.binaries import queue_download
from clinic_app.sync.code_releases import apply_release
from clinic_app.sync.conflict_store import (
    NewConflict,
    open_conflicts,
    record_conflict,
    refresh_server_side,
)
from clinic_app.sync.duplicates import find_duplicates_batch
from clinic_app.sync.errors import MappingError
from clinic_app.sync.fhir_values import instant
from clinic_app.sync.journal import LogEvent, write_log
from clinic_app.sync.mappings.base import TableMapping, Values
from clinic_app.sync.mappings.codesystem import RELEASE_TABLE
from clinic_app.sync.model_downloads import ModelReleases
from clinic_app.sync.model_releases import MODEL_PACK_TABLE, is_model_release
from clinic_app.sync.models import ConflictKind
from clinic_app.sync.pulled_item import PulledItem
from clinic_app.sync.rows import (
    changed_fields,
    clear_outbox,
    insert_rows,
    load_rows,
    new_row,
    pending_entities,
    resend_parents,
    same_content,
    stamp_versions,
    tombstone,
    write_content,
)


@dataclass
class BatchOutcome:
    applied: int = 0
    skipped: int = 0
    merged: int = 0
    quarantined: int = 0
    duplicates: int = 0
    code_sets: int = 0
    conflicts: list[NewConflict] = field(default_factory=list)
    by_table: dict[str, int] = field(default_factory=dict)

    def count(self, table: str) -> None:
        self.applied += 1
        self.by_table[table] = self.by_table.get(table, 0) + 1


def _older(item: PulledItem, known: str) -> bool:
    return known.isdigit() and item.version_rank > 0 and item.version_rank < int(known)


def _release_table(item: PulledItem) -> str:
    return MODEL_PACK_TABLE if is_model_release(item.resource) else RELEASE_TABLE


def _reason(exc: Exception) -> str:
    original = getattr(exc, "orig", exc)
    text = str(original.args[0]) if getattr(original, "args", None) else type(original).__name__
    return f"It can't be stored on this workstation: {text[:300]}"


class GroupApplier:
    def __init__(
        self,
        session: Session,
        server_url: str,
        bases: dict[str, Values],
        audit: AuditLog,
        models: ModelReleases | None = None,
    ) -> None:
        self._audit = audit
        self._models = models
        self._session = session
        self._server = server_url
        self._bases = bases
        self.outcome = BatchOutcome()
        self._inserts: list[PulledItem] = []

    def apply(self, items: list[PulledItem]) -> None:
        mapping = items[0].mapping
        assert mapping is not None
        ids = [item.resource_id for item in items]
        local = load_rows(self._session, mapping, ids)
        pending = pending_entities(self._session, mapping.entity_type, ids)
        held = open_conflicts(self._session, ids)
        for item in items:
            if item.problem is not None:
                self._quarantine(item, item.problem)
                continue
            row = local.get(item.resource_id)
            if row is None:
                if item.deleted:
                    self.outcome.skipped += 1
                else:
                    self._inserts.append(item)
                continue
            self._flush_inserts(mapping)  # keep the server's order between inserts and updates
            item.local = row
            self._existing(
                mapping, item, row, pending.get(item.resource_id), item.resource_id in held
            )
        self._flush_inserts(mapping)

    def apply_releases(self, items: list[PulledItem]) -> None:
        for item in items:
            if not item.release or item.deleted or item.resource is None:
                continue
            try:
                if is_model_release(item.resource):
                    if self._models is None:
                        raise MappingError("Model packs are installed by a sync run.")
                    self._models.receive(item.resource, item.version_id)
                    continue
                with self._session.begin_nested():
                    if apply_release(self._session, self._server, self._audit, item.resource):
                        self.outcome.code_sets += 1
            except MappingError as exc:
                self._quarantine(item, str(exc))
            except (IntegrityError, DBAPIError) as exc:
                self._quarantine(item, _reason(exc))

    def quarantine_unplaced(self, items: list[PulledItem]) -> None:
        """Versions no table claimed (kept types, but not a kind this workstation stores)."""
        for item in items:
            if item.release:
                continue
            if item.mapping is None and not item.deleted:
                self._quarantine(item, item.problem or "No local table takes this resource.")
            elif item.mapping is None:
                self.outcome.skipped += 1  # a deletion of something never held here

    # --- existing rows -----------------------------------------------------------------

    def _existing(
        self, mapping: TableMapping, item: PulledItem, row: Values, pending: int | None, held: bool
    ) -> None:
        known = row.get("version_id")
        if known == item.version_id or (known and _older(item, str(known))):
            self.outcome.skipped += 1
            return
        if held:
            refresh_server_side(self._session, item.resource_id, item.resource, item.version_id)
            self.outcome.skipped += 1
            return
        if pending is None:
            self._overwrite(mapping, item, row)
            return
        values = item.values
        locally_deleted = row.get("deleted_at") is not None
        if item.deleted:
            if locally_deleted:
                self._stamp(mapping, item, clear=True)
            else:
                self._conflict(mapping, item, row, ConflictKind.DELETED_ON_SERVER)
            return
        assert values is not None
        if not locally_deleted and same_content(mapping, row, values):
            self._stamp(mapping, item, clear=True)  # an earlier push landed; its answer didn't
            return
        if mapping.yields_to_server(row):
            self._overwrite(mapping, item, row)
            clear_outbox(self._session, mapping.entity_type, item.resource_id, None)
            return
        theirs_untouched = {**values, "version_id": None, "deleted_at": None}
        if row.get("version_id") is None and mapping.yields_to_server(theirs_untouched):
            # The server's copy is another workstation's untouched one of the same slot: the
            # change made here goes on top of it at the next push.
            stamp_versions(self._session, mapping, [(item.resource_id, item.version_id)])
            self.outcome.skipped += 1
            return
        base = self._bases.get(item.resource_id)
        if mapping.auto_merge and base is not None and not locally_deleted:
            mine = changed_fields(mapping, base, row)
            theirs = changed_fields(mapping, base, values)
            if not mine & theirs:
                self._merge(mapping, item, row, values, theirs)
                return
        self._conflict(mapping, item, row, ConflictKind.EDIT)

    def _overwrite(self, mapping: TableMapping, item: PulledItem, row: Values) -> None:
        def write() -> None:
            if item.deleted:
                if row.get("deleted_at") is None:
                    tombstone(
                        self._session, mapping, item.resource_id, item.version_id, item.last_updated
                    )
                else:
                    stamp_versions(self._session, mapping, [(item.resource_id, item.version_id)])
                return
            assert item.values is not None
            write_content(
                self._session,
                mapping,
                item.resource_id,
                item.values,
                version_id=item.version_id,
                updated_at=item.last_updated,
                deleted_at=None,
            )

        if self._guarded(item, write):
            self.outcome.count(mapping.entity_type)

    def _stamp(self, mapping: TableMapping, item: PulledItem, *, clear: bool) -> None:
        stamp_versions(self._session, mapping, [(item.resource_id, item.version_id)])
        if clear:
            clear_outbox(self._session, mapping.entity_type, item.resource_id, None)
            quarantine.release(self._session, self._server, item.resource_id, quarantine.PUSH)
        self.outcome.count(mapping.entity_type)

    def _merge(
        self,
        mapping: TableMapping,
        item: PulledItem,
        row: Values,
        values: Values,
        theirs: set[str],
    ) -> None:
        merged: dict[str, Any] = {name: row[name] for name in mapping.fields}
        merged.update({name: values[name] for name in theirs})

        def write() -> None:
            write_content(
                self._session,
                mapping,
                item.resource_id,
                merged,
                version_id=item.version_id,
                updated_at=item.last_updated,
                deleted_at=None,
            )

        # The outbox entry stays: the merged record goes to the server on the next push.
        if self._guarded(item, write):
            self.outcome.merged += 1
            self.outcome.count(mapping.entity_type)
            write_log(
                self._session,
                self._server,
                LogEvent.MERGED,
                entity_type=mapping.entity_type,
                entity_id=item.resource_id,
                count=len(theirs),
            )

    def _conflict(
        self, mapping: TableMapping, item: PulledItem, row: Values, kind: ConflictKind
    ) -> None:
        new = record_conflict(
            self._session,
            self._server,
            kind=kind,
            mapping=mapping,
            entity_id=item.resource_id,
            local=row,
            server_resource=item.resource,
            server_version=item.version_id,
        )
        if new is not None:
            self.outcome.conflicts.append(new)

    # --- new rows ----------------------------------------------------------------------

    def _flush_inserts(self, mapping: TableMapping) -> None:
        if not self._inserts:
            return
        items, self._inserts = self._inserts, []
        rows = []
        for item in items:
            assert item.values is not None
            rows.append(
                new_row(mapping, item.resource_id, item.values, item.version_id, item.last_updated)
            )
        try:
            with self._session.begin_nested():
                insert_rows(self._session, mapping, rows)
            inserted = items
        except (IntegrityError, DBAPIError):
            inserted = []
            for item, row in zip(items, rows, strict=True):
                if self._guarded(item, lambda r=row: insert_rows(self._session, mapping, [r])):
                    inserted.append(item)
        for item in inserted:
            self.outcome.count(mapping.entity_type)
            if mapping.content is not None:
                values = item.values
                assert values is not None
                queue_download(
                    self._session,
                    self._server,
                    item.resource_id,
                    values["sha256"],
                    values["size_bytes"],
                )
        if mapping.entity_type == "patients" and inserted:
            self._check_duplicates(mapping, inserted)
        if mapping.summarised_in is not None and inserted:
            resend_parents(self._session, mapping, [item.values or {} for item in inserted])

    def _check_duplicates(self, mapping: TableMapping, inserted: list[PulledItem]) -> None:
        """Possible duplicates among the patients just inserted and those already here; a
        pair that arrived in the same batch is offered once (on the later of the two)."""
        batch = {item.resource_id: position for position, item in enumerate(inserted)}
        patients = [(item.resource_id, item.values or {}) for item in inserted]
        matches = find_duplicates_batch(self._session, patients)
        for position, item in enumerate(inserted):
            for other in sorted(matches.get(item.resource_id, ())):
                if batch.get(other, -1) > position:
                    continue  # offered when `other` is looked at
                new = record_conflict(
                    self._session,
                    self._server,
                    kind=ConflictKind.DUPLICATE_PATIENT,
                    mapping=mapping,
                    entity_id=item.resource_id,
                    local={**(item.values or {}), "id": item.resource_id},
                    server_resource=item.resource,
                    server_version=item.version_id,
                    other_id=other,
                    detail="Same identifier, or same name and birth date",
                )
                if new is not None:
                    self.outcome.duplicates += 1
                    self.outcome.conflicts.append(new)

    # --- failures ----------------------------------------------------------------------

    def _guarded(self, item: PulledItem, write: Any) -> bool:
        try:
            with self._session.begin_nested():
                write()
        except (IntegrityError, DBAPIError) as exc:
            self._quarantine(item, _reason(exc))
            return False
        return True

    def _quarantine(self, item: PulledItem, message: str) -> None:
        quarantine.hold(
            self._session,
            self._server,
            direction=quarantine.PULL,
            entity_type=item.mapping.entity_type
            if item.mapping
            else (_release_table(item) if item.release else item.resource_type),
            entity_id=item.resource_id,
            resource_type=item.resource_type,
            resource=item.resource,
            status_code=None,
            message=message,
            server_version=item.version_id,
            server_time=instant(item.last_updated),
        )
        self.outcome.quarantined += 1
