"""The imaging rows of the role × action table, exercised through the services: nurses and
doctors import, view and run models; only doctors accept or reject; only the administrator
manages model packs; the front desk touches no images. Refusals are audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import PermissionDeniedError
from clinic_app.security.permissions import PERMISSIONS, Action, Role, is_allowed
from clinic_app.security.signatures import generate_private_key, public_key_base64
from clinic_app.security.users import AuthenticatedUser

from tests.imaging.conftest import shipped
from tests.patient_inputs import patient_input
from tests.store_inspection import audit_events, last_audit_seq

IMAGING_ACTIONS = [
    Action.IMAGING_IMPORT,
    Action.IMAGING_VIEW,
    Action.AI_RUN,
    Action.AI_REVIEW,
    Action.MODELS_MANAGE,
]
Call = Callable[[Services, AuthenticatedUser, dict[str, str]], object]


@pytest.fixture
def world(
    services: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path
) -> dict[str, str]:
    doctor = users[Role.DOCTOR]
    patient = services.patients.create(doctor, patient_input()).patient.id
    scan = services.imaging_import.scan(doctor, [shipped("MR_small.dcm")])
    services.imaging_import.import_files(doctor, scan, patient)
    [study] = services.imaging.studies(doctor, patient)
    [series] = services.imaging.series(doctor, study.id)
    [instance] = services.imaging.instances(doctor, series.id)
    key = tmp_path / "it.pub"
    key.write_text(public_key_base64(generate_private_key().public_key()))
    return {"patient": patient, "instance": instance.id, "key": str(key)}


CASES: dict[Action, Call] = {
    Action.IMAGING_IMPORT: lambda s, u, _w: s.imaging_import.scan(u, [shipped("CT_small.dcm")]),
    Action.IMAGING_VIEW: lambda s, u, w: s.imaging.load_image(u, w["instance"]),
    Action.AI_RUN: lambda s, u, w: s.analyses.analyze_instance(u, w["instance"], "no-such-model"),
    Action.AI_REVIEW: lambda s, u, _w: s.analyses.review(u, "no-such-result", accept=True),
    Action.MODELS_MANAGE: lambda s, u, w: s.model_admin.trust_key(u, Path(w["key"])),
}


def test_the_imaging_rows_match_the_design() -> None:
    def granted(role: Role) -> set[Action]:
        return set(PERMISSIONS[role]) & set(IMAGING_ACTIONS)

    assert granted(Role.FRONT_DESK) == set()
    assert granted(Role.NURSE) == {Action.IMAGING_IMPORT, Action.IMAGING_VIEW, Action.AI_RUN}
    assert granted(Role.DOCTOR) == granted(Role.NURSE) | {Action.AI_REVIEW}
    assert granted(Role.ADMIN) == {Action.MODELS_MANAGE}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_imaging_cell_is_enforced_by_its_service(
    services: Services,
    users: dict[Role, AuthenticatedUser],
    world: dict[str, str],
    role: Role,
) -> None:
    user = users[role]
    for action in IMAGING_ACTIONS:
        last = last_audit_seq(services.db)
        if is_allowed(role, action):
            try:
                CASES[action](services, user, world)
            except PermissionDeniedError:  # pragma: no cover - the failure looked for
                pytest.fail(f"{role.value} was refused {action.value}")
            except Exception:  # noqa: BLE001 - past the permission check (no model, no result)
                pass
            new = audit_events(services.db, after_seq=last)
            assert all(e.outcome != "denied" for e in new), action
            continue
        with pytest.raises(PermissionDeniedError, match=role.value):
            CASES[action](services, user, world)
        new = audit_events(services.db, after_seq=last)
        assert [(e.action, e.outcome, e.user_id) for e in new] == [
            (action.value, "denied", user.id)
        ]
