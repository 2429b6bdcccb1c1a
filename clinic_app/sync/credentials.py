"""The device token, kept in the OS keyring (never in a file, never in a log).

Its keyring entry is named by `SyncSettings.token_ref`, a random name made when sync is
configured, so several data directories on one machine (or one test process) keep their own.
"""

from __future__ import annotations

import uuid

import keyring
import keyring.errors

from clinic_app.sync.errors import SyncNotConfiguredError

KEYRING_SERVICE = "clinic_app.sync"


def new_token_ref() -> str:
    return f"device-token-{uuid.uuid4()}"


def save_token(token_ref: str, token: str) -> None:
    try:
        keyring.set_password(KEYRING_SERVICE, token_ref, token)
    except keyring.errors.KeyringError as exc:
        raise SyncNotConfiguredError(
            "The device token could not be stored in the system keyring."
        ) from exc


def load_token(token_ref: str) -> str:
    try:
        token = keyring.get_password(KEYRING_SERVICE, token_ref) if token_ref else None
    except keyring.errors.KeyringError as exc:
        raise SyncNotConfiguredError("The system keyring could not be read.") from exc
    if not token:
        raise SyncNotConfiguredError(
            "This workstation has no device token for the sync server: run "
            "`clinic sync configure --url URL --token TOKEN` (IT)."
        )
    return token
