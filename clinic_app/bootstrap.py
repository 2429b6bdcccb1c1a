"""Composition root: builds the services once the store is open. Used by the GUI, the CLI,
the sync server and the tests alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from clinic_app.codes.service import CodeService
from clinic_app.errors import ClinicError
from clinic_app.maintenance.audit_service import AuditService
from clinic_app.maintenance.backup_service import BackupService
from clinic_app.maintenance.workstation_settings import WorkstationSettingsService
from clinic_app.notifications.service import NotificationService
from clinic_app.patients.service import PatientService
from clinic_app.records.services import Records, build_records
from clinic_app.scheduling.service import Scheduling, build_scheduling
from clinic_app.security.accounts import AccountService
from clinic_app.security.authorization import Authorizer
from clinic_app.security.idle_lock import UserSession
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.keys import UnlockMode, choose_unlock_mode
from clinic_app.storage.store import OpenedStore, create_store, open_store, reopen_with_key
from clinic_app.sync.service import SyncService
from clinic_app.tasks import ProgressReporter
from clinic_app.triage.code_suggestions import CodesServiceSuggester
from clinic_app.triage.online import OnlineAnalysisConfig, OnlineAnalyst
from clinic_app.triage.service import TriageService, build_triage

if TYPE_CHECKING:
    from clinic_app.imaging.analysis_service import AnalysisService
    from clinic_app.imaging.import_service import ImagingImportService
    from clinic_app.imaging.model_admin import ModelAdminService
    from clinic_app.imaging.model_registry import ModelRegistry
    from clinic_app.imaging.study_service import ImagingService

# The imaging services, built when first used (see `Services`). `models` is not here: the
# registry holds no database and outlives a restore.
_IMAGING_SERVICES = ("imaging", "imaging_import", "analyses", "model_admin")


class UnlockModeLockedError(ClinicError):
    """IT's machine configuration fixed the unlock mode and another one was asked for."""


@dataclass
class Services:
    settings: Settings
    store: OpenedStore
    db: Database
    audit_log: AuditLog
    authorizer: Authorizer
    accounts: AccountService
    patients: PatientService
    audit: AuditService
    notifications: NotificationService
    scheduling: Scheduling
    records: Records
    triage: TriageService
    backups: BackupService = field(repr=False)
    codes: CodeService = field(repr=False)
    sync: SyncService = field(repr=False)
    workstation_settings: WorkstationSettingsService = field(repr=False)

    # Imaging imports NumPy, OpenCV and pydicom (about a second and tens of MB): its services
    # are built on first use, so opening the store, signing in and the CLI's other commands
    # never pay for them. `_wire` drops them after a restore; the next use builds them anew.

    @cached_property
    def models(self) -> ModelRegistry:
        from clinic_app.imaging.model_registry import ModelRegistry

        return ModelRegistry.for_data_dir(self.settings.data_dir)

    @cached_property
    def imaging(self) -> ImagingService:
        from clinic_app.imaging.study_service import ImagingService

        return ImagingService(self.db, self.audit_log, self.authorizer)

    @cached_property
    def imaging_import(self) -> ImagingImportService:
        from clinic_app.imaging.import_service import ImagingImportService

        return ImagingImportService(self.db, self.audit_log, self.authorizer)

    @cached_property
    def analyses(self) -> AnalysisService:
        from clinic_app.imaging.analysis_service import AnalysisService

        return AnalysisService(self.db, self.audit_log, self.authorizer, self.models)

    @cached_property
    def model_admin(self) -> ModelAdminService:
        from clinic_app.imaging.model_admin import ModelAdminService

        return ModelAdminService(self.models, self.db, self.audit_log, self.authorizer)

    def new_session(self, user: AuthenticatedUser) -> UserSession:
        return UserSession(user, timedelta(minutes=self.settings.idle_lock_minutes))

    def close(self) -> None:
        self.db.dispose()


def build_services(settings: Settings, store: OpenedStore) -> Services:
    audit_log = AuditLog(settings.workstation)
    services: Services | None = None

    def reopen() -> Database:
        # After a restore the file under the engine changed: rebuild every service on it.
        assert services is not None
        fresh = open_store_with_key(settings, store)
        _wire(services, fresh.db)
        return fresh.db

    db = store.db
    authorizer = Authorizer(db, audit_log)
    codes = CodeService(db, audit_log, authorizer)
    scheduling = build_scheduling(db, audit_log, authorizer)
    services = Services(
        settings=settings,
        store=store,
        db=db,
        audit_log=audit_log,
        authorizer=authorizer,
        accounts=AccountService(db, audit_log, authorizer),
        patients=PatientService(db, audit_log, authorizer),
        audit=AuditService(db, audit_log, authorizer),
        notifications=NotificationService(db, audit_log),
        scheduling=scheduling,
        **_clinical(settings, db, audit_log, authorizer, codes),
        backups=BackupService(settings, db, store.key, audit_log, authorizer, reopen),
        codes=codes,
        sync=SyncService(settings, db, audit_log, authorizer, scheduling.booking),
        workstation_settings=WorkstationSettingsService(
            settings,
            store.info.unlock_mode.value,
            db,
            audit_log,
            authorizer,
            lambda changed: _apply_settings(services, changed),
        ),
    )
    return services


def _apply_settings(services: Services | None, changed: Settings) -> None:
    """An administrator changed a setting: new sessions (`new_session`) use it."""
    if services is not None:
        services.settings = changed


def _wire(services: Services, db: Database) -> None:
    authorizer = Authorizer(db, services.audit_log)
    services.db = db
    services.authorizer = authorizer
    services.accounts = AccountService(db, services.audit_log, authorizer)
    services.patients = PatientService(db, services.audit_log, authorizer)
    services.audit = AuditService(db, services.audit_log, authorizer)
    services.notifications = NotificationService(db, services.audit_log)
    services.codes = CodeService(db, services.audit_log, authorizer)
    for name in _IMAGING_SERVICES:
        services.__dict__.pop(name, None)  # rebuilt on the new database when next used
    services.workstation_settings = WorkstationSettingsService(
        services.settings,
        services.store.info.unlock_mode.value,
        db,
        services.audit_log,
        authorizer,
        lambda changed: _apply_settings(services, changed),
    )
    services.scheduling = build_scheduling(db, services.audit_log, authorizer)
    services.sync = SyncService(
        services.settings, db, services.audit_log, authorizer, services.scheduling.booking
    )
    clinical = _clinical(services.settings, db, services.audit_log, authorizer, services.codes)
    for name, service in clinical.items():
        setattr(services, name, service)


def _clinical(
    settings: Settings,
    db: Database,
    audit_log: AuditLog,
    authorizer: Authorizer,
    codes: CodeService,
) -> dict[str, Any]:
    """Records and triage. Online analysis only when the clinic configured it (off by
    default); suggested codes come from the codes feature's suggester."""
    records = build_records(db, audit_log, authorizer)
    online = OnlineAnalyst(OnlineAnalysisConfig.load(settings.data_dir))
    triage = build_triage(
        records.context,
        online=online if online.available else None,
        code_suggester=CodesServiceSuggester(codes),
    )
    return {"records": records, "triage": triage}


def open_store_with_key(settings: Settings, store: OpenedStore) -> OpenedStore:
    return reopen_with_key(settings, store.info, store.key)


def unlock_mode_for(settings: Settings, requested: UnlockMode | None) -> UnlockMode:
    """The unlock mode for a new database: the one asked for, else IT's choice, else keyring
    where a secure one exists. When IT locked the mode, asking for another is refused."""
    configured = UnlockMode(settings.unlock_mode) if settings.unlock_mode else None
    locked = configured is not None and settings.is_locked("unlock_mode")
    if locked and requested is not None and requested is not configured:
        assert configured is not None
        where = f" in {settings.machine_config_file}" if settings.machine_config_file else ""
        raise UnlockModeLockedError(
            f"Your IT department set the unlock mode of this workstation to "
            f"{configured.value}{where}; a {requested.value} database can't be created here."
        )
    return choose_unlock_mode(requested or configured)


def open_services(
    settings: Settings, passphrase: str | None = None, progress: ProgressReporter | None = None
) -> Services:
    return build_services(settings, open_store(settings, passphrase, progress))


def initialise(
    settings: Settings,
    *,
    mode: UnlockMode | None,
    passphrase: str | None,
    admin_username: str,
    admin_display_name: str,
    admin_password: str,
    progress: ProgressReporter | None = None,
) -> tuple[Services, str]:
    """First run: the database, the first administrator. Returns the services and the
    one-time recovery key (shown once, never stored)."""
    from clinic_app.security.passwords import check_password_rules
    from clinic_app.security.users import clean_display_name, normalise_username

    # Check the admin's details before anything is written, so a typo leaves no half-made store.
    username = normalise_username(admin_username)
    clean_display_name(admin_display_name)
    check_password_rules(admin_password, username)
    chosen = unlock_mode_for(settings, mode)
    store, recovery_key = create_store(settings, chosen, passphrase, progress)
    services = build_services(settings, store)
    services.accounts.create_first_admin(username, admin_display_name, admin_password)
    return services, recovery_key
