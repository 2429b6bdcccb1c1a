"""Names of the people whose ids appear on records (authors, clinicians, reviewers)."""

from __future__ import annotations

from dataclasses import dataclass, field

from clinic_app.security.permissions import Role
from clinic_app.security.users import UserSummary

UNKNOWN_PERSON = "Former user"


@dataclass(frozen=True)
class UserDirectory:
    users: tuple[UserSummary, ...] = ()
    _names: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._names.update({user.id: user.display_name for user in self.users})

    def name(self, user_id: str | None) -> str:
        if not user_id:
            return ""
        return self._names.get(user_id, UNKNOWN_PERSON)

    def clinicians(self) -> list[UserSummary]:
        """Active doctors and nurses: who may be a visit's clinician."""
        return [u for u in self.users if u.active and u.role in (Role.DOCTOR, Role.NURSE)]

    def doctors(self) -> list[UserSummary]:
        return [u for u in self.users if u.active and u.role is Role.DOCTOR]
