"""The sync actions in the permission table, exercised through the sync service: everyone's
workstation syncs; the clinical roles and the desk resolve conflicts (each conflict again
needs the record's own permission); only the administrator configures. A refusal is a
PermissionDeniedError and a 'denied' audit event."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import PermissionDeniedError
from clinic_app.security.permissions import Action, Role, is_allowed
from clinic_app.security.users import AuthenticatedUser

from tests.store_inspection import audit_events, last_audit_seq

CALLS: dict[Action, Callable[[Services, AuthenticatedUser], object]] = {
    Action.SYNC_RUN: lambda s, u: s.sync.log(u),
    Action.SYNC_RESOLVE: lambda s, u: s.sync.conflicts(u),
    Action.SYNC_CONFIGURE: lambda s, u: s.sync.configure(u, interval_seconds=600),
}
ALLOWED = {
    Role.ADMIN: {Action.SYNC_RUN, Action.SYNC_CONFIGURE},
    Role.DOCTOR: {Action.SYNC_RUN, Action.SYNC_RESOLVE},
    Role.NURSE: {Action.SYNC_RUN, Action.SYNC_RESOLVE},
    Role.FRONT_DESK: {Action.SYNC_RUN, Action.SYNC_RESOLVE},
}


def test_the_table_says_what_the_design_says() -> None:
    for role, actions in ALLOWED.items():
        assert {a for a in CALLS if is_allowed(role, a)} == actions


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_sync_action_is_checked_by_the_service(
    services: Services, users: dict[Role, AuthenticatedUser], role: Role
) -> None:
    user = users[role]
    for action, call in CALLS.items():
        before = last_audit_seq(services.db)
        if action in ALLOWED[role]:
            call(services, user)
            continue
        with pytest.raises(PermissionDeniedError):
            call(services, user)
        events = audit_events(services.db, after_seq=before)
        assert [(e.action, e.outcome) for e in events] == [(action.value, "denied")]
