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

A facade: running a sync is here; each other concept is a small collaborator beside it
(`configuration`, `status_reader`, `conflict_inbox`, `quarantine_inbox`, `publishing`,
`model_admin`), so the callers keep one object and one set of names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from clinic_app.imaging.model_registry import ModelRegistry
from clinic_app.scheduling.booking_service import BookingService
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings, SyncSettings
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow
from clinic_app.sync.call_rules import MAX_LIST, RECORD_TYPE
from clinic_app.sync.client import FhirClient, RetryPolicy
from clinic_app.sync.configuration import SyncConfigurator
from clinic_app.sync.conflict_inbox import ConflictInbox
from clinic_app.sync.credentials import load_token
from clinic_app.sync.engine import EngineOptions, SyncEngine
from clinic_app.sync.errors import SyncNotConfiguredError
from clinic_app.sync.mappings.registry import MappingRegistry, default_registry
from clinic_app.sync.model_admin import ModelPackAdmin, ModelPackRelease
from clinic_app.sync.model_downloads import ModelReleases
from clinic_app.sync.models import (
    Conflict,
    QuarantinedItem,
    RecordSyncState,
    Resolution,
    SyncLogEntry,
    SyncReport,
    SyncStatus,
)
from clinic_app.sync.offline_pulls import OfflinePulls
from clinic_app.sync.publishing import Publisher
from clinic_app.sync.quarantine_inbox import QuarantineInbox
from clinic_app.sync.run_lock import RunLock
from clinic_app.sync.status_reader import StatusReader
from clinic_app.tasks import CancelToken, ProgressReporter

# RECORD_TYPE and MAX_LIST moved to `call_rules`; still importable from here.
__all__ = ["MAX_LIST", "RECORD_TYPE", "SyncService", "report_json"]


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
        # Read at each connection (never captured by a collaborator), so replacing it on a
        # built service takes effect at the next call.
        self._client_factory = client_factory or self._client
        self._offline = OfflinePulls(db, self._registry, audit_log, self._model_releases)
        self._configurator = SyncConfigurator(settings, db, audit_log, authorizer)
        self._status = StatusReader(settings, db, authorizer, self._registry, self._model_releases)
        self._conflicts = ConflictInbox(
            db, audit_log, authorizer, self._registry, booking, self._offline
        )
        self._held = QuarantineInbox(
            db, audit_log, authorizer, self._registry, self._model_releases, self._offline
        )

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
        return self._configurator.configure(
            user,
            url=url,
            token=token,
            enabled=enabled,
            interval_seconds=interval_seconds,
            ca_bundle=ca_bundle,
        )

    def _client(self, sync: SyncSettings, token: str) -> FhirClient:
        return FhirClient(
            sync.server_url, token, sync.ca_bundle, sync.timeout_seconds, retry=self._retry
        )

    def _connect(self, sync: SyncSettings) -> FhirClient:
        return self._client_factory(sync, load_token(sync.token_ref))

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
        client = self._connect(sync)
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

    # --- code set and model pack releases ----------------------------------------------

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

    # Built per call: each reads the sync settings as they are now (IT may have just
    # configured them).
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
            self._offline.retry_one,
        )

    # --- status and log ----------------------------------------------------------------

    def status(self, user: AuthenticatedUser | None) -> SyncStatus:
        """Counts only (nothing clinical), so the status bar may poll it without an audit."""
        return self._status.status(user)

    def log(self, user: AuthenticatedUser, limit: int = 200, offset: int = 0) -> list[SyncLogEntry]:
        return self._status.log(user, limit, offset)

    def record_state(
        self, user: AuthenticatedUser, entity_type: str, entity_id: str
    ) -> RecordSyncState:
        return self._status.record_state(user, entity_type, entity_id)

    # --- conflicts ---------------------------------------------------------------------

    def conflicts(self, user: AuthenticatedUser, limit: int = 100) -> list[Conflict]:
        """Open conflicts on records this user may change, both sides (audited: clinical)."""
        return self._conflicts.conflicts(user, limit)

    def resolve(
        self,
        user: AuthenticatedUser,
        conflict_id: str,
        resolution: Resolution | str,
        choices: Mapping[str, str] | None = None,
    ) -> None:
        self._conflicts.resolve(user, conflict_id, resolution, choices)

    # --- quarantine --------------------------------------------------------------------

    def quarantined(self, user: AuthenticatedUser, limit: int = 100) -> list[QuarantinedItem]:
        """Held records with the reason and the content (audited: it may be clinical)."""
        return self._held.quarantined(user, limit)

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
        return self._held.retry(user, item_id, resource=resource, fields=fields)


def report_json(report: SyncReport) -> str:
    return json.dumps(report.as_dict())
