"""A workstation for sync tests: its own data directory and encrypted store (a copy of the
session's template), its sync settings pointing at a server, and helpers that read what it
holds for comparing workstations."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinic_app.bootstrap import Services, open_services
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings
from clinic_app.storage.outbox import OutboxRow
from clinic_app.sync.client import RetryPolicy
from clinic_app.sync.engine import EngineOptions
from clinic_app.sync.mappings.base import to_json_value
from clinic_app.sync.mappings.registry import default_registry
from clinic_app.sync.models import SyncReport
from clinic_app.sync.service import SyncService
from clinic_app.sync.tables import SyncConflictRow, SyncQuarantineRow
from sqlalchemy import func, select, text

from tests.conftest import Template
from tests.keyring_fake import MemoryKeyring

FAST_RETRY = RetryPolicy(attempts=12, base_seconds=0.05, cap_seconds=0.8, max_retry_after=5.0)
REGISTRY = default_registry()


@dataclass
class Workstation:
    name: str
    services: Services
    users: dict[Role, AuthenticatedUser]
    sync: SyncService

    @property
    def db(self) -> Any:
        return self.services.db

    def sync_now(self) -> SyncReport:
        return self.sync.sync_now(None)

    def close(self) -> None:
        self.services.close()

    # --- what it holds -----------------------------------------------------------------

    def content(self) -> dict[str, dict[str, tuple[Any, ...]]]:
        """Every synced table: id → (fields as JSON values, deleted)."""
        result: dict[str, dict[str, tuple[Any, ...]]] = {}
        with self.db.unit_of_work(write=False) as uow:
            for mapping in REGISTRY.mappings:
                rows = uow.session.execute(select(mapping.table)).mappings()
                result[mapping.entity_type] = {
                    row["id"]: (
                        tuple(to_json_value(row[name]) or None for name in mapping.fields),
                        row["deleted_at"] is not None,
                    )
                    for row in rows
                }
        return result

    def outbox(self) -> int:
        with self.db.unit_of_work(write=False) as uow:
            return int(uow.session.scalar(select(func.count()).select_from(OutboxRow)) or 0)

    def open_conflicts(self) -> list[SyncConflictRow]:
        with self.db.unit_of_work(write=False) as uow:
            rows = list(
                uow.session.scalars(select(SyncConflictRow).where(SyncConflictRow.status == "open"))
            )
            for row in rows:
                uow.session.expunge(row)
            return rows

    def held(self) -> list[SyncQuarantineRow]:
        with self.db.unit_of_work(write=False) as uow:
            rows = list(
                uow.session.scalars(
                    select(SyncQuarantineRow).where(SyncQuarantineRow.status == "held")
                )
            )
            for row in rows:
                uow.session.expunge(row)
            return rows

    def attachment_digest(self, attachment_id: str) -> str:
        digest = hashlib.sha256()
        with self.db.unit_of_work(write=False) as uow:
            for (data,) in uow.session.execute(
                text("SELECT data FROM attachment_chunks WHERE attachment_id = :a ORDER BY seq"),
                {"a": attachment_id},
            ):
                digest.update(data)
        return digest.hexdigest()


def make_workstation(
    name: str,
    root: Path,
    template: Template,
    keyring: MemoryKeyring,
    server_url: str | None,
    token: str | None,
    *,
    options: EngineOptions | None = None,
    retry: RetryPolicy = FAST_RETRY,
) -> Workstation:
    settings = Settings(data_dir=root / name / "data", workstation=name)
    shutil.copytree(template.data_dir, settings.data_dir)
    keyring.secrets.update(template.secrets)
    services = open_services(settings)
    sync = SyncService(
        settings,
        services.db,
        services.audit_log,
        services.authorizer,
        services.scheduling.booking,
        options=options,
        retry=retry,
    )
    station = Workstation(name, services, dict(template.users), sync)
    if server_url is not None:
        sync.configure(
            station.users[Role.ADMIN], url=server_url, token=token or "none", enabled=True
        )
    return station


def assert_converged(*stations: Workstation) -> None:
    """Every workstation holds the same synced records and has nothing left to send."""
    first = stations[0].content()
    for station in stations:
        assert station.outbox() == 0, station.name
        assert station.content() == first, station.name
