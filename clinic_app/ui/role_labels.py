"""How roles read on screen."""

from __future__ import annotations

from clinic_app.security.permissions import Role

ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Administrator",
    Role.DOCTOR: "Doctor",
    Role.NURSE: "Nurse",
    Role.FRONT_DESK: "Front desk",
}


def role_label(role: Role) -> str:
    return ROLE_LABELS[role]
