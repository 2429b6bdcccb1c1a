"""argon2id password hashing and the password rules."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from clinic_app.errors import ValidationError
from clinic_app.storage.types import is_storable_text

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def check_password_rules(password: str, username: str = "") -> None:
    if not is_storable_text(password):
        raise ValidationError(
            "The password must be text without characters that can't be stored.",
            {"password": "Contains characters that can't be stored."},
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            {"password": f"At least {MIN_PASSWORD_LENGTH} characters."},
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            f"The password must have at most {MAX_PASSWORD_LENGTH} characters.",
            {"password": f"At most {MAX_PASSWORD_LENGTH} characters."},
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        raise ValidationError(
            "The password must not contain control characters.",
            {"password": "No control characters."},
        )
    if not any(ch.isalpha() for ch in password) or not any(ch.isdigit() for ch in password):
        raise ValidationError(
            "The password must contain letters and digits.",
            {"password": "Use letters and digits."},
        )
    if username and username.lower() in password.lower():
        raise ValidationError(
            "The password must not contain the user name.",
            {"password": "Must not contain the user name."},
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    # A value no valid password can be is simply wrong (argon2 would raise on it).
    if not is_storable_text(password) or len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@functools.cache
def dummy_hash() -> str:
    """Verified against when the user name is unknown, so timing does not reveal which names
    exist. Made on first use, not at import: every start-up would pay an argon2 hash."""
    return _hasher.hash("not-a-real-password-0")
