"""One sync run: pull (stage, then apply), retry held pulls, push, files up (all but large
ones), push their records, files down, large files up and their records, model pack releases
down (verified, then installed). Every step resumes where an interrupted run stopped.

Network trouble ends the run early with `ServerUnavailableError` (the status says offline);
nothing is lost: the outbox, the inbox and the cursor are exactly where they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow
from clinic_app.sync.apply import Applier
from clinic_app.sync.binaries import LARGE_FILE, Transfers
from clinic_app.sync.client import FhirClient
from clinic_app.sync.errors import (
    BadResponseError,
    RejectedError,
    ServerUnavailableError,
    SyncError,
)
from clinic_app.sync.journal import LogEvent, write_log
from clinic_app.sync.mappings.registry import MappingRegistry
from clinic_app.sync.model_downloads import ModelReleases
from clinic_app.sync.models import SyncReport
from clinic_app.sync.pull import Fetcher
from clinic_app.sync.pull_retry import retry_pulls
from clinic_app.sync.pulled_item import RELEASE_TYPE
from clinic_app.sync.push import Pusher
from clinic_app.sync.state import record_outcome
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

# The reference server's history is a snapshot in commit order (lastUpdated rises with it), so
# the next pull starts exactly where the last one ended. Other servers (HAPI FHIR) stamp
# lastUpdated before commit: a pull starts `overlap` earlier, to catch a version committed after
# a later-stamped one was seen; versions already here are skipped.
REFERENCE_SERVER = "clinic-server"


@dataclass(frozen=True)
class EngineOptions:
    page_size: int = 1000
    push_batch: int = 250
    apply_batch: int = 2000
    overlap: timedelta = field(default_factory=lambda: timedelta(seconds=30))


class SyncEngine:
    def __init__(
        self,
        db: Database,
        audit_log: AuditLog,
        registry: MappingRegistry,
        client: FhirClient,
        options: EngineOptions | None = None,
        models: ModelReleases | None = None,
    ) -> None:
        self._models = models
        self._db = db
        self._audit = audit_log
        self._registry = registry
        self._client = client
        self._server = client.base_url
        self._options = options or EngineOptions()

    def applier(self) -> Applier:
        return Applier(
            self._db,
            self._registry,
            self._client,
            self._server,
            self._audit,
            batch_size=self._options.apply_batch,
            models=self._models,
        )

    def run(
        self, progress: ProgressReporter | None = None, cancel: CancelToken | None = None
    ) -> SyncReport:
        progress = progress or NullProgress()
        report = SyncReport()
        with self._db.unit_of_work() as uow:
            write_log(uow.session, self._server, LogEvent.STARTED)
            uow.commit()
        try:
            self._steps(report, progress, cancel)
        except ServerUnavailableError as exc:
            self._ended(report, online=False, error=str(exc))
            raise
        except SyncError as exc:
            self._ended(report, online=True, error=str(exc))
            raise
        self._ended(report, online=True, error=None)
        return report

    def _steps(
        self, report: SyncReport, progress: ProgressReporter, cancel: CancelToken | None
    ) -> None:
        options = self._options
        overlap = self._overlap()
        fetched = Fetcher(
            self._db,
            self._client,
            self._server,
            self._registry.resource_types | {RELEASE_TYPE},
            page_size=options.page_size,
            overlap=overlap,
        ).fetch(progress, cancel)
        report.pulled = fetched.staged
        applier = self.applier()
        applied = applier.apply(progress, cancel)
        retry_pulls(self._db, self._registry, applier, self._server, None)
        report.applied = applied.applied
        report.merged = applied.merged
        report.conflicts = applied.conflicts
        report.quarantined = applied.quarantined
        report.code_sets = applied.code_sets
        pusher = Pusher(
            self._db,
            self._registry,
            self._client,
            self._server,
            self._audit,
            batch_size=options.push_batch,
        )
        pusher.run(progress, cancel)
        transfers = Transfers(self._db, self._client, self._server)
        report.uploaded = transfers.upload(progress, cancel, (0, LARGE_FILE))
        if report.uploaded:
            pusher.run(progress, cancel)  # the records of the files now on the server
        report.downloaded = transfers.download(progress, cancel)
        # Large files last: however long they take (or if one fails), everything else is done.
        large = transfers.upload(progress, cancel, (LARGE_FILE + 1, None))
        if large:
            pusher.run(progress, cancel)
        report.uploaded += large
        report.pushed = pusher.result.pushed
        report.conflicts += pusher.result.conflicts
        report.quarantined += pusher.result.quarantined
        report.local_only = pusher.result.local_only
        if self._models is not None:
            report.model_packs = self._models.run(self._client, self._server, progress, cancel)

    def _overlap(self) -> timedelta:
        try:
            statement = self._client.capabilities()
        except (RejectedError, BadResponseError):
            return self._options.overlap
        software = statement.get("software")
        name = software.get("name") if isinstance(software, dict) else None
        return timedelta(0) if name == REFERENCE_SERVER else self._options.overlap

    def _ended(self, report: SyncReport, *, online: bool, error: str | None) -> None:
        counters = self._client.counters
        report.requests = counters.requests
        report.bytes_sent = counters.bytes_sent
        report.bytes_received = counters.bytes_received
        report.online = online
        report.error = error
        record_outcome(
            self._db,
            self._server,
            online=online,
            error=error,
            succeeded_at=utcnow() if error is None else None,
        )
        with self._db.unit_of_work() as uow:
            event = (
                LogEvent.FINISHED
                if error is None
                else (LogEvent.OFFLINE if not online else LogEvent.FAILED)
            )
            write_log(
                uow.session,
                self._server,
                event,
                count=report.applied + report.pushed,
                message=error or f"pulled {report.applied}, pushed {report.pushed}",
            )
            uow.commit()
