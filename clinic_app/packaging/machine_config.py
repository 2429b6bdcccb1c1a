"""The machine-wide configuration IT writes once per workstation (silent install).

Where it is read from (the first that applies):

1. ``$CLINIC_CONFIG``: a path to the file (an empty value means "no machine configuration");
   a path that does not exist is an error, so a typo in a deployment script is not silent;
2. the platform's location, when the file exists:

   ============  ==================================================
   Linux         ``/etc/clinic_app/config.toml``
   Windows       ``%ProgramData%\\clinic_app\\config.toml``
   macOS         ``/Library/Application Support/clinic_app/config.toml``
   ============  ==================================================

The file is TOML; every key is optional::

    data_dir = "/srv/clinic-data"          # where the encrypted database lives
    unlock_mode = "passphrase"             # keyring | passphrase, for a new database
    idle_lock_minutes = 5                  # 1 to 240
    sync_server_url = "https://sync.clinic.example/fhir"
    language = "en"                        # an IETF tag: en, fr, pt-BR, ...
    locked = ["data_dir", "idle_lock_minutes"]   # or: locked = true (all of the above)
    trusted_keys = "/etc/clinic_app/keys"  # IT's Ed25519 public keys (a .pub/.pem file or a
                                           # folder of them): updates and the bundle's selftest

A locked setting is one users may not change: the application applies IT's value and shows it
as set by IT. Unknown keys, wrong types and out-of-range values are refused with a message
naming the file and the key; a broken file never silently unlocks anything.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from clinic_app.errors import ClinicError

CONFIG_ENV = "CLINIC_CONFIG"
CONFIG_FILE_NAME = "config.toml"
APP_DIR_NAME = "clinic_app"
# The settings IT may set and lock, in the order they are documented.
LOCKABLE = ("data_dir", "unlock_mode", "idle_lock_minutes", "sync_server_url", "language")
_OTHER_KEYS = ("locked", "trusted_keys")
UNLOCK_MODES = ("keyring", "passphrase")
IDLE_LOCK_RANGE = (1, 240)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


class MachineConfigError(ClinicError):
    """The machine-wide configuration file is missing, unreadable or invalid."""


@dataclass(frozen=True)
class MachineConfig:
    """What IT set; None means "not set here"."""

    path: Path | None = None
    data_dir: Path | None = None
    unlock_mode: str | None = None
    idle_lock_minutes: int | None = None
    sync_server_url: str | None = None
    language: str | None = None
    locked: frozenset[str] = frozenset()
    trusted_keys: Path | None = None


def default_config_path(platform: str | None = None) -> Path:
    """The documented location for this operating system (whether or not the file exists)."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        program_data = os.environ.get("PROGRAMDATA", r"C:\ProgramData")
        return Path(program_data) / APP_DIR_NAME / CONFIG_FILE_NAME
    if platform == "darwin":
        return Path("/Library/Application Support") / APP_DIR_NAME / CONFIG_FILE_NAME
    return Path("/etc") / APP_DIR_NAME / CONFIG_FILE_NAME


def config_path() -> Path | None:
    """The file to read, or None when there is no machine configuration."""
    from_env = os.environ.get(CONFIG_ENV)
    if from_env is not None:
        if not from_env.strip():
            return None
        path = Path(from_env).expanduser()
        if not path.is_file():
            raise MachineConfigError(
                f"{CONFIG_ENV} names {path}, which is not a file; fix or unset {CONFIG_ENV}."
            )
        return path
    path = default_config_path()
    return path if path.is_file() else None


def load_machine_config() -> MachineConfig:
    path = config_path()
    return MachineConfig() if path is None else read_machine_config(path)


def read_machine_config(path: Path) -> MachineConfig:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MachineConfigError(f"The machine configuration {path} can't be read: {exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MachineConfigError(
            f"The machine configuration {path} is not valid TOML: {exc}"
        ) from exc
    return parse_machine_config(raw, path)


def _fail(path: Path, key: str, message: str) -> MachineConfigError:
    return MachineConfigError(f"The machine configuration {path}: {key} {message}.")


def _text(raw: dict[str, object], key: str, path: Path) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, key, "must be a non-empty string")
    return value.strip()


def _locked(raw: dict[str, object], path: Path) -> frozenset[str]:
    value = raw.get("locked", False)
    if isinstance(value, bool):
        return frozenset(LOCKABLE) if value else frozenset()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _fail(path, "locked", "must be true, false or a list of setting names")
    unknown = sorted(set(value) - set(LOCKABLE))
    if unknown:
        raise _fail(path, "locked", f"names {unknown[0]!r}; lockable: {', '.join(LOCKABLE)}")
    return frozenset(value)


def parse_machine_config(raw: dict[str, object], path: Path) -> MachineConfig:
    unknown = sorted(set(raw) - set(LOCKABLE) - set(_OTHER_KEYS))
    if unknown:
        raise _fail(path, unknown[0], f"is not a known key ({', '.join(LOCKABLE + _OTHER_KEYS)})")
    unlock_mode = _text(raw, "unlock_mode", path)
    if unlock_mode is not None and unlock_mode not in UNLOCK_MODES:
        raise _fail(path, "unlock_mode", f"must be one of {', '.join(UNLOCK_MODES)}")
    minutes = raw.get("idle_lock_minutes")
    low, high = IDLE_LOCK_RANGE
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high
    ):
        raise _fail(path, "idle_lock_minutes", f"must be a whole number from {low} to {high}")
    url = _text(raw, "sync_server_url", path)
    if url is not None and not url.startswith(("https://", "http://")):
        raise _fail(path, "sync_server_url", "must start with https:// (or http://)")
    language = _text(raw, "language", path)
    if language is not None and not _LANGUAGE.match(language):
        raise _fail(path, "language", "must be a language tag such as en or pt-BR")
    data_dir = _text(raw, "data_dir", path)
    keys = _text(raw, "trusted_keys", path)
    return MachineConfig(
        path=path,
        data_dir=Path(data_dir).expanduser() if data_dir else None,
        unlock_mode=unlock_mode,
        idle_lock_minutes=minutes if isinstance(minutes, int) else None,
        sync_server_url=url,
        language=language,
        locked=_locked(raw, path),
        trusted_keys=Path(keys).expanduser() if keys else None,
    )
