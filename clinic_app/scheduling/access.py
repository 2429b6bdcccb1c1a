"""Who may see which calendar: SCHEDULE_READ sees every doctor's, SCHEDULE_READ_OWN (a
doctor) only their own. Every check goes through the Authorizer, which looks at the account's
stored role and state (a disabled account loses access at once) and audits a refusal."""

from __future__ import annotations

from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser

RECORD_TYPE_SLOT = "slot"
RECORD_TYPE_APPOINTMENT = "appointment"
RECORD_TYPE_PROFILE = "doctor_profile"


def calendar_action(user: AuthenticatedUser, doctor_id: str | None) -> Action:
    """The right a look at `doctor_id`'s calendar needs (None: every doctor's): a doctor's own
    calendar needs only SCHEDULE_READ_OWN, anything else SCHEDULE_READ."""
    if user.can(Action.SCHEDULE_READ):
        return Action.SCHEDULE_READ
    if doctor_id == user.id:
        return Action.SCHEDULE_READ_OWN
    return Action.SCHEDULE_READ


def require_calendar(authz: Authorizer, user: AuthenticatedUser, doctor_id: str | None) -> None:
    authz.require(
        user, calendar_action(user, doctor_id), record_type=RECORD_TYPE_SLOT, record_id=doctor_id
    )
