"""IT sends a code set imported here to the server, as a CodeSystem release for every
workstation (model packs: `model_admin`). Checked against the permission table and audited,
like every other service call."""

from __future__ import annotations

from collections.abc import Callable

from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import SyncSettings
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.sync.client import FhirClient
from clinic_app.sync.code_releases import release_bundle
from clinic_app.sync.errors import SyncNotConfiguredError


class Publisher:
    def __init__(
        self,
        sync: SyncSettings,
        db: Database,
        audit: AuditLog,
        authorizer: Authorizer,
        connect: Callable[[SyncSettings], FhirClient],
    ) -> None:
        self._sync = sync
        self._db = db
        self._audit = audit
        self._authz = authorizer
        self._connect = connect

    def _client(self) -> FhirClient:
        if not self._sync.server_url:
            raise SyncNotConfiguredError("No sync server is configured.")
        return self._connect(self._sync)

    def code_set(self, user: AuthenticatedUser, system: str, version: str, *, active: bool) -> str:
        self._authz.require(user, Action.CODES_MANAGE, record_type="code_set")
        if not self._sync.server_url:
            raise SyncNotConfiguredError("No sync server is configured.")
        with self._db.unit_of_work(write=False) as uow:
            bundle, release = release_bundle(uow.session, system, version, active=active)
        client = self._client()
        try:
            client.transaction(bundle)
        finally:
            client.close()
        with self._db.unit_of_work() as uow:
            self._audit.append(
                uow.session,
                user.actor,
                "codes.publish",
                record_type="code_set",
                details={
                    "system": release.system.value,
                    "version": release.version,
                    "codes": len(release.items),
                    "active": active,
                },
            )
            uow.commit()
        return str(bundle["entry"][0]["resource"]["id"])
