"""Application settings: where the data lives and the few knobs a clinic sets.

No QSettings here: the core is headless. Per-user GUI state lives with the UI. IT's machine-wide
configuration file (`clinic_app.packaging.machine_config`) supplies defaults and says which
settings users may not change (`Settings.locked`).
"""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import platformdirs

from clinic_app.packaging.machine_config import load_machine_config
from clinic_app.packaging.workstation_preferences import WorkstationPreferences

log = logging.getLogger(__name__)

APP_NAME = "clinic_app"
DATA_DIR_ENV = "CLINIC_DATA_DIR"
DEFAULT_IDLE_LOCK_MINUTES = 10
SYNC_SETTINGS_FILE = "sync.json"
DEFAULT_SYNC_INTERVAL_SECONDS = 300


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(
    explicit: str | os.PathLike[str] | None = None, configured: Path | None = None
) -> Path:
    """`--data-dir` wins over `CLINIC_DATA_DIR`, then the machine configuration's `data_dir`,
    then the platform default."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser().resolve()
    if configured is not None:
        return configured.expanduser().resolve()
    return default_data_dir()


@dataclass(frozen=True)
class SyncSettings:
    """Where and how often this workstation syncs (`sync.json` in the data directory).

    The device token is not here: it lives in the OS keyring under `token_ref`, a random name
    made when sync is configured (see `clinic_app.sync.credentials`).
    """

    server_url: str = ""
    enabled: bool = False
    interval_seconds: int = DEFAULT_SYNC_INTERVAL_SECONDS
    # A PEM bundle to trust instead of the system's CAs (a clinic's own CA); empty: system CAs.
    ca_bundle: str = ""
    token_ref: str = ""
    timeout_seconds: float = 30.0

    @classmethod
    def load(cls, data_dir: Path) -> SyncSettings:
        path = data_dir / SYNC_SETTINGS_FILE
        if not path.is_file():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                server_url=str(raw.get("server_url", "")),
                enabled=bool(raw.get("enabled", False)),
                interval_seconds=max(30, int(raw.get("interval_seconds", 300))),
                ca_bundle=str(raw.get("ca_bundle", "")),
                token_ref=str(raw.get("token_ref", "")),
                timeout_seconds=max(1.0, float(raw.get("timeout_seconds", 30.0))),
            )
        except (OSError, ValueError, AttributeError, TypeError):
            log.warning("sync settings unreadable; sync stays off until configured again")
            return cls()

    def save(self, data_dir: Path) -> None:
        path = data_dir / SYNC_SETTINGS_FILE
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        temporary.replace(path)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    workstation: str = field(default_factory=socket.gethostname)
    # Refuse to go on when less than this many bytes are free for the database to grow.
    min_free_bytes: int = 200 * 1024 * 1024
    # From IT's machine configuration: the unlock mode for a new database (None: keyring where
    # a secure one exists), the sync server, the UI language ("" = the system's), the names of
    # the settings users may not change, the file they came from, and IT's public keys.
    unlock_mode: str | None = None
    sync_server_url: str = ""
    language: str = ""
    locked: frozenset[str] = frozenset()
    machine_config_file: Path | None = None
    trusted_keys: Path | None = None

    @classmethod
    def load(cls, data_dir: str | os.PathLike[str] | None = None) -> Settings:
        """IT's machine configuration, then what an administrator saved for this workstation
        (`workstation.json`) where IT did not lock it. Raises `MachineConfigError` when IT's
        file is broken: the entry points say so and stop."""
        machine = load_machine_config()
        folder = resolve_data_dir(data_dir, machine.data_dir)
        saved = WorkstationPreferences.load(folder)
        minutes = machine.idle_lock_minutes or DEFAULT_IDLE_LOCK_MINUTES
        if saved.idle_lock_minutes is not None and "idle_lock_minutes" not in machine.locked:
            minutes = saved.idle_lock_minutes
        return cls(
            data_dir=folder,
            idle_lock_minutes=minutes,
            unlock_mode=machine.unlock_mode,
            sync_server_url=machine.sync_server_url or "",
            language=machine.language or "",
            locked=machine.locked,
            machine_config_file=machine.path,
            trusted_keys=machine.trusted_keys,
        )

    def is_locked(self, name: str) -> bool:
        """True when IT's machine configuration says users may not change `name`."""
        return name in self.locked

    @property
    def locked_note(self) -> str:
        """What a locked setting says about where its value comes from."""
        where = self.machine_config_file
        return f"Set by your IT department in {where}" if where else "Set by your IT department"

    @property
    def sync(self) -> SyncSettings:
        """Read when asked, so `clinic sync configure` takes effect without a restart. IT's
        server URL applies when sync.json has none, and always when IT locked it."""
        saved = SyncSettings.load(self.data_dir)
        if self.sync_server_url and (self.is_locked("sync_server_url") or not saved.server_url):
            return replace(saved, server_url=self.sync_server_url)
        return saved

    @property
    def database_path(self) -> Path:
        return self.data_dir / "clinic.db"

    @property
    def store_file(self) -> Path:
        return self.data_dir / "store.json"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"
