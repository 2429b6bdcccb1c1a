"""Who may see which calendar: SCHEDULE_READ sees every doctor's, SCHEDULE_READ_OWN (a
doctor) only their own. A refusal goes through the Authorizer, which audits it."""

from __future__ import annotations

from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser

RECORD_TYPE_SLOT = "slot"
RECORD_TYPE_APPOINTMENT = "appointment"
RECORD_TYPE_PROFILE = "doctor_profile"


def require_calendar(authz: Authorizer, user: AuthenticatedUser, doctor_id: str | None) -> None:
    if user.can(Action.SCHEDULE_READ):
        return
    if doctor_id is not None and doctor_id == user.id and user.can(Action.SCHEDULE_READ_OWN):
        return
    authz.require(user, Action.SCHEDULE_READ, record_type=RECORD_TYPE_SLOT, record_id=doctor_id)
