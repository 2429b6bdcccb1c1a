"""The audit trail as administrators use it: every service call that touches patient data, an
account or a backup leaves its event; listing filters and refuses bad input; verifying records
its own result."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import AuthenticationError, ValidationError
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditFilter
from clinic_app.storage.backup import create_backup

from tests.conftest import PASSWORDS, USERNAMES
from tests.patient_inputs import patient_input
from tests.store_inspection import audit_events, last_audit_seq, table_counts

Users = dict[Role, AuthenticatedUser]


class Scene:
    """A store with one live and one deleted patient, and a backup file, for the calls below."""

    def __init__(self, services: Services, users: Users, folder: Path) -> None:
        doctor = users[Role.DOCTOR]
        self.services = services
        self.users = users
        self.folder = folder
        self.live = services.patients.create(doctor, patient_input()).patient.id
        self.gone = services.patients.create(
            doctor, patient_input(mrn="M-GONE", national_id="")
        ).patient.id
        services.patients.delete(doctor, self.gone)
        self.backup = folder / "scene.clinicbak"
        create_backup(services.settings.database_path, services.store.key, self.backup)


def _wrong_login(scene: Scene) -> None:
    with pytest.raises(AuthenticationError):
        scene.services.accounts.login(USERNAMES[Role.NURSE], "not-the-password-1")


def _lockout(scene: Scene) -> None:
    for _ in range(5):
        _wrong_login(scene)


# call → the actions it must record, in order, each with the record it concerns (None: none).
AUDITED: dict[str, tuple[Callable[[Scene], object], list[tuple[str, str | None]]]] = {
    "patient view": (
        lambda s: s.services.patients.get(s.users[Role.NURSE], s.live),
        [("patient.view", "live")],
    ),
    "patient search": (
        lambda s: s.services.patients.search(s.users[Role.FRONT_DESK], "durand"),
        [("patient.search", None)],
    ),
    "patient list": (
        lambda s: s.services.patients.list(s.users[Role.FRONT_DESK]),
        [("patient.list", None)],
    ),
    "duplicate check": (
        lambda s: s.services.patients.possible_duplicates(s.users[Role.NURSE], patient_input()),
        [("patient.duplicate_check", None)],
    ),
    "patient create": (
        lambda s: s.services.patients.create(
            s.users[Role.FRONT_DESK], patient_input(mrn="", national_id="")
        ),
        [("patient.create", "new")],
    ),
    "patient update": (
        lambda s: s.services.patients.update(
            s.users[Role.NURSE], s.live, patient_input(phone="0600000000"), 1
        ),
        [("patient.update", "live")],
    ),
    "patient delete": (
        lambda s: s.services.patients.delete(s.users[Role.DOCTOR], s.live),
        [("patient.delete", "live")],
    ),
    "patient restore": (
        lambda s: s.services.patients.restore(s.users[Role.DOCTOR], s.gone),
        [("patient.restore", "gone")],
    ),
    "login": (
        lambda s: s.services.accounts.login(USERNAMES[Role.NURSE], PASSWORDS[Role.NURSE]),
        [("auth.login", "nurse")],
    ),
    "failed login": (_wrong_login, [("auth.login_failed", "nurse")]),
    "lockout": (
        _lockout,
        [("auth.login_failed", "nurse")] * 5 + [("auth.lockout", "nurse")],
    ),
    "user create": (
        lambda s: s.services.accounts.add_user(
            s.users[Role.ADMIN], "new.nurse", "New Nurse", Role.NURSE, "first-pass-2026"
        ),
        [("user.create", "new")],
    ),
    "user disable": (
        lambda s: s.services.accounts.set_active(s.users[Role.ADMIN], USERNAMES[Role.NURSE], False),
        [("user.disable", "nurse")],
    ),
    "user role": (
        lambda s: s.services.accounts.set_role(
            s.users[Role.ADMIN], USERNAMES[Role.NURSE], Role.DOCTOR
        ),
        [("user.set_role", "nurse")],
    ),
    "password reset": (
        lambda s: s.services.accounts.reset_password(
            s.users[Role.ADMIN], USERNAMES[Role.NURSE], "temporary-2026-c"
        ),
        [("user.reset_password", "nurse")],
    ),
    "backup": (
        lambda s: s.services.backups.create(s.users[Role.ADMIN], s.folder / "new.clinicbak"),
        [("backup.create", None)],
    ),
    "backup verify": (
        lambda s: s.services.backups.verify(s.users[Role.ADMIN], s.backup),
        [("backup.verify", None)],
    ),
    "audit verify": (
        lambda s: s.services.audit.verify(s.users[Role.ADMIN]),
        [("audit.verify", None)],
    ),
}


@pytest.mark.parametrize("name", list(AUDITED))
def test_each_call_records_its_event(
    services: Services, users: Users, tmp_path: Path, name: str
) -> None:
    scene = Scene(services, users, tmp_path)
    call, expected = AUDITED[name]
    start = last_audit_seq(services.db)
    patients_before = {row[0] for row in _ids(services, "patients")}
    users_before = {row[0] for row in _ids(services, "users")}
    call(scene)
    events = audit_events(services.db, after_seq=start)
    new_patients = {row[0] for row in _ids(services, "patients")} - patients_before
    new_users = {row[0] for row in _ids(services, "users")} - users_before
    records = {
        "live": scene.live,
        "gone": scene.gone,
        "nurse": users[Role.NURSE].id,
        "new": next(iter(new_patients | new_users), "?"),
        None: None,
    }
    assert [(e.action, e.record_id) for e in events] == [
        (action, records[record]) for action, record in expected
    ]


def _ids(services: Services, table: str) -> list[tuple[Any, ...]]:
    with services.db.engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(f"SELECT id FROM {table}")]


def test_a_restore_is_recorded_in_the_restored_chain(
    services: Services, users: Users, tmp_path: Path
) -> None:
    scene = Scene(services, users, tmp_path)
    services.backups.restore(users[Role.ADMIN], scene.backup)
    last = audit_events(services.db)[-1]
    assert (last.action, last.outcome, last.user_id) == (
        "backup.restore",
        "ok",
        users[Role.ADMIN].id,
    )


def test_events_say_who_did_it(services: Services, users: Users) -> None:
    nurse = users[Role.NURSE]
    start = last_audit_seq(services.db)
    services.patients.list(nurse)
    (event,) = audit_events(services.db, after_seq=start)
    assert event.user_id == nurse.id
    listed = services.audit.list(users[Role.ADMIN], AuditFilter(action="patient.list"), limit=1)
    assert listed[0].username == nurse.username
    assert listed[0].workstation == "test-ws"
    assert listed[0].occurred_at.tzinfo is not None


def test_the_administrator_lists_filters_and_pages_the_log(
    services: Services, users: Users
) -> None:
    admin, doctor = users[Role.ADMIN], users[Role.DOCTOR]
    pid = services.patients.create(doctor, patient_input()).patient.id
    for _ in range(3):
        services.patients.get(doctor, pid)
    views = services.audit.list(admin, AuditFilter(action="patient.view", record_id=pid))
    assert len(views) == 3
    assert [e.seq for e in views] == sorted((e.seq for e in views), reverse=True)
    page = services.audit.list(admin, AuditFilter(action="patient.view"), limit=2, offset=1)
    assert [e.seq for e in page] == [e.seq for e in views[1:3]]
    now = datetime.now(UTC)
    assert services.audit.list(admin, AuditFilter(since=now + timedelta(hours=1))) == []
    assert len(services.audit.list(admin, AuditFilter(until=now + timedelta(hours=1)))) > 3
    assert "patient.view" in services.audit.actions(admin)


BAD_LISTINGS: list[dict[str, Any]] = [
    {"limit": 0},
    {"limit": 10_001},
    {"limit": "100"},
    {"limit": None},
    {"offset": -1},
    {"offset": 10**20},
    {"offset": 1.5},
    {"flt": AuditFilter(since=datetime(2026, 1, 1))},  # naive: which time zone?
    {"flt": AuditFilter(until="yesterday")},  # type: ignore[arg-type]
    {"flt": AuditFilter(username=7)},  # type: ignore[arg-type]
    {"flt": AuditFilter(action="\ud800")},
    {"flt": "patient.view"},
]


@pytest.mark.parametrize("options", BAD_LISTINGS, ids=[str(o) for o in BAD_LISTINGS])
def test_bad_listing_requests_are_refused(
    services: Services, users: Users, options: dict[str, Any]
) -> None:
    before = table_counts(services.db)
    with pytest.raises(ValidationError):
        services.audit.list(users[Role.ADMIN], **options)
    assert table_counts(services.db) == before


@pytest.mark.parametrize(
    "flt",
    [
        AuditFilter(action="'; DROP TABLE audit_events; --"),
        AuditFilter(action="%"),
        AuditFilter(username="x" * 1_000_000),
        AuditFilter(record_id=""),
    ],
)
def test_odd_filter_text_is_just_text(services: Services, users: Users, flt: AuditFilter) -> None:
    events = services.audit.list(users[Role.ADMIN], flt)
    if flt.record_id == "":
        assert events  # an empty filter field means "any"
    else:
        assert events == []


def test_verifying_records_its_result(services: Services, users: Users) -> None:
    admin = users[Role.ADMIN]
    assert services.audit.verify(admin).ok
    with services.db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        connection.exec_driver_sql("UPDATE audit_events SET username = 'x' WHERE seq = 2")
    result = services.audit.verify(admin)
    assert not result.ok
    assert result.first_broken_seq == 2
    events = audit_events(services.db)
    assert [(e.action, e.outcome) for e in events[-2:]] == [
        ("audit.verify", "ok"),
        ("audit.verify", "failed"),
    ]
    assert events[-1].details == {"checked": 1, "first_broken": 2}
