"""Value objects for accounts: what services return (never ORM rows)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from clinic_app.errors import ValidationError
from clinic_app.security.permissions import Action, Role, is_allowed
from clinic_app.storage.audit import Actor
from clinic_app.storage.types import is_storable_text

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MAX_DISPLAY_NAME = 128


@dataclass(frozen=True)
class AuthenticatedUser:
    id: str
    username: str
    display_name: str
    role: Role
    must_change_password: bool = False

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.id, username=self.username)

    def can(self, action: Action) -> bool:
        return is_allowed(self.role, action)


@dataclass(frozen=True)
class UserSummary:
    id: str
    username: str
    display_name: str
    role: Role
    active: bool
    locked_until: datetime | None
    last_login_at: datetime | None


def normalise_username(text: str) -> str:
    username = text.strip().lower() if isinstance(text, str) else ""
    if not _USERNAME.fullmatch(username):
        raise ValidationError(
            "A user name has 2 to 64 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit.",
            {"username": "2–64 characters: a–z, 0–9, '.', '_' or '-'."},
        )
    return username


def clean_display_name(text: str) -> str:
    if not is_storable_text(text):
        raise ValidationError(
            "The display name must be text without characters that can't be stored.",
            {"display_name": "Contains characters that can't be stored."},
        )
    name = " ".join(text.split())
    if not name:
        raise ValidationError("A display name is required.", {"display_name": "Required."})
    if len(name) > MAX_DISPLAY_NAME:
        raise ValidationError(
            f"The display name must have at most {MAX_DISPLAY_NAME} characters.",
            {"display_name": f"At most {MAX_DISPLAY_NAME} characters."},
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValidationError(
            "The display name must not contain control characters.",
            {"display_name": "No control characters."},
        )
    return name
