"""Backups as a use case: role checks and audit events around the storage mechanics."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from clinic_app.errors import BackupError, ClinicError, ValidationError
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings
from clinic_app.storage.audit import AuditLog, Outcome
from clinic_app.storage.backup import BackupReport, create_backup, swap_in_restored, verify_backup
from clinic_app.storage.database import Database
from clinic_app.storage.migrate import known_revisions
from clinic_app.storage.types import is_storable_text
from clinic_app.tasks import CancelToken, ProgressReporter

RECORD_TYPE = "backup"


def _as_path(value: object) -> Path:
    """A file name as text or a path; anything else is a caller's mistake, said clearly."""
    if isinstance(value, str | os.PathLike) and is_storable_text(os.fspath(value)):
        return Path(value)
    raise ValidationError("Give the backup file as a path.", {"path": "A file path."})


class BackupService:
    """`reopen` is called after a restore swapped the database file: the composition root
    rebuilds its engine there (the old one points at the replaced file)."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        key: bytes,
        audit: AuditLog,
        authorizer: Authorizer,
        reopen: Callable[[], Database],
    ) -> None:
        self._settings = settings
        self._db = db
        self._key = key
        self._audit = audit
        self._authz = authorizer
        self._reopen = reopen

    def create(
        self,
        user: AuthenticatedUser,
        destination: Path,
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> BackupReport:
        self._authz.require(user, Action.BACKUP_CREATE, record_type=RECORD_TYPE)
        destination = _as_path(destination)
        # The audit event goes in first, so the backup itself records that it was made.
        with self._db.unit_of_work() as uow:
            self._audit.append(uow.session, user.actor, "backup.create", record_type=RECORD_TYPE)
            uow.commit()
        try:
            return create_backup(
                self._settings.database_path, self._key, destination, progress, cancel
            )
        except ClinicError:
            # The event above said a backup was started; this one says it was not made.
            with self._db.unit_of_work() as uow:
                self._audit.append(
                    uow.session,
                    user.actor,
                    "backup.create",
                    record_type=RECORD_TYPE,
                    outcome=Outcome.FAILED,
                )
                uow.commit()
            raise

    def verify(
        self,
        user: AuthenticatedUser,
        path: Path,
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> BackupReport:
        self._authz.require(user, Action.BACKUP_CREATE, record_type=RECORD_TYPE)
        path = _as_path(path)
        report = verify_backup(path, self._key, known_revisions(), progress, cancel)
        with self._db.unit_of_work() as uow:
            self._audit.append(
                uow.session,
                user.actor,
                "backup.verify",
                record_type=RECORD_TYPE,
                outcome=Outcome.OK if report.ok else Outcome.FAILED,
            )
            uow.commit()
        return report

    def restore(self, user: AuthenticatedUser, path: Path) -> tuple[Database, Path]:
        """Returns the reopened database and where the replaced one was kept."""
        self._authz.require(user, Action.BACKUP_RESTORE, record_type=RECORD_TYPE)
        path = _as_path(path)
        report = verify_backup(path, self._key, known_revisions())
        if not report.ok:
            with self._db.unit_of_work() as uow:
                self._audit.append(
                    uow.session,
                    user.actor,
                    "backup.restore",
                    record_type=RECORD_TYPE,
                    outcome=Outcome.FAILED,
                )
                uow.commit()
            raise BackupError(f"Restore refused: {report.message} The current data is untouched.")
        self._db.checkpoint()
        self._db.dispose()
        kept = swap_in_restored(
            self._settings.database_path,
            path,
            self._key,
            self._settings.backup_dir,
            known_revisions(),
        )
        self._db = self._reopen()
        with self._db.unit_of_work() as uow:
            self._audit.append(
                uow.session,
                user.actor,
                "backup.restore",
                record_type=RECORD_TYPE,
                details={"events_in_backup": report.audit_events},
            )
            uow.commit()
        return self._db, kept
