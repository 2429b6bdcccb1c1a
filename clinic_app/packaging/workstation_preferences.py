"""What an administrator changed for this workstation in the app (the Settings dialog).

Kept in the data folder's ``workstation.json`` beside ``sync.json``. IT's machine configuration
supplies the defaults and may lock a setting; a locked setting's saved value is never used
(``Settings.load`` decides). Only what the running application can really change is here: the
data directory and the unlock mode are fixed once the database exists, the sync server is set
with ``clinic sync configure``, and this version speaks English only.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from clinic_app.packaging.machine_config import IDLE_LOCK_RANGE

log = logging.getLogger(__name__)

PREFERENCES_FILE = "workstation.json"
# Larger is not a preference file: refuse to read it rather than parse megabytes at start-up.
MAX_PREFERENCES_BYTES = 64 * 1024


def valid_idle_lock_minutes(value: object) -> bool:
    low, high = IDLE_LOCK_RANGE
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


@dataclass(frozen=True)
class WorkstationPreferences:
    """None means "not changed here": IT's value, or the application's default, applies."""

    idle_lock_minutes: int | None = None

    @classmethod
    def load(cls, data_dir: Path) -> WorkstationPreferences:
        """A missing file is no preference; a damaged one is ignored with a warning, so a bad
        edit never stops the application (the defaults are the safe choice)."""
        path = data_dir / PREFERENCES_FILE
        try:
            if not path.is_file():
                return cls()
            if path.stat().st_size > MAX_PREFERENCES_BYTES:
                raise ValueError("too large")
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("not an object")
        except (OSError, ValueError) as exc:
            log.warning("%s unreadable (%s); the defaults apply", PREFERENCES_FILE, exc)
            return cls()
        minutes = raw.get("idle_lock_minutes")
        if minutes is not None and not valid_idle_lock_minutes(minutes):
            log.warning("%s: idle_lock_minutes out of range; ignored", PREFERENCES_FILE)
            minutes = None
        return cls(idle_lock_minutes=minutes)

    def save(self, data_dir: Path) -> None:
        """Written whole to a temporary file, then renamed over the old one: a crash leaves
        either the old preferences or the new, never half of a file."""
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / PREFERENCES_FILE
        temporary = path.with_name(f".{PREFERENCES_FILE}.tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
