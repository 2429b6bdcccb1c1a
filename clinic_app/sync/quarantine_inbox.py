"""The Sync page's held records: list what the quarantine holds (reason and content) and let
a person release one, edited or not. A record refused by the server goes out again at the
next push; a pulled version refused here is applied at once, with no network. Both calls are
audited, the list because the content may be clinical."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.sync import quarantine, status
from clinic_app.sync.call_rules import RECORD_TYPE, check_limit
from clinic_app.sync.errors import MappingError
from clinic_app.sync.mappings.registry import MappingRegistry
from clinic_app.sync.model_downloads import ModelReleases
from clinic_app.sync.models import QuarantinedItem
from clinic_app.sync.offline_pulls import OfflinePulls
from clinic_app.sync.quarantine_edit import edit_pushed, replace_pulled
from clinic_app.sync.tables import SyncQuarantineRow


class QuarantineInbox:
    def __init__(
        self,
        db: Database,
        audit_log: AuditLog,
        authorizer: Authorizer,
        registry: MappingRegistry,
        model_releases: ModelReleases,
        offline: OfflinePulls,
    ) -> None:
        self._db = db
        self._audit = audit_log
        self._authz = authorizer
        self._registry = registry
        self._model_releases = model_releases
        self._offline = offline

    def quarantined(self, user: AuthenticatedUser, limit: int) -> list[QuarantinedItem]:
        self._authz.require(user, Action.SYNC_RESOLVE, record_type=RECORD_TYPE)
        check_limit(limit)
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

    def retry(
        self,
        user: AuthenticatedUser,
        item_id: str,
        *,
        resource: dict[str, Any] | None,
        fields: Mapping[str, Any] | None,
    ) -> bool:
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
        return self._offline.retry_one(server, item_id, self._model_releases.retried_by_a_person())
