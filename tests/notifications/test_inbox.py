"""The per-user inbox: notices posted in another service's transaction, read by their owner."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import ValidationError
from clinic_app.notifications.models import NotificationKind
from clinic_app.notifications.service import MAX_TITLE, post_notification
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser


def _post(
    services: Services,
    recipient: AuthenticatedUser,
    title: str = "Review a lab result",
    *,
    commit: bool = True,
) -> str:
    with services.db.unit_of_work() as uow:
        notice_id = post_notification(
            uow.session,
            recipient_id=recipient.id,
            kind=NotificationKind.ASSIGNED,
            title=title,
            record_type="record",
            record_id="r-1",
        )
        if commit:
            uow.commit()
    return notice_id


def test_a_notice_reaches_only_its_recipient(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    doctor, nurse = users[Role.DOCTOR], users[Role.NURSE]
    notice_id = _post(services, doctor)
    inbox = services.notifications.inbox(doctor)
    assert [n.id for n in inbox] == [notice_id]
    assert inbox[0].kind is NotificationKind.ASSIGNED
    assert not inbox[0].read
    assert services.notifications.inbox(nurse) == []
    assert services.notifications.unread_count(doctor) == 1
    assert services.notifications.unread_count(nurse) == 0


def test_a_rolled_back_change_leaves_no_notice(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    _post(services, users[Role.DOCTOR], commit=False)
    assert services.notifications.unread_count(users[Role.DOCTOR]) == 0


def test_mark_read_touches_only_the_owners_notices(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    doctor, nurse = users[Role.DOCTOR], users[Role.NURSE]
    mine = _post(services, doctor)
    theirs = _post(services, nurse)
    assert services.notifications.mark_read(doctor, [mine, theirs, "nope", 42]) == 1  # type: ignore[list-item]
    assert services.notifications.unread_count(doctor) == 0
    assert services.notifications.unread_count(nurse) == 1
    assert services.notifications.inbox(doctor, unread_only=True) == []
    assert services.notifications.inbox(doctor)[0].read
    assert services.notifications.mark_all_read(nurse) == 1
    assert services.notifications.unread_count(nurse) == 0


def test_titles_are_flattened_and_clipped(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    _post(services, users[Role.DOCTOR], "line\none\t" + "x" * 5000)
    title = services.notifications.inbox(users[Role.DOCTOR])[0].title
    assert len(title) == MAX_TITLE
    assert "\n" not in title
    assert title.startswith("line one")


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (10_000, 0), (5, -1)])
def test_bad_paging_is_refused(
    services: Services, users: dict[Role, AuthenticatedUser], limit: int, offset: int
) -> None:
    with pytest.raises(ValidationError):
        services.notifications.inbox(users[Role.DOCTOR], limit=limit, offset=offset)


def test_reading_the_inbox_is_audited_without_its_text(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    _post(services, users[Role.DOCTOR], "Patient Jane Roe needs review")
    services.notifications.inbox(users[Role.DOCTOR])
    events = services.audit.list(users[Role.ADMIN])
    listed = [e for e in events if e.action == "inbox.list"]
    assert listed
    assert listed[0].details == {"results": 1}
    assert all("Jane" not in str(e.details) for e in events)
