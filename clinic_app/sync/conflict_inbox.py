"""The conflict inbox's calls: list the open conflicts a user may settle (both sides, side by
side) and resolve one. A conflict is shown and settled only by a role allowed to change the
record (the table's audience); both calls are audited, the list because it is clinical."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.scheduling.booking_service import BookingService
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.sync import conflict_resolution
from clinic_app.sync.call_rules import RECORD_TYPE, check_limit
from clinic_app.sync.conflict_store import OPEN
from clinic_app.sync.mappings.registry import MappingRegistry
from clinic_app.sync.models import Conflict, ConflictKind, Resolution
from clinic_app.sync.offline_pulls import OfflinePulls
from clinic_app.sync.tables import SyncConflictRow


class ConflictInbox:
    def __init__(
        self,
        db: Database,
        audit_log: AuditLog,
        authorizer: Authorizer,
        registry: MappingRegistry,
        booking: BookingService,
        offline: OfflinePulls,
    ) -> None:
        self._db = db
        self._audit = audit_log
        self._authz = authorizer
        self._registry = registry
        self._booking = booking
        self._offline = offline

    def conflicts(self, user: AuthenticatedUser, limit: int) -> list[Conflict]:
        self._authz.require(user, Action.SYNC_RESOLVE, record_type=RECORD_TYPE)
        check_limit(limit)
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
        choices: Mapping[str, str] | None,
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
            self._offline.retry_all(server)
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
