"""The start-up work that runs on the database lane: plain functions, no widgets.

The core is imported inside each function so the first window appears before SQLAlchemy,
SQLCipher, argon2 and the keyring are loaded (they load on the worker meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clinic_app.bootstrap import Services
    from clinic_app.settings import Settings
    from clinic_app.tasks import ProgressReporter


class StoreState(StrEnum):
    NEW = "new"
    KEYRING = "keyring"
    PASSPHRASE = "passphrase"


@dataclass(frozen=True)
class StoreInspection:
    state: StoreState
    keyring_available: bool


@dataclass(frozen=True)
class SetupRequest:
    use_passphrase: bool
    passphrase: str
    admin_username: str
    admin_display_name: str
    admin_password: str


@dataclass(frozen=True)
class SetupResult:
    services: Services
    recovery_key: str


def inspect_store(settings: Settings) -> StoreInspection:
    from clinic_app.storage.keys import UnlockMode, secure_keyring_available
    from clinic_app.storage.store import is_initialised, unlock_mode

    if not is_initialised(settings):
        if settings.store_file.exists() != settings.database_path.exists():
            from clinic_app.errors import NotInitialisedError

            missing = "clinic.db" if settings.store_file.exists() else "store.json"
            raise NotInitialisedError(
                f"The data folder {settings.data_dir} is incomplete: {missing} is missing. "
                "Restore the folder from a backup; the application will not overwrite it."
            )
        return StoreInspection(StoreState.NEW, secure_keyring_available())
    mode = unlock_mode(settings)
    state = StoreState.PASSPHRASE if mode is UnlockMode.PASSPHRASE else StoreState.KEYRING
    return StoreInspection(state, secure_keyring_available())


def open_store_services(
    settings: Settings, passphrase: str | None, progress: ProgressReporter
) -> Services:
    from clinic_app.bootstrap import open_services

    return open_services(settings, passphrase, progress)


def run_setup(settings: Settings, request: SetupRequest, progress: ProgressReporter) -> SetupResult:
    from clinic_app.bootstrap import initialise
    from clinic_app.errors import ValidationError
    from clinic_app.storage.keys import UnlockMode, check_passphrase_rules

    if request.use_passphrase:
        try:
            check_passphrase_rules(request.passphrase)
        except ValidationError as exc:
            raise ValidationError(str(exc), {"passphrase": str(exc)}) from exc
    services, recovery_key = initialise(
        settings,
        mode=UnlockMode.PASSPHRASE if request.use_passphrase else UnlockMode.KEYRING,
        passphrase=request.passphrase if request.use_passphrase else None,
        admin_username=request.admin_username,
        admin_display_name=request.admin_display_name,
        admin_password=request.admin_password,
        progress=progress,
    )
    return SetupResult(services, recovery_key)
