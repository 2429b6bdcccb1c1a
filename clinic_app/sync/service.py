"""The sync feature's entry point for the GUI and the CLI (built by bootstrap as
`Services.sync`). Every call takes the signed-in user (or None for the background timer's
run) and returns frozen values.

- status bar: `status(user)`; the timer asks `due()` and runs `sync_now(None, …)` on the
  network lane (progress and cancel like any slow task);
- Sync page: `log(user)`, `quarantined(user)`, `retry_quarantined(user, id, …)`,
  `record_state(user, table, id)`;
- conflict inbox: `conflicts(user)` (side by side), `resolve(user, id, resolution, choices)`;
- IT: `configure(user, url=…, token=…, enabled=…, interval_seconds=…, ca_bundle=…)`,
  `publish_code_set(user, system, version)`, `publish_model_pack(user, folder)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.imaging.model_registry import ModelRegistry
from clinic_app.scheduling.booking_service import BookingService
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings, SyncSettings
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow
from clinic_app.sync import conflict_resolution, quarantine, status
from clinic_app.sync.apply import Applier
from clinic_app.sync.client import FhirClient, RetryPolicy
from clinic_app.sync.conflict_store import OPEN
from clinic_app.sync.credentials import load_token, new_token_ref, save_token
from clinic_app.sync.engine import EngineOptions, SyncEngine
from clinic_app.sync.errors import MappingError, SyncNotConfiguredError
from clinic_app.sync.mappings.registry import MappingRegistry, default_registry
from clinic_app.sync.model_admin import ModelPackAdmin, ModelPackRelease
from clinic_app.sync.model_downloads import ModelReleases
from clinic_app.sync.models import (
    Conflict,
    ConflictKind,
    QuarantinedItem,
    RecordSyncState,
    Resolution,
    SyncLogEntry,
    SyncReport,
    SyncStatus,
)
from clinic_app.sync.publishing import Publisher
from clinic_app.sync.pull_retry import retry_pulls
from clinic_app.sync.quarantine_edit import edit_pushed, replace_pulled
from clinic_app.sync.run_lock import RunLock
from clinic_app.sync.tables import SyncConflictRow, SyncQuarantineRow
from clinic_app.tasks import CancelToken, ProgressReporter

RECORD_TYPE = "sync"
MAX_LIST = 500


class SyncService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        audit_log: AuditLog,
        authorizer: Authorizer,
        booking: BookingService,
        *,
        registry: MappingRegistry | None = None,
        options: EngineOptions | None = None,
        retry: RetryPolicy | None = None,
        client_factory: Callable[[SyncSettings, str], FhirClient] | None = None,
        models: ModelRegistry | None = None,
    ) -> None:
        # Model packs from the server install into the data directory's models folder. A
        # registry of its own when none is given: a GUI holding another registry keeps its
        # cached sessions until it rescans (a new version is used from the next start).
        registry_of_models = models or ModelRegistry.for_data_dir(
            settings.data_dir, extra_dirs=[], build_builtin=False
        )
        self._models = registry_of_models
        self._model_releases = ModelReleases(settings.data_dir, registry_of_models, db, audit_log)
        self._settings = settings
        self._db = db
        self._audit = audit_log
        self._authz = authorizer
        self._booking = booking
        self._registry = registry or default_registry()
        self._options = options or EngineOptions()
        self._retry = retry or RetryPolicy()
        self._client_factory = client_factory or self._client

    # --- configuration -----------------------------------------------------------------

    def configure(
        self,
        user: AuthenticatedUser,
        *,
        url: str | None = None,
        token: str | None = None,
        enabled: bool | None = None,
        interval_seconds: int | None = None,
        ca_bundle: str | None = None,
    ) -> SyncSettings:
        self._authz.require(user, Action.SYNC_CONFIGURE, record_type=RECORD_TYPE)
        current = self._settings.sync
        changes: dict[str, Any] = {}
        if url is not None:
            changes["server_url"] = _clean_url(url)
        if enabled is not None:
            changes["enabled"] = bool(enabled)
        if interval_seconds is not None:
            if not 30 <= interval_seconds <= 24 * 3600:
                raise ValidationError("The interval must be 30 seconds to 24 hours.")
            changes["interval_seconds"] = interval_seconds
        if ca_bundle is not None:
            changes["ca_bundle"] = ca_bundle.strip()
        if token is not None:
            if not token.strip() or any(ch.isspace() for ch in token.strip()):
                raise ValidationError("The device token is one word, as the server printed it.")
            ref = current.token_ref or new_token_ref()
            save_token(ref, token.strip())
            changes["token_ref"] = ref
        updated = replace(current, **changes)
        updated.save(self._settings.data_dir)
        with self._db.unit_of_work() as uow:
            self._audit.append(
                uow.session,
                user.actor,
                "sync.configure",
                record_type=RECORD_TYPE,
                details={"enabled": updated.enabled, "token_changed": token is not None},
            )
            uow.commit()
        return updated

    def _client(self, sync: SyncSettings, token: str) -> FhirClient:
        return FhirClient(
            sync.server_url, token, sync.ca_bundle, sync.timeout_seconds, retry=self._retry
        )

    # --- running -----------------------------------------------------------------------

    def due(self) -> bool:
        """For the GUI's timer: sync is on and the interval has passed since the last try."""
        sync = self._settings.sync
        if not (sync.enabled and sync.server_url and sync.token_ref):
            return False
        current = self.status(None)
        last = current.last_attempt_at
        return last is None or utcnow() - last >= timedelta(seconds=sync.interval_seconds)

    def sync_now(
        self,
        user: AuthenticatedUser | None,
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> SyncReport:
        if user is not None:
            self._authz.require(user, Action.SYNC_RUN, record_type=RECORD_TYPE)
        sync = self._settings.sync
        if not sync.server_url:
            raise SyncNotConfiguredError(
                "No sync server is configured: run `clinic sync configure --url URL --token "
                "TOKEN` (IT)."
            )
        client = self._client_factory(sync, load_token(sync.token_ref))
        client.cancel = cancel
        try:
            with RunLock(self._settings.data_dir):
                engine = SyncEngine(
                    self._db,
                    self._audit,
                    self._registry,
                    client,
                    self._options,
                    models=self._model_releases,
                )
                return engine.run(progress, cancel)
        finally:
            client.close()

    def publish_code_set(
        self, user: AuthenticatedUser, system: str, version: str, *, active: bool = True
    ) -> str:
        """Sends a code set imported here to the server as a CodeSystem release, for the
        other workstations to check, import and (when `active`) switch to. Returns its id."""
        return self._publisher().code_set(user, system, version, active=active)

    def publish_model_pack(self, user: AuthenticatedUser, pack_dir: Path) -> str:
        """Sends an IT-signed model pack (verified here first) to the server as a release
        for the other workstations: its files as Binary, then the release. Returns its id."""
        return self._model_admin().publish(user, Path(pack_dir))

    def model_pack_releases(self, user: AuthenticatedUser) -> list[ModelPackRelease]:
        """IT: releases still coming down, and refused ones with the reason."""
        return self._model_admin().releases(user)

    def retry_model_pack(self, user: AuthenticatedUser, release_id: str) -> bool:
        """IT: a refused release is fetched and checked again at the next sync."""
        return self._model_admin().retry(user, release_id)

    def _publisher(self) -> Publisher:
        return Publisher(self._settings.sync, self._db, self._audit, self._authz, self._connect)

    def _model_admin(self) -> ModelPackAdmin:
        return ModelPackAdmin(
            self._settings.sync,
            self._db,
            self._audit,
            self._authz,
            self._models,
            self._model_releases,
            self._connect,
            self._retry_pull,
        )

    def _connect(self, sync: SyncSettings) -> FhirClient:
        return self._client_factory(sync, load_token(sync.token_ref))

    # --- status and log ----------------------------------------------------------------

    def status(self, user: AuthenticatedUser | None) -> SyncStatus:
        """Counts only (nothing clinical), so the status bar may poll it without an audit."""
        if user is not None:
            self._authz.require(user, Action.SYNC_RUN, record_type=RECORD_TYPE)
        with self._db.unit_of_work(write=False) as uow:
            found = status.sync_status(uow.session, self._settings.sync)
        return replace(found, pending_model_packs=len(self._model_releases.pending()))

    def log(self, user: AuthenticatedUser, limit: int = 200, offset: int = 0) -> list[SyncLogEntry]:
        self._authz.require(user, Action.SYNC_RUN, record_type=RECORD_TYPE)
        _check_limit(limit)
        with self._db.unit_of_work(write=False) as uow:
            return status.log_entries(uow.session, limit, max(0, offset))

    def record_state(
        self, user: AuthenticatedUser, entity_type: str, entity_id: str
    ) -> RecordSyncState:
        self._authz.require(user, Action.SYNC_RUN, record_type=RECORD_TYPE)
        with self._db.unit_of_work(write=False) as uow:
            return status.record_state(uow.session, self._registry, entity_type, entity_id)

    # --- conflicts ---------------------------------------------------------------------

    def conflicts(self, user: AuthenticatedUser, limit: int = 100) -> list[Conflict]:
        """Open conflicts on records this user may change, both sides (audited: clinical)."""
        self._authz.require(user, Action.SYNC_RESOLVE, record_type=RECORD_TYPE)
        _check_limit(limit)
        with self._db.unit_of_work() as uow:
            rows = uow.session.scalars(
                select(SyncConflictRow)
                .where(SyncConflictRow.status == OPEN)
                .order_by(SyncConflictRow.created_at)
            )
            visible = [row for row in rows if self._may_resolve(user, row)][:limit]
            found = [conflict_resolution.view(uow.session, self._registry, r) for r in visible]
            self._audit.append(
                uow.session,
                user.actor,
                "sync.conflicts.list",
                record_type=RECORD_TYPE,
                details={"results": len(found)},
            )
            uow.commit()
            return found

    def resolve(
        self,
        user: AuthenticatedUser,
        conflict_id: str,
        resolution: Resolution | str,
        choices: Mapping[str, str] | None = None,
    ) -> None:
        self._authz.require(user, Action.SYNC_RESOLVE, record_type=RECORD_TYPE)
        try:
            resolution = Resolution(resolution)
        except ValueError as exc:
            names = ", ".join(r.value for r in Resolution)
            raise ValidationError(f"Choose one of: {names}.") from exc
        entity_type, entity_id, kind, server = self._open_conflict(user, conflict_id)
        if resolution not in conflict_resolution.CHOICES[kind]:
            raise ValidationError(
                f"'{resolution.value}' does not apply to a {kind.value} conflict."
            )
        if resolution is Resolution.CANCEL_BOOKING:
            self._booking.cancel(user, entity_id, "The slot was booked on the server first.")
            # The server's booking of that slot, held until now, can be stored here at last.
            applier = self._offline_applier(server)
            retry_pulls(self._db, self._registry, applier, server, None)
        mapping = self._registry.for_table(entity_type)
        if mapping is None:
            raise ValidationError("This record's table no longer syncs.")
        with self._db.unit_of_work() as uow:
            current = uow.session.get(SyncConflictRow, conflict_id)
            if current is None or current.status != OPEN:
                raise ValidationError("This conflict was resolved meanwhile.")
            if kind in (ConflictKind.EDIT, ConflictKind.DELETED_ON_SERVER):
                conflict_resolution.resolve_record(
                    uow.session, mapping, current, resolution, choices
                )
            elif resolution is Resolution.KEEP_LOCAL:
                conflict_resolution.keep_trying(uow.session, mapping, current.entity_id)
            elif resolution is Resolution.CANCEL_BOOKING:
                conflict_resolution.rehold_slot(uow.session, current.entity_id)
            elif resolution is Resolution.MERGED:
                conflict_resolution.check_merged(uow.session, current)
            conflict_resolution.close(uow.session, current, resolution, user.id)
            self._audit.append(
                uow.session,
                user.actor,
                "sync.conflict.resolve",
                record_type=entity_type,
                record_id=entity_id,
                details={"resolution": resolution.value},
            )
            uow.commit()

    def _open_conflict(
        self, user: AuthenticatedUser, conflict_id: str
    ) -> tuple[str, str, ConflictKind, str]:
        with self._db.unit_of_work(write=False) as uow:
            row = (
                uow.session.get(SyncConflictRow, conflict_id)
                if isinstance(conflict_id, str)
                else None
            )
            if row is None or row.status != OPEN:
                raise NotFoundError("No open conflict with that id.")
            audience = self._audience(row)
            found = (row.entity_type, row.entity_id, ConflictKind(row.kind), row.server_url)
        if not user.can(audience):
            self._authz.require(user, audience, record_type=found[0])
        return found

    def _audience(self, row: SyncConflictRow) -> Action:
        mapping = self._registry.for_table(row.entity_type)
        return mapping.audience if mapping is not None else Action.SYNC_CONFIGURE

    def _may_resolve(self, user: AuthenticatedUser, row: SyncConflictRow) -> bool:
        return user.can(self._audience(row))

    # --- quarantine --------------------------------------------------------------------

    def quarantined(self, user: AuthenticatedUser, limit: int = 100) -> list[QuarantinedItem]:
        """Held records with the reason and the content (audited: it may be clinical)."""
        self._authz.require(user, Action.SYNC_RESOLVE, record_type=RECORD_TYPE)
        _check_limit(limit)
        with self._db.unit_of_work() as uow:
            items = status.quarantined_items(uow.session, limit)
            self._audit.append(
                uow.session,
                user.actor,
                "sync.quarantine.list",
                record_type=RECORD_TYPE,
                details={"results": len(items)},
            )
            uow.commit()
            return items

    def retry_quarantined(
        self,
        user: AuthenticatedUser,
        item_id: str,
        *,
        resource: dict[str, Any] | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> bool:
        """Releases a held record for the next push, or applies a held pulled version now
        (with an edited resource when given). Returns True when nothing holds it any more."""
        self._authz.require(user, Action.SYNC_RESOLVE, record_type=RECORD_TYPE)
        with self._db.unit_of_work() as uow:
            row = uow.session.get(SyncQuarantineRow, item_id) if isinstance(item_id, str) else None
            if row is None or row.status != quarantine.HELD:
                raise NotFoundError("No held record with that id.")
            mapping = self._registry.for_table(row.entity_type)
            try:
                if row.direction == quarantine.PUSH:
                    if fields:
                        if mapping is None:
                            raise ValidationError("This record's table no longer syncs.")
                        edit_pushed(uow.session, mapping, row.entity_id, fields)
                    quarantine.release(uow.session, row.server_url, row.entity_id, quarantine.PUSH)
                elif resource is not None:
                    replace_pulled(self._registry, row, resource)
            except MappingError as exc:
                raise ValidationError(str(exc)) from exc
            self._audit.append(
                uow.session,
                user.actor,
                "sync.quarantine.retry",
                record_type=row.entity_type,
                record_id=row.entity_id,
                details={"direction": row.direction},
            )
            server, direction = row.server_url, row.direction
            uow.commit()
        if direction == quarantine.PUSH:
            return True
        # Applying a held version needs no network (without a merge base, a change made on
        # both sides becomes a conflict).
        return self._retry_pull(server, item_id, self._model_releases.retried_by_a_person())

    def _retry_pull(self, server: str, item_id: str, models: ModelReleases) -> bool:
        applier = self._offline_applier(server, models)
        released, _held = retry_pulls(self._db, self._registry, applier, server, [item_id])
        return released > 0

    def _offline_applier(self, server: str, models: ModelReleases | None = None) -> Applier:
        return Applier(
            self._db,
            self._registry,
            None,
            server,
            self._audit,
            models=models or self._model_releases,
        )


def _check_limit(limit: int) -> None:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIST:
        raise ValidationError(f"The limit must be between 1 and {MAX_LIST}.")


def _clean_url(url: str) -> str:
    cleaned = url.strip().rstrip("/")
    if not cleaned.startswith(("https://", "http://")) or " " in cleaned:
        raise ValidationError("The server address is an http(s) URL, e.g. https://fhir.clinic/fhir")
    return cleaned


def report_json(report: SyncReport) -> str:
    return json.dumps(report.as_dict())
