"""What the signed-in role may do on a visit, read once from the permission table.

The services check every call themselves; this only decides what the screen offers.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser


@dataclass(frozen=True)
class VisitPermissions:
    read: bool
    open: bool
    write_intake: bool
    assess: bool
    record_vitals: bool
    sign: bool
    annotate: bool
    assign: bool
    export: bool
    triage: bool
    codes: bool

    @classmethod
    def for_user(cls, user: AuthenticatedUser) -> VisitPermissions:
        return cls(
            read=user.can(Action.VISIT_READ),
            open=user.can(Action.VISIT_OPEN),
            write_intake=user.can(Action.VISIT_WRITE),
            assess=user.can(Action.VISIT_ASSESS),
            record_vitals=user.can(Action.VITALS_WRITE),
            sign=user.can(Action.VISIT_SIGN),
            annotate=user.can(Action.ANNOTATE),
            assign=user.can(Action.RECORD_ASSIGN),
            export=user.can(Action.ATTACHMENT_EXPORT),
            triage=user.can(Action.TRIAGE_RUN),
            codes=user.can(Action.CODES_READ),
        )
