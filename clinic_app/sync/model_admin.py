"""IT's side of model pack releases (`Action.MODELS_MANAGE`): publish a signed pack, see the
releases still coming down or refused (with the reason), and try a refused one again (after
trusting its key, say). Refused releases are held in the sync quarantine, which the clinical
roles see too; this is IT's view of the same rows, audited like every other call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Select, select

from clinic_app.errors import NotFoundError
from clinic_app.imaging.model_registry import ModelRegistry
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import SyncSettings
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.sync import quarantine
from clinic_app.sync.client import FhirClient
from clinic_app.sync.errors import SyncNotConfiguredError
from clinic_app.sync.model_downloads import ModelReleases
from clinic_app.sync.model_releases import MODEL_PACK_TABLE, publish_pack, read_pack
from clinic_app.sync.tables import SyncQuarantineRow

RECORD_TYPE = "model_pack"
COMING = "coming"
REFUSED = "refused"


@dataclass(frozen=True)
class ModelPackRelease:
    id: str  # model-pack-<name>-<version>
    state: str  # coming | refused
    reason: str  # why it was refused ("" while coming)
    since: datetime | None  # refused at


class ModelPackAdmin:
    def __init__(
        self,
        sync: SyncSettings,
        db: Database,
        audit: AuditLog,
        authorizer: Authorizer,
        models: ModelRegistry,
        releases: ModelReleases,
        connect: Callable[[SyncSettings], FhirClient],
        retry: Callable[[str, str, ModelReleases], bool],
    ) -> None:
        self._sync = sync
        self._db = db
        self._audit = audit
        self._authz = authorizer
        self._models = models
        self._releases = releases
        self._connect = connect
        self._retry = retry  # (server, quarantine row id, releases) → released

    def publish(self, user: AuthenticatedUser, pack_dir: Path) -> str:
        self._authz.require(user, Action.MODELS_MANAGE, record_type=RECORD_TYPE)
        if not self._sync.server_url:
            raise SyncNotConfiguredError("No sync server is configured.")
        # Verified here as every workstation will: signed by a key this clinic trusts.
        pack, files = read_pack(self._models, pack_dir)
        client = self._connect(self._sync)
        try:
            document = publish_pack(client, pack, files, user.id)
        finally:
            client.close()
        self._record(
            user,
            "models.publish",
            str(document["id"]),
            {
                "name": pack.manifest.name,
                "version": pack.manifest.version,
                "sha256": pack.manifest.sha256,
                "files": len(files),
            },
        )
        return str(document["id"])

    def releases(self, user: AuthenticatedUser) -> list[ModelPackRelease]:
        self._authz.require(user, Action.MODELS_MANAGE, record_type=RECORD_TYPE)
        found = [ModelPackRelease(i, COMING, "", None) for i in self._releases.pending()]
        with self._db.unit_of_work(write=False) as uow:
            for row in uow.session.scalars(self._held()):
                found.append(ModelPackRelease(row.entity_id, REFUSED, row.message, row.created_at))
        self._record(user, "models.releases.list", None, {"results": len(found)})
        return found

    def retry(self, user: AuthenticatedUser, release_id: str) -> bool:
        """Fetches a refused release again at the next sync (checked all over again)."""
        self._authz.require(user, Action.MODELS_MANAGE, record_type=RECORD_TYPE)
        with self._db.unit_of_work(write=False) as uow:
            row = uow.session.scalars(
                self._held().where(SyncQuarantineRow.entity_id == str(release_id)[:64])
            ).first()
            if row is None:
                raise NotFoundError("No refused model pack release with that id.")
            server, item_id = row.server_url, row.id
        self._record(user, "models.releases.retry", release_id, {})
        return self._retry(server, item_id, self._releases.retried_by_a_person())

    @staticmethod
    def _held() -> Select[tuple[SyncQuarantineRow]]:
        return (
            select(SyncQuarantineRow)
            .where(
                SyncQuarantineRow.entity_type == MODEL_PACK_TABLE,
                SyncQuarantineRow.status == quarantine.HELD,
                SyncQuarantineRow.direction == quarantine.PULL,
            )
            .order_by(SyncQuarantineRow.created_at)
        )

    def _record(
        self,
        user: AuthenticatedUser,
        action: str,
        record_id: str | None,
        details: dict[str, object],
    ) -> None:
        with self._db.unit_of_work() as uow:
            self._audit.append(
                uow.session,
                user.actor,
                action,
                record_type=RECORD_TYPE,
                record_id=record_id[:64] if record_id else None,
                details=details,
            )
            uow.commit()
