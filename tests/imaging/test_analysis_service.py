"""Analyses of stored images: each result keeps the model's name, version, hash and status,
the probabilities, a heatmap, who ran it and when; a doctor accepts or rejects it; only an
accepted result may be copied into a visit's assessment; a review request reaches a doctor."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import PermissionDeniedError, ValidationError
from clinic_app.imaging.builtin_packs import TUMOUR_PACK
from clinic_app.imaging.errors import ModelPackError
from clinic_app.imaging.inference import classify
from clinic_app.imaging.model_registry import ModelRegistry
from clinic_app.notifications.models import NotificationKind
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.tasks import RecordingProgress

from tests.imaging.conftest import shipped
from tests.imaging.test_abcd import irregular_lesion
from tests.patient_inputs import patient_input
from tests.store_inspection import audit_events, outbox_entries

Users = dict[Role, AuthenticatedUser]


@pytest.fixture
def quadrant_installed(
    services: Services,
    trusted_data_dir: Path,
    signed_pack: Callable[..., Path],
    users: Users,
    installed_tumour_pack: Path,  # linked in, so the registry doesn't copy 65 MB per test
) -> str:
    services.model_admin.install(users[Role.ADMIN], signed_pack())
    return "quadrant-demo"


def _import(services: Services, user: AuthenticatedUser, paths: list[Path], **kw: float) -> str:
    patient = services.patients.create(user, patient_input()).patient.id
    scan = services.imaging_import.scan(user, paths)
    services.imaging_import.import_files(user, scan, patient, **kw)  # type: ignore[arg-type]
    return patient


def _instances(services: Services, user: AuthenticatedUser, patient: str) -> list[str]:
    ids = []
    for study in services.imaging.studies(user, patient):
        for series in services.imaging.series(user, study.id):
            ids += [i.id for i in services.imaging.instances(user, series.id)]
    return ids


@pytest.fixture
def bright_photo(tmp_path: Path) -> Path:
    image = np.full((64, 64, 3), 20, dtype=np.uint8)
    image[:32, :32] = 235
    path = tmp_path / "bright.png"
    cv2.imwrite(str(path), image)
    return path


def test_a_result_keeps_its_model_inputs_author_and_heatmap(
    services: Services, users: Users, quadrant_installed: str, bright_photo: Path
) -> None:
    nurse = users[Role.NURSE]
    patient = _import(services, nurse, [bright_photo])
    [instance] = _instances(services, nurse, patient)
    result = services.analyses.analyze_instance(nurse, instance, quadrant_installed, heatmap_grid=4)
    assert result.model.name == "quadrant-demo"
    assert result.model.version == "1.0.0"
    assert result.model.status == "demonstration"
    assert len(result.model.sha256) == 64
    assert result.instance_id == instance
    assert result.patient_id == patient
    assert result.top_label == "bright"
    assert result.probabilities["bright"] > 0.9
    assert result.label_names["bright"] == "Bright corner"
    assert result.run_by == nurse.id
    assert result.status == "pending"
    assert not result.can_copy_to_assessment
    assert result.heatmap is not None
    assert result.heatmap.drops[0, 0] > 0
    assert "(demonstration)" in result.label
    assert "not a diagnosis" in result.label
    stored = services.analyses.get(nurse, result.id)
    assert stored.probabilities == result.probabilities
    assert stored.heatmap is not None
    assert np.allclose(stored.heatmap.drops, result.heatmap.drops, atol=1e-6)
    assert any(e.entity_type == "imaging_analyses" for e in outbox_entries(services.db))
    runs = [e for e in audit_events(services.db) if e.action == "ai.run"]
    assert runs[-1].record_id == result.id


def test_only_an_accepted_result_can_be_copied_into_an_assessment(
    services: Services, users: Users, quadrant_installed: str, bright_photo: Path
) -> None:
    nurse, doctor = users[Role.NURSE], users[Role.DOCTOR]
    patient = _import(services, nurse, [bright_photo])
    [instance] = _instances(services, nurse, patient)
    result = services.analyses.analyze_instance(
        nurse, instance, quadrant_installed, heatmap_grid=None
    )
    with pytest.raises(ValidationError, match="Only a result a doctor has accepted"):
        services.analyses.assessment_text(doctor, result.id)
    with pytest.raises(PermissionDeniedError):
        services.analyses.review(nurse, result.id, accept=True)
    accepted = services.analyses.review(doctor, result.id, accept=True, comment="agree")
    assert accepted.status == "accepted"
    assert accepted.can_copy_to_assessment
    text = services.analyses.assessment_text(doctor, result.id)
    assert "Bright corner" in text
    assert "quadrant-demo 1.0.0 (demonstration)" in text
    assert "Not a diagnosis" in text
    rejected = services.analyses.review(doctor, result.id, accept=False, comment="artefact")
    assert rejected.status == "rejected"
    assert [e.kind for e in rejected.events] == ["accepted", "rejected"]
    assert rejected.events[1].comment == "artefact"
    with pytest.raises(ValidationError, match="this one is rejected"):
        services.analyses.assessment_text(doctor, result.id)


def test_a_review_request_lands_in_the_doctors_inbox(
    services: Services, users: Users, quadrant_installed: str, bright_photo: Path
) -> None:
    nurse, doctor = users[Role.NURSE], users[Role.DOCTOR]
    patient = _import(services, nurse, [bright_photo])
    [instance] = _instances(services, nurse, patient)
    result = services.analyses.analyze_instance(
        nurse, instance, quadrant_installed, heatmap_grid=None
    )
    with pytest.raises(ValidationError, match="active doctor"):
        services.analyses.request_review(nurse, result.id, nurse.id)
    requested = services.analyses.request_review(nurse, result.id, doctor.id, "please check")
    assert requested.events[-1].kind == "review_requested"
    assert requested.events[-1].assigned_to == doctor.id
    assert requested.status == "pending"
    [notice] = services.notifications.inbox(doctor)
    assert notice.kind is NotificationKind.ASSIGNED
    assert notice.record_type == "imaging_analysis"
    assert notice.record_id == result.id
    assert notice.patient_id == patient
    assert services.notifications.inbox(nurse) == []


def test_a_series_is_analysed_in_batches(
    services: Services, users: Users, quadrant_installed: str
) -> None:
    nurse = users[Role.NURSE]
    folder = shipped("dicomdirtests/77654033/CT2/17106").parent
    patient = _import(services, nurse, [folder])
    [study] = services.imaging.studies(nurse, patient)
    [series] = services.imaging.series(nurse, study.id)
    progress = RecordingProgress()
    results = services.analyses.analyze_series(
        nurse, series.id, quadrant_installed, batch_size=3, progress=progress
    )
    assert len(results) == 4
    assert {r.instance_id for r in results} == set(_instances(services, nurse, patient))
    assert [e[0] for e in progress.events] == [3, 4]
    assert len(services.analyses.for_patient(nurse, patient)) == 4


def test_the_abcd_rule_runs_on_a_calibrated_photo(
    services: Services, users: Users, tmp_path: Path
) -> None:
    nurse, doctor = users[Role.NURSE], users[Role.DOCTOR]
    path = tmp_path / "lesion.png"
    cv2.imwrite(str(path), cv2.cvtColor(irregular_lesion(), cv2.COLOR_RGB2BGR))
    patient = _import(services, nurse, [path], px_per_mm=20.0)
    [instance] = _instances(services, nurse, patient)
    result = services.analyses.analyze_lesion(nurse, instance)
    assert result.task == "abcd"
    assert result.model.name == "abcd-rule"
    assert result.model.status == "research"
    assert result.measurements is not None
    assert result.measurements["diameter_mm"] == pytest.approx(17, abs=1)
    assert result.measurements["asymmetry"] == 2
    assert len(result.measurements["contour"]) > 50
    services.analyses.review(doctor, result.id, accept=True)
    assert "ABCD rule: A 2" in services.analyses.assessment_text(doctor, result.id)


def test_the_tumour_model_runs_on_a_stored_mri_like_on_the_file(
    services: Services,
    users: Users,
    installed_tumour_pack: Path,
    tumour_registry: ModelRegistry,
) -> None:
    nurse = users[Role.NURSE]
    patient = _import(services, nurse, [shipped("MR_small.dcm")])
    [instance] = _instances(services, nurse, patient)
    result = services.analyses.analyze_instance(nurse, instance, TUMOUR_PACK, heatmap_grid=None)
    image = services.imaging.load_image(nurse, instance)
    [direct] = classify(tumour_registry.load(TUMOUR_PACK), [image.render(0)])
    assert result.model.status == "research"
    assert result.top_label == direct.top_label
    for label, probability in direct.probabilities.items():
        assert result.probabilities[label] == pytest.approx(probability, abs=1e-6)


def test_a_missing_model_is_a_clear_error(
    services: Services, users: Users, bright_photo: Path, installed_tumour_pack: Path
) -> None:
    nurse = users[Role.NURSE]
    patient = _import(services, nurse, [bright_photo])
    [instance] = _instances(services, nurse, patient)
    with pytest.raises(ModelPackError, match="No trusted model pack named 'nonexistent'"):
        services.analyses.analyze_instance(nurse, instance, "nonexistent")


def test_a_multi_frame_image_is_analysed_on_the_frame_asked_for_and_only_that_is_decoded(
    services: Services, users: Users, quadrant_installed: str
) -> None:
    nurse = users[Role.NURSE]
    patient = _import(services, nurse, [shipped("rtdose.dcm")])  # 15 frames
    [instance] = _instances(services, nurse, patient)
    image = services.imaging.load_image(nurse, instance)
    model = services.models.load(quadrant_installed)
    for frame in (0, 14):
        result = services.analyses.analyze_instance(
            nurse, instance, quadrant_installed, frame=frame, heatmap_grid=None
        )
        [direct] = classify(model, [image.render(frame)])
        assert result.frame_index == frame
        assert result.probabilities == pytest.approx(direct.probabilities, abs=1e-6)
    for frame in (15, -1):
        with pytest.raises(ValidationError, match="15 frame"):
            services.analyses.analyze_instance(nurse, instance, quadrant_installed, frame=frame)
    [study] = services.imaging.studies(nurse, patient)
    [series] = services.imaging.series(nurse, study.id)
    [middle] = services.analyses.analyze_series(nurse, series.id, quadrant_installed)
    assert middle.frame_index == 7
    [direct] = classify(model, [image.render(7)])
    assert middle.probabilities == pytest.approx(direct.probabilities, abs=1e-6)
