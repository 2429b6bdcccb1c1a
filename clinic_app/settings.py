"""Application settings: where the data lives and the few knobs a clinic sets.

No QSettings here: the core is headless. Per-user GUI state lives with the UI.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP_NAME = "clinic_app"
DATA_DIR_ENV = "CLINIC_DATA_DIR"
DEFAULT_IDLE_LOCK_MINUTES = 10


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--data-dir` wins over `CLINIC_DATA_DIR`, which wins over the platform default."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser().resolve()
    return default_data_dir()


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    workstation: str = field(default_factory=socket.gethostname)
    # Refuse to go on when less than this many bytes are free for the database to grow.
    min_free_bytes: int = 200 * 1024 * 1024

    @classmethod
    def load(cls, data_dir: str | os.PathLike[str] | None = None) -> Settings:
        return cls(data_dir=resolve_data_dir(data_dir))

    @property
    def database_path(self) -> Path:
        return self.data_dir / "clinic.db"

    @property
    def store_file(self) -> Path:
        return self.data_dir / "store.json"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"
