"""Every cell of the role × action table, exercised through the service that needs it: allowed
calls go through; refused calls raise PermissionDeniedError, record one 'denied' audit event
and change nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import PermissionDeniedError, ValidationError
from clinic_app.patients.demo import seed_patients
from clinic_app.security.permissions import PERMISSIONS, Action, Role, is_allowed
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.backup import create_backup

from tests.conftest import USERNAMES
from tests.patient_inputs import patient_input
from tests.store_inspection import audit_events, last_audit_seq, table_counts


@dataclass(frozen=True)
class World:
    services: Services
    live_patient: str
    deleted_patient: str
    twin_patient: str  # a live duplicate of live_patient, for the merge
    backup: Path
    folder: Path


@dataclass(frozen=True)
class Case:
    """A service call and the actions it checks, in the order it checks them."""

    needs: tuple[Action, ...]
    call: Callable[[World, AuthenticatedUser], object]


CASES: dict[Action, Case] = {
    Action.PATIENT_READ: Case(
        (Action.PATIENT_READ,), lambda w, u: w.services.patients.get(u, w.live_patient)
    ),
    # Clinical reads are not refused but redacted; see the dedicated test below.
    Action.PATIENT_READ_CLINICAL: Case(
        (Action.PATIENT_READ,), lambda w, u: w.services.patients.get(u, w.live_patient)
    ),
    Action.PATIENT_CREATE: Case(
        (Action.PATIENT_CREATE,),
        lambda w, u: w.services.patients.create(u, patient_input(mrn="NEW-1", national_id="")),
    ),
    Action.PATIENT_UPDATE: Case(
        (Action.PATIENT_UPDATE,),
        lambda w, u: w.services.patients.update(
            u, w.live_patient, patient_input(phone="0700000000"), 1
        ),
    ),
    Action.PATIENT_UPDATE_CLINICAL: Case(
        (Action.PATIENT_UPDATE, Action.PATIENT_UPDATE_CLINICAL),
        lambda w, u: w.services.patients.update(
            u, w.live_patient, patient_input(allergies="Penicillin"), 1
        ),
    ),
    Action.PATIENT_DELETE: Case(
        (Action.PATIENT_DELETE,), lambda w, u: w.services.patients.delete(u, w.live_patient)
    ),
    Action.PATIENT_RESTORE: Case(
        (Action.PATIENT_RESTORE,),
        lambda w, u: w.services.patients.restore(u, w.deleted_patient),
    ),
    Action.PATIENT_MERGE: Case(
        (Action.PATIENT_MERGE,),
        lambda w, u: w.services.patients.merge(u, w.live_patient, w.twin_patient),
    ),
    Action.USER_MANAGE: Case(
        (Action.USER_MANAGE,),
        lambda w, u: w.services.accounts.set_role(u, USERNAMES[Role.NURSE], Role.NURSE),
    ),
    Action.USER_LIST: Case((Action.USER_LIST,), lambda w, u: w.services.accounts.list_users(u)),
    Action.AUDIT_READ: Case((Action.AUDIT_READ,), lambda w, u: w.services.audit.list(u)),
    Action.AUDIT_VERIFY: Case((Action.AUDIT_VERIFY,), lambda w, u: w.services.audit.verify(u)),
    Action.BACKUP_CREATE: Case(
        (Action.BACKUP_CREATE,),
        lambda w, u: w.services.backups.create(u, w.folder / "by-role.clinicbak"),
    ),
    Action.BACKUP_RESTORE: Case(
        (Action.BACKUP_RESTORE,), lambda w, u: w.services.backups.restore(u, w.backup)
    ),
    Action.DEMO_SEED: Case(
        (Action.DEMO_SEED,),
        lambda w, u: seed_patients(
            w.services.db, w.services.audit_log, w.services.authorizer, u, 2, seed=1
        ),
    ),
}


def _build_world(services: Services, users: dict[Role, AuthenticatedUser], folder: Path) -> World:
    doctor = users[Role.DOCTOR]
    live = services.patients.create(doctor, patient_input(allergies="Latex"))
    gone = services.patients.create(doctor, patient_input(mrn="MRN-GONE", national_id=""))
    services.patients.delete(doctor, gone.patient.id)
    twin = services.patients.create(doctor, patient_input(mrn="MRN-TWIN", national_id=""))
    backup = folder / "setup.clinicbak"
    create_backup(services.settings.database_path, services.store.key, backup)
    return World(services, live.patient.id, gone.patient.id, twin.patient.id, backup, folder)


@pytest.fixture
def world(services: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path) -> World:
    """A store of the test's own: allowed calls change it."""
    return _build_world(services, users, tmp_path)


@pytest.fixture(scope="module")
def refusal_world(
    shared_services: Services,
    template_users: dict[Role, AuthenticatedUser],
    tmp_path_factory: pytest.TempPathFactory,
) -> World:
    """One store for every refused call: a refusal writes only its audit event, which each
    test checks by counting before and after."""
    return _build_world(shared_services, template_users, tmp_path_factory.mktemp("refusals"))


# The foundation's actions. Feature packages (scheduling, records, …) add their own actions to
# the same table and test their cells through their own services.
FOUNDATION_PREFIXES = ("patient.", "user.", "audit.", "backup.", "demo.")
FOUNDATION_ACTIONS = [action for action in Action if action.value.startswith(FOUNDATION_PREFIXES)]


def test_every_foundation_action_has_a_case() -> None:
    assert set(CASES) == set(FOUNDATION_ACTIONS)
    assert set(PERMISSIONS) == set(Role)


@pytest.mark.parametrize("action", FOUNDATION_ACTIONS, ids=lambda a: a.value)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_the_permission_table_is_enforced_by_the_services(
    template_users: dict[Role, AuthenticatedUser],
    role: Role,
    action: Action,
    request: pytest.FixtureRequest,
) -> None:
    user = template_users[role]
    case = CASES[action]
    allowed = is_allowed(role, action)
    if action is Action.PATIENT_READ_CLINICAL:
        allowed = is_allowed(role, Action.PATIENT_READ)
    # The call must be decided by this cell: a role holding the action holds what it needs.
    if allowed:
        assert all(is_allowed(role, needed) for needed in case.needs)
    missing = [needed for needed in case.needs if not is_allowed(role, needed)]
    world: World = request.getfixturevalue("world" if allowed else "refusal_world")
    before = table_counts(world.services.db)
    last = last_audit_seq(world.services.db)

    if allowed:
        case.call(world, user)
        new = audit_events(world.services.db, after_seq=last)
        assert all(event.outcome != "denied" for event in new)
        return

    with pytest.raises(PermissionDeniedError, match=role.value):
        case.call(world, user)
    new = audit_events(world.services.db, after_seq=last)
    assert [(e.action, e.outcome, e.user_id) for e in new] == [
        (missing[0].value, "denied", user.id)
    ]
    assert table_counts(world.services.db) == {
        **before,
        "audit_events": before["audit_events"] + 1,
    }


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_clinical_fields_are_shown_only_to_roles_that_may_read_them(
    world: World, users: dict[Role, AuthenticatedUser], role: Role
) -> None:
    user = users[role]
    detail = world.services.patients.get(user, world.live_patient)
    if is_allowed(role, Action.PATIENT_READ_CLINICAL):
        assert detail.clinical_visible
        assert detail.allergies == "Latex"
    else:
        assert not detail.clinical_visible
        assert detail.allergies is None
        assert detail.history_notes is None
    # Search and list results never carry clinical fields at all.
    for item in world.services.patients.search(user, "Durand").items:
        assert not hasattr(item, "allergies")


def test_the_table_matches_the_design() -> None:
    """The design's roles in words: front desk handles demographics; nurses and doctors see
    clinical fields; only doctors delete; the administrator runs the installation and sees
    no clinical content."""
    foundation = set(FOUNDATION_ACTIONS)
    front_desk, nurse, doctor, admin = (
        PERMISSIONS[role] & foundation
        for role in (Role.FRONT_DESK, Role.NURSE, Role.DOCTOR, Role.ADMIN)
    )
    assert Action.PATIENT_READ_CLINICAL not in front_desk
    assert Action.PATIENT_UPDATE_CLINICAL not in front_desk
    assert front_desk < nurse < doctor
    assert Action.PATIENT_DELETE not in nurse
    assert {Action.PATIENT_READ_CLINICAL, Action.PATIENT_UPDATE_CLINICAL}.isdisjoint(admin)
    assert {Action.USER_MANAGE, Action.BACKUP_RESTORE, Action.AUDIT_VERIFY} <= admin
    assert not {Action.USER_MANAGE, Action.BACKUP_RESTORE, Action.AUDIT_READ} & doctor


def test_an_unknown_role_name_is_refused_clearly() -> None:
    assert Role.parse(" Front-Desk ") is Role.FRONT_DESK
    with pytest.raises(ValidationError, match="Unknown role"):
        Role.parse("superuser")


def test_a_user_disabled_after_sign_in_loses_access_at_the_next_action(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    doctor = users[Role.DOCTOR]
    services.patients.list(doctor)
    services.accounts.set_active(users[Role.ADMIN], doctor.username, False)
    with pytest.raises(PermissionDeniedError, match="disabled"):
        services.patients.list(doctor)


def test_a_role_change_applies_to_a_session_already_signed_in(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    nurse = users[Role.NURSE]
    services.accounts.set_role(users[Role.ADMIN], nurse.username, Role.FRONT_DESK)
    detail_rights = services.authorizer
    with pytest.raises(PermissionDeniedError, match="front_desk"):
        detail_rights.require(nurse, Action.PATIENT_READ_CLINICAL)
