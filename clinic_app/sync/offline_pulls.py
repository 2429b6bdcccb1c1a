"""Applying pulled versions held here without the network: one a person released from the
quarantine (or a model pack release IT asked for again), or every held one of a server once
a conflict that blocked them is resolved. Without a merge base, a change made on both sides
becomes a conflict rather than being overwritten."""

from __future__ import annotations

from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.sync.apply import Applier
from clinic_app.sync.mappings.registry import MappingRegistry
from clinic_app.sync.model_downloads import ModelReleases
from clinic_app.sync.pull_retry import retry_pulls


class OfflinePulls:
    def __init__(
        self,
        db: Database,
        registry: MappingRegistry,
        audit_log: AuditLog,
        model_releases: ModelReleases,
    ) -> None:
        self._db = db
        self._registry = registry
        self._audit = audit_log
        self._model_releases = model_releases

    def retry_one(self, server: str, item_id: str, models: ModelReleases) -> bool:
        """True when the held version was applied (nothing holds it any more)."""
        applier = self._applier(server, models)
        released, _held = retry_pulls(self._db, self._registry, applier, server, [item_id])
        return released > 0

    def retry_all(self, server: str) -> None:
        retry_pulls(self._db, self._registry, self._applier(server), server, None)

    def _applier(self, server: str, models: ModelReleases | None = None) -> Applier:
        return Applier(
            self._db,
            self._registry,
            None,  # no client: nothing is fetched
            server,
            self._audit,
            models=models or self._model_releases,
        )
