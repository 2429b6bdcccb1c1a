"""Where sync stands, read for the status bar and the Sync page: counts (nothing clinical,
so the status bar polls them unaudited), the run log, and one record's sync state. The
queries themselves are in `status`; this adds the permission checks."""

from __future__ import annotations

from dataclasses import replace

from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings
from clinic_app.storage.database import Database
from clinic_app.sync import status
from clinic_app.sync.call_rules import RECORD_TYPE, check_limit
from clinic_app.sync.mappings.registry import MappingRegistry
from clinic_app.sync.model_downloads import ModelReleases
from clinic_app.sync.models import RecordSyncState, SyncLogEntry, SyncStatus


class StatusReader:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        authorizer: Authorizer,
        registry: MappingRegistry,
        model_releases: ModelReleases,
    ) -> None:
        self._settings = settings
        self._db = db
        self._authz = authorizer
        self._registry = registry
        self._model_releases = model_releases

    def status(self, user: AuthenticatedUser | None) -> SyncStatus:
        if user is not None:
            self._authz.require(user, Action.SYNC_RUN, record_type=RECORD_TYPE)
        with self._db.unit_of_work(write=False) as uow:
            found = status.sync_status(uow.session, self._settings.sync)
        return replace(found, pending_model_packs=len(self._model_releases.pending()))

    def log(self, user: AuthenticatedUser, limit: int, offset: int) -> list[SyncLogEntry]:
        self._authz.require(user, Action.SYNC_RUN, record_type=RECORD_TYPE)
        check_limit(limit)
        with self._db.unit_of_work(write=False) as uow:
            return status.log_entries(uow.session, limit, max(0, offset))

    def record_state(
        self, user: AuthenticatedUser, entity_type: str, entity_id: str
    ) -> RecordSyncState:
        self._authz.require(user, Action.SYNC_RUN, record_type=RECORD_TYPE)
        with self._db.unit_of_work(write=False) as uow:
            return status.record_state(uow.session, self._registry, entity_type, entity_id)
