"""An accepted AI result goes into a visit's assessment through the records service, labelled
as decision support; a pending or rejected result, a signed visit, another patient's visit and
a second copy are refused, and nothing is written then."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import NotFoundError, PermissionDeniedError, ValidationError
from clinic_app.imaging.assessment_copy import copy_to_visit, open_visits
from clinic_app.imaging.summaries import AnalysisResult
from clinic_app.records.models import VisitInput, VisitStatus
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.patient_inputs import patient_input
from tests.store_inspection import audit_events

Users = dict[Role, AuthenticatedUser]


@pytest.fixture
def quadrant(
    services: Services,
    trusted_data_dir: Path,
    signed_pack: Callable[..., Path],
    users: Users,
) -> str:
    services.model_admin.install(users[Role.ADMIN], signed_pack())
    return "quadrant-demo"


@pytest.fixture
def patient(services: Services, users: Users) -> str:
    return services.patients.create(users[Role.DOCTOR], patient_input()).patient.id


@pytest.fixture
def result(
    services: Services, users: Users, quadrant: str, patient: str, tmp_path: Path
) -> AnalysisResult:
    """A pending result of the quadrant model on a photo with a bright top-left corner."""
    image = np.full((64, 64, 3), 20, dtype=np.uint8)
    image[:32, :32] = 235
    path = tmp_path / "bright.png"
    cv2.imwrite(str(path), image)
    nurse = users[Role.NURSE]
    scan = services.imaging_import.scan(nurse, [path])
    [instance] = services.imaging_import.import_files(nurse, scan, patient).instance_ids
    return services.analyses.analyze_instance(nurse, instance, quadrant, heatmap_grid=None)


def _visit(services: Services, doctor: AuthenticatedUser, patient: str, assessment: str) -> str:
    data = VisitInput(reason="Skin check", assessment=assessment or None)
    return services.records.visits.open_visit(doctor, patient, data=data).id


def test_an_accepted_result_is_appended_to_the_visits_assessment_with_its_label(
    services: Services, users: Users, result: AnalysisResult, patient: str
) -> None:
    doctor = users[Role.DOCTOR]
    visit_id = _visit(services, doctor, patient, "Benign-looking naevus.")
    services.analyses.review(doctor, result.id, accept=True, comment="agree")
    saved = copy_to_visit(services.analyses, services.records.visits, doctor, result.id, visit_id)
    assert saved.assessment is not None
    first, added = saved.assessment.split("\n\n")
    assert first == "Benign-looking naevus."
    assert added.startswith("AI decision support: quadrant-demo 1.0.0 (demonstration)")
    assert f"confidence {result.top_probability * 100:.0f}%" in added  # type: ignore[operator]
    assert "accepted by Greg House" in added
    assert "Bright corner" in added
    assert "Not a diagnosis" in added
    # Read back through the records service: the text is stored, not only returned.
    assert services.records.visits.get_visit(doctor, visit_id).assessment == saved.assessment
    actions = [e.action for e in audit_events(services.db)]
    assert "visit.update" in actions
    copies = [e for e in audit_events(services.db) if e.action == "ai.copy_to_assessment"]
    assert [e.record_id for e in copies] == [result.id]


def test_an_empty_assessment_gets_the_text_alone_and_open_visits_are_offered(
    services: Services, users: Users, result: AnalysisResult, patient: str
) -> None:
    doctor = users[Role.DOCTOR]
    signed = _visit(services, doctor, patient, "Seen before.")
    version = services.records.visits.get_visit(doctor, signed).version
    services.records.visits.sign_visit(doctor, signed, version)
    visit_id = _visit(services, doctor, patient, "")
    assert [v.id for v in open_visits(services.records.visits, doctor, patient)] == [visit_id]
    services.analyses.review(doctor, result.id, accept=True)
    saved = copy_to_visit(services.analyses, services.records.visits, doctor, result.id, visit_id)
    assert saved.assessment is not None
    assert saved.assessment.startswith("AI decision support: quadrant-demo")


@pytest.mark.parametrize("decision", [None, False])
def test_a_pending_or_rejected_result_is_refused_and_nothing_is_written(
    services: Services,
    users: Users,
    result: AnalysisResult,
    patient: str,
    decision: bool | None,
) -> None:
    doctor = users[Role.DOCTOR]
    visit_id = _visit(services, doctor, patient, "Plan: review in 3 months.")
    if decision is not None:
        services.analyses.review(doctor, result.id, accept=True)
        services.analyses.review(doctor, result.id, accept=decision)  # the latest counts
    status = "pending" if decision is None else "rejected"
    with pytest.raises(ValidationError, match=f"this one is {status}"):
        copy_to_visit(services.analyses, services.records.visits, doctor, result.id, visit_id)
    visit = services.records.visits.get_visit(doctor, visit_id)
    assert visit.assessment == "Plan: review in 3 months."
    assert visit.version == 1
    assert not [e for e in audit_events(services.db) if e.action == "ai.copy_to_assessment"]


def test_a_signed_visit_is_refused(
    services: Services, users: Users, result: AnalysisResult, patient: str
) -> None:
    doctor = users[Role.DOCTOR]
    visit_id = _visit(services, doctor, patient, "Signed text.")
    version = services.records.visits.get_visit(doctor, visit_id).version
    services.records.visits.sign_visit(doctor, visit_id, version)
    services.analyses.review(doctor, result.id, accept=True)
    with pytest.raises(ValidationError, match="signed"):
        copy_to_visit(services.analyses, services.records.visits, doctor, result.id, visit_id)
    visit = services.records.visits.get_visit(doctor, visit_id)
    assert visit.status is VisitStatus.SIGNED
    assert visit.assessment == "Signed text."


def test_another_patients_visit_a_second_copy_and_unknown_ids_are_refused(
    services: Services, users: Users, result: AnalysisResult, patient: str
) -> None:
    doctor = users[Role.DOCTOR]
    other = services.patients.create(doctor, patient_input(given_name="Other")).patient.id
    theirs = _visit(services, doctor, other, "Theirs.")
    mine = _visit(services, doctor, patient, "")
    services.analyses.review(doctor, result.id, accept=True)
    copy = lambda a, v: copy_to_visit(  # noqa: E731 - four calls below
        services.analyses, services.records.visits, doctor, a, v
    )
    with pytest.raises(ValidationError, match="another patient"):
        copy(result.id, theirs)
    assert services.records.visits.get_visit(doctor, theirs).assessment == "Theirs."
    copy(result.id, mine)
    with pytest.raises(ValidationError, match="already in"):
        copy(result.id, mine)
    for analysis_id, visit_id in (("", mine), ("x" * 5000, mine), (result.id, "no-such-visit")):
        with pytest.raises(NotFoundError):
            copy(analysis_id, visit_id)
    assert services.records.visits.get_visit(doctor, mine).version == 2


def test_roles_that_may_not_assess_are_refused_by_the_records_service(
    services: Services, users: Users, result: AnalysisResult, patient: str
) -> None:
    doctor, nurse = users[Role.DOCTOR], users[Role.NURSE]
    visit_id = _visit(services, doctor, patient, "")
    services.analyses.review(doctor, result.id, accept=True)
    with pytest.raises(PermissionDeniedError):
        copy_to_visit(services.analyses, services.records.visits, nurse, result.id, visit_id)
    with pytest.raises(PermissionDeniedError):
        copy_to_visit(
            services.analyses, services.records.visits, users[Role.FRONT_DESK], result.id, visit_id
        )
    assert services.records.visits.get_visit(doctor, visit_id).assessment is None
