"""Database keys: made at init, kept in the OS keyring or wrapped by a passphrase; recovery keys.

The database key is always 32 random bytes, handed to SQLCipher as a raw key (no per-connection
KDF). In passphrase mode the key is wrapped with AES-GCM under a key derived from the passphrase
with argon2id, so a wrong passphrase is detected before the database is touched. The recovery
key is the database key itself, encoded with a checksum for typing: it opens the database file
on any machine, after which the store is re-keyed and a new recovery key is issued.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from clinic_app.errors import (
    KeyringUnavailableError,
    NotInitialisedError,
    UnlockError,
    ValidationError,
    WrongPassphraseError,
)
from clinic_app.storage.types import new_id, utcnow

KEYRING_SERVICE = "clinic_app"
KEY_BYTES = 32
STORE_FORMAT = 1
MIN_PASSPHRASE_LENGTH = 12
MAX_PASSPHRASE_LENGTH = 1024
_KEY_CHECK_LABEL = b"clinic_app key check v1"
# Backends that keep secrets in plain files or nowhere: never accepted for the database key.
_INSECURE_BACKEND_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


class UnlockMode(StrEnum):
    KEYRING = "keyring"
    PASSPHRASE = "passphrase"


@dataclass(frozen=True)
class KdfParams:
    salt: bytes
    time_cost: int = 3
    memory_cost_kib: int = 64 * 1024
    parallelism: int = 2

    def derive(self, passphrase: str) -> bytes:
        return hash_secret_raw(
            passphrase.encode("utf-8"),
            self.salt,
            time_cost=self.time_cost,
            memory_cost=self.memory_cost_kib,
            parallelism=self.parallelism,
            hash_len=KEY_BYTES,
            type=Type.ID,
        )


@dataclass(frozen=True)
class StoreInfo:
    """What `store.json` holds: never the key itself, only how to get it."""

    store_id: str
    unlock_mode: UnlockMode
    key_check: str
    created_at: str
    kdf: KdfParams | None = None
    wrapped_key: bytes | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": STORE_FORMAT,
            "store_id": self.store_id,
            "unlock_mode": self.unlock_mode.value,
            "key_check": self.key_check,
            "created_at": self.created_at,
        }
        if self.kdf is not None and self.wrapped_key is not None:
            data["kdf"] = {
                "name": "argon2id",
                "salt": base64.b64encode(self.kdf.salt).decode(),
                "time_cost": self.kdf.time_cost,
                "memory_cost_kib": self.kdf.memory_cost_kib,
                "parallelism": self.kdf.parallelism,
            }
            data["wrapped_key"] = base64.b64encode(self.wrapped_key).decode()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoreInfo:
        try:
            if data.get("format") != STORE_FORMAT:
                raise ValueError("unknown format")
            mode = UnlockMode(data["unlock_mode"])
            kdf = None
            wrapped = None
            if mode is UnlockMode.PASSPHRASE:
                raw = data["kdf"]
                kdf = KdfParams(
                    salt=base64.b64decode(raw["salt"], validate=True),
                    time_cost=int(raw["time_cost"]),
                    memory_cost_kib=int(raw["memory_cost_kib"]),
                    parallelism=int(raw["parallelism"]),
                )
                wrapped = base64.b64decode(data["wrapped_key"], validate=True)
            return cls(
                store_id=str(data["store_id"]),
                unlock_mode=mode,
                key_check=str(data["key_check"]),
                created_at=str(data["created_at"]),
                kdf=kdf,
                wrapped_key=wrapped,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise UnlockError(
                "The store description file (store.json) is damaged. Restore it from a backup "
                "or open the database with its recovery key (clinic unlock --recovery-key)."
            ) from exc


def key_check(key: bytes) -> str:
    """A short MAC of the key: tells a wrong key from a damaged database file."""
    return hmac.new(key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()[:32]


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


# --- keyring ------------------------------------------------------------------------------


def _backend_is_secure(backend: keyring.backend.KeyringBackend) -> bool:
    module = type(backend).__module__
    if module.startswith(_INSECURE_BACKEND_MODULES):
        return False
    try:
        return float(backend.priority) > 0  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - a backend's priority probe may fail any way it likes
        return False


def secure_keyring_available() -> bool:
    backend = keyring.get_keyring()
    children = getattr(backend, "backends", None)
    if children is not None:
        return any(_backend_is_secure(child) for child in children)
    return _backend_is_secure(backend)


def keyring_backend_name() -> str:
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _keyring_entry(store_id: str) -> str:
    return f"database:{store_id}"


def _store_in_keyring(store_id: str, key: bytes) -> None:
    if not secure_keyring_available():
        raise KeyringUnavailableError(
            "No secure OS keyring is available on this computer. Use the passphrase unlock mode."
        )
    try:
        keyring.set_password(KEYRING_SERVICE, _keyring_entry(store_id), key.hex())
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(f"The OS keyring refused to store the key: {exc}") from exc


def _load_from_keyring(store_id: str) -> bytes:
    try:
        value = keyring.get_password(KEYRING_SERVICE, _keyring_entry(store_id))
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(
            f"The OS keyring could not be read ({type(exc).__name__}). Unlock it and try again, "
            "or use the recovery key."
        ) from exc
    if not value:
        raise KeyringUnavailableError(
            "This computer's keyring does not hold the key for this database. If the data "
            "directory was copied from another machine, run `clinic unlock --recovery-key`."
        )
    try:
        return bytes.fromhex(value)
    except ValueError as exc:
        raise KeyringUnavailableError("The key in the OS keyring is damaged.") from exc


def forget_keyring_key(store_id: str) -> None:
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(KEYRING_SERVICE, _keyring_entry(store_id))


# --- passphrase ---------------------------------------------------------------------------


def check_passphrase_rules(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(
            f"The passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters."
        )
    if len(passphrase) > MAX_PASSPHRASE_LENGTH:
        raise ValidationError(
            f"The passphrase must have at most {MAX_PASSPHRASE_LENGTH} characters."
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in passphrase):
        raise ValidationError("The passphrase must not contain control characters.")


def _wrap(key: bytes, passphrase: str, store_id: str) -> tuple[KdfParams, bytes]:
    kdf = KdfParams(salt=secrets.token_bytes(16))
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(kdf.derive(passphrase)).encrypt(nonce, key, store_id.encode())
    return kdf, nonce + sealed


def _unwrap(info: StoreInfo, passphrase: str) -> bytes:
    if info.kdf is None or info.wrapped_key is None:
        raise UnlockError("This store has no passphrase-wrapped key.")
    if len(passphrase) > MAX_PASSPHRASE_LENGTH:
        raise WrongPassphraseError("The passphrase is not correct.")
    nonce, sealed = info.wrapped_key[:12], info.wrapped_key[12:]
    try:
        return AESGCM(info.kdf.derive(passphrase)).decrypt(nonce, sealed, info.store_id.encode())
    except InvalidTag as exc:
        raise WrongPassphraseError("The passphrase is not correct.") from exc


# --- recovery key -------------------------------------------------------------------------


def format_recovery_key(key: bytes) -> str:
    checksum = hashlib.sha256(b"clinic recovery" + key).digest()[:3]
    text = base64.b32encode(key + checksum).decode().rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(cleaned) != 56:
        raise UnlockError("That is not a recovery key: it should have 56 letters and digits.")
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except ValueError as exc:
        raise UnlockError("That is not a recovery key: it contains characters it can't.") from exc
    key, checksum = raw[:KEY_BYTES], raw[KEY_BYTES:]
    if hashlib.sha256(b"clinic recovery" + key).digest()[:3] != checksum:
        raise UnlockError("The recovery key has a typing error: check each group and try again.")
    return key


# --- store.json ---------------------------------------------------------------------------


def write_store_info(path: Path, info: StoreInfo) -> None:
    tmp = path.with_suffix(".json.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(info.to_json(), handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def read_store_info(path: Path) -> StoreInfo:
    if not path.exists():
        raise NotInitialisedError(
            f"No clinic database in {path.parent}. Run `clinic init` (or start the app) first."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnlockError("The store description file (store.json) can't be read.") from exc
    if not isinstance(data, dict):
        raise UnlockError("The store description file (store.json) is damaged.")
    return StoreInfo.from_json(data)


def create_store_info(
    key: bytes, mode: UnlockMode, passphrase: str | None, store_id: str | None = None
) -> StoreInfo:
    """Describe a new key and put it where the mode says (keyring or wrapped by passphrase)."""
    store_id = store_id or new_id()
    created = utcnow().isoformat()
    if mode is UnlockMode.KEYRING:
        _store_in_keyring(store_id, key)
        return StoreInfo(store_id, mode, key_check(key), created)
    if passphrase is None:
        raise ValidationError("A passphrase is required for the passphrase unlock mode.")
    check_passphrase_rules(passphrase)
    kdf, wrapped = _wrap(key, passphrase, store_id)
    return StoreInfo(store_id, mode, key_check(key), created, kdf=kdf, wrapped_key=wrapped)


def unlock_key(info: StoreInfo, passphrase: str | None) -> bytes:
    if info.unlock_mode is UnlockMode.KEYRING:
        key = _load_from_keyring(info.store_id)
    else:
        if passphrase is None:
            raise WrongPassphraseError("This database is protected by a passphrase; enter it.")
        key = _unwrap(info, passphrase)
    if not hmac.compare_digest(key_check(key), info.key_check):
        raise UnlockError("The key found does not belong to this database.")
    return key


def choose_unlock_mode(requested: UnlockMode | None) -> UnlockMode:
    """Keyring when a secure one exists; passphrase otherwise. Never plaintext."""
    if requested is UnlockMode.KEYRING and not secure_keyring_available():
        raise KeyringUnavailableError(
            "No secure OS keyring is available on this computer "
            f"({keyring_backend_name()}). Choose the passphrase unlock mode."
        )
    if requested is not None:
        return requested
    return UnlockMode.KEYRING if secure_keyring_available() else UnlockMode.PASSPHRASE
