"""This workstation's settings as people see them, and the few an administrator may change.

Each setting says its value, whether IT's machine configuration locked it (and in which file),
and whether the signed-in user may change it here. Changing one is checked against the role
(`settings.manage`) and IT's locks, saved in the data folder's `workstation.json`, and written
to the audit log. The data directory and the unlock mode are fixed once the database exists,
the sync server is set with `clinic sync configure`, and this version speaks English only: they
are shown, not edited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from clinic_app.errors import ClinicError, ValidationError
from clinic_app.packaging.machine_config import IDLE_LOCK_RANGE
from clinic_app.packaging.workstation_preferences import (
    PREFERENCES_FILE,
    WorkstationPreferences,
    valid_idle_lock_minutes,
)
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action, is_allowed
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database

IDLE_LOCK = "idle_lock_minutes"
LABELS = {
    "data_dir": "Data directory",
    "unlock_mode": "Unlock mode",
    IDLE_LOCK: "Idle lock",
    "sync_server_url": "Sync server",
    "language": "Language",
}
_UNLOCK_MODE_TEXT = {
    "keyring": "This computer's secure keyring",
    "passphrase": "A passphrase typed at every start",
}
# Why a setting IT left unlocked is still not edited here.
_FIXED_NOTES = {
    "data_dir": "Chosen when the application starts (--data-dir, CLINIC_DATA_DIR or IT's "
    "configuration).",
    "unlock_mode": "Chosen when the database was created.",
    "sync_server_url": "Set with the command clinic sync configure.",
    "language": "This version is shown in English only.",
}


class SettingLockedError(ClinicError):
    """IT's machine configuration locked this setting."""


@dataclass(frozen=True)
class SettingEntry:
    name: str
    label: str
    value: str
    locked: bool
    editable: bool
    note: str


@dataclass(frozen=True)
class WorkstationSettingsView:
    entries: tuple[SettingEntry, ...]
    machine_config_file: Path | None
    may_change: bool
    idle_lock_minutes: int

    def entry(self, name: str) -> SettingEntry:
        for entry in self.entries:
            if entry.name == name:
                return entry
        raise KeyError(name)


class WorkstationSettingsService:
    def __init__(
        self,
        settings: Settings,
        database_unlock_mode: str,
        db: Database,
        audit: AuditLog,
        authorizer: Authorizer,
        on_changed: Callable[[Settings], None] | None = None,
    ) -> None:
        self._settings = settings
        self._database_unlock_mode = database_unlock_mode
        self._db = db
        self._audit = audit
        self._authz = authorizer
        self._on_changed = on_changed

    @property
    def settings(self) -> Settings:
        return self._settings

    def view(self, user: AuthenticatedUser) -> WorkstationSettingsView:
        """What the Settings dialog shows. Not clinical data: any signed-in user may look."""
        settings = self._settings
        may_change = is_allowed(user.role, Action.SETTINGS_MANAGE)
        values = {
            "data_dir": str(settings.data_dir),
            "unlock_mode": self._unlock_mode_text(),
            IDLE_LOCK: f"{settings.idle_lock_minutes} minutes",
            "sync_server_url": settings.sync.server_url or "Not set",
            "language": settings.language or "The system's",
        }
        entries = []
        for name, label in LABELS.items():
            locked = settings.is_locked(name)
            editable = name == IDLE_LOCK and may_change and not locked
            if locked:
                note = settings.locked_note
            elif name == IDLE_LOCK:
                note = (
                    "Applies from the next sign-in."
                    if may_change
                    else "Only an administrator can change this."
                )
            else:
                note = _FIXED_NOTES[name]
            entries.append(SettingEntry(name, label, values[name], locked, editable, note))
        return WorkstationSettingsView(
            tuple(entries), settings.machine_config_file, may_change, settings.idle_lock_minutes
        )

    def set_idle_lock_minutes(self, user: AuthenticatedUser, minutes: object) -> Settings:
        """Saves the minutes of inactivity before a session locks itself; the sessions that
        start after this use it. Returns the settings now in force."""
        self._authz.require(
            user, Action.SETTINGS_MANAGE, record_type="settings", record_id=IDLE_LOCK
        )
        settings = self._settings
        if settings.is_locked(IDLE_LOCK):
            raise SettingLockedError(
                f"The idle lock is not yours to change here: {settings.locked_note}."
            )
        if not valid_idle_lock_minutes(minutes):
            low, high = IDLE_LOCK_RANGE
            message = f"Choose a whole number of minutes from {low} to {high}."
            raise ValidationError(message, {IDLE_LOCK: message})
        assert isinstance(minutes, int)
        previous = settings.idle_lock_minutes
        with self._db.unit_of_work() as uow:
            self._audit.append(
                uow.session,
                user.actor,
                "settings.change",
                record_type="settings",
                record_id=IDLE_LOCK,
                details={"value": minutes, "previous": previous},
            )
            # Saved inside the unit of work: a file that can't be written leaves no audit event
            # claiming a change, and nothing half-written (the file is replaced whole).
            saved = WorkstationPreferences.load(settings.data_dir)
            try:
                replace(saved, idle_lock_minutes=minutes).save(settings.data_dir)
            except OSError as exc:
                raise ClinicError(
                    f"The settings could not be saved in {settings.data_dir / PREFERENCES_FILE}: "
                    f"{exc.strerror or exc}."
                ) from exc
            uow.commit()
        self._settings = replace(settings, idle_lock_minutes=minutes)
        if self._on_changed is not None:
            self._on_changed(self._settings)
        return self._settings

    def _unlock_mode_text(self) -> str:
        text = _UNLOCK_MODE_TEXT.get(self._database_unlock_mode, self._database_unlock_mode)
        wanted = self._settings.unlock_mode
        if wanted and wanted != self._database_unlock_mode:
            return f"{text} (IT's choice for a new database: {wanted})"
        return text
