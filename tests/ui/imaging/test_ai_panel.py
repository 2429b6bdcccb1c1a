"""The AI panel with a small real ONNX model (the quadrant test model, installed as an
IT-signed pack): results labelled as decision support with model, version, status and
confidence; the heatmap's toggle and opacity; accept/reject and copy-to-assessment; a nurse
runs models but does not review; refused packs say why; series runs and their cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from clinic_app.bootstrap import Services
from clinic_app.imaging.model_registry import MODELS_DIR
from clinic_app.records.models import VisitInput
from clinic_app.security.permissions import Role
from clinic_app.settings import Settings
from clinic_app.ui.imaging.analysis_result_view import DECISION_SUPPORT_BANNER
from clinic_app.ui.imaging.imaging_page import ImagingPage
from clinic_app.ui.tasks.task_runner import Lane, TaskRunner
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.imaging.model_factory import write_pack
from tests.imaging.test_abcd import irregular_lesion
from tests.patient_inputs import patient_input
from tests.ui.fixtures import sign_in
from tests.ui.imaging.imaging_fixtures import PageFactory, import_paths
from tests.ui.imaging.viewer_steps import (
    WAIT_MS,
    bright_corner_photo,
    make_stack,
    open_patient,
    viewport_pixel,
)


def ready_page(qtbot: QtBot, imaging_page: PageFactory, role: Role, patient: str) -> ImagingPage:
    page = imaging_page(role)
    with qtbot.waitSignal(page.analysis.models_loaded, timeout=WAIT_MS):
        page.page_shown()
    open_patient(qtbot, page, patient)
    return page


def choose_model(page: ImagingPage, name: str) -> None:
    row = page.choice_model.row_of(name)
    assert row >= 0, f"{name} is offered"
    page.ai_view.model_combo.setCurrentIndex(row)


def run_image(qtbot: QtBot, page: ImagingPage) -> None:
    assert page.ai_view.run_image_button.isEnabled()
    with qtbot.waitSignal(page.analysis.analysis_finished, timeout=WAIT_MS):
        page.ai_view.run_image_button.click()
    assert page.analysis.last_error is None


def test_a_result_is_decision_support_with_model_version_status_confidence_and_heatmap(
    qtbot: QtBot,
    services: Services,
    imaging_page: PageFactory,
    quadrant_model: str,
    tmp_path: Path,
) -> None:
    nurse = sign_in(services, Role.NURSE)
    patient = import_paths(services, nurse, [bright_corner_photo(tmp_path)])
    page = ready_page(qtbot, imaging_page, Role.NURSE, patient)
    choose_model(page, quadrant_model)
    assert page.ai_view.model_badge.text().startswith("DEMONSTRATION")
    run_image(qtbot, page)

    view = page.ai_view.result_view
    assert view.isVisible()
    assert view.banner.text() == DECISION_SUPPORT_BANNER == "Decision support — not a diagnosis"
    assert view.banner.isVisible()
    [result] = services.analyses.for_patient(nurse, patient)
    facts = view.facts_label.text()
    assert "quadrant-demo 1.0.0 (demonstration)" in facts
    assert f"confidence {result.top_probability * 100:.1f}%" in facts  # type: ignore[operator]
    assert view.status_badge.text().startswith("DEMONSTRATION")
    assert view.banner.toolTip() == result.label
    assert "not a diagnosis" in result.label
    probabilities = view.probability_model
    assert probabilities.rowCount() == 2
    assert probabilities.index(0, 0).data() == "Bright corner"
    assert probabilities.index(0, 1).data() == f"{result.probabilities['bright'] * 100:.1f}%"
    assert result.top_label == "bright"
    assert page.result_model.rowCount() == 1

    canvas = page.viewer_view.canvas
    qtbot.waitUntil(canvas.heatmap_item.isVisible, timeout=WAIT_MS)
    hot = (20.0, 20.0)  # the top-left quadrant: all the model looks at
    with_heatmap = viewport_pixel(canvas, hot)
    view.opacity_slider.setValue(100)
    assert canvas.heatmap_item.opacity() == 1.0
    opaque = viewport_pixel(canvas, hot)
    assert opaque != with_heatmap, "more opacity, more heatmap colour"
    view.heatmap_check.setChecked(False)
    assert not canvas.heatmap_item.isVisible()
    plain = viewport_pixel(canvas, hot)
    assert plain not in (opaque, with_heatmap)
    assert abs(plain[0] - plain[2]) < 8, "without the heatmap the photo's grey shows"
    view.heatmap_check.setChecked(True)
    assert viewport_pixel(canvas, hot) == opaque


def test_a_doctor_accepts_or_rejects_and_only_an_accepted_result_is_copied(
    qtbot: QtBot,
    services: Services,
    imaging_page: PageFactory,
    quadrant_model: str,
    tmp_path: Path,
    screens: Callable[[QWidget, str], Path],
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = import_paths(services, doctor, [bright_corner_photo(tmp_path)])
    page = ready_page(qtbot, imaging_page, Role.DOCTOR, patient)
    choose_model(page, quadrant_model)
    run_image(qtbot, page)
    bar = page.ai_view.result_view.review_bar
    assert bar.accept_button.isVisible()
    assert not bar.copy_button.isEnabled(), "pending: nothing to copy yet"
    assert bar.status_label.text().startswith("Pending")

    reviews = page.analysis.reviews
    bar.comment_edit.setText("Artefact, not a finding")
    with qtbot.waitSignal(reviews.result_updated, timeout=WAIT_MS):
        bar.reject_button.click()
    assert bar.status_label.text() == "Rejected by a doctor"
    assert not bar.copy_button.isEnabled()
    assert "Artefact, not a finding" in bar.history_label.text()
    assert page.result_model.index(0, 3).data() == "Rejected"

    with qtbot.waitSignal(reviews.result_updated, timeout=WAIT_MS):
        bar.accept_button.click()
    assert bar.status_label.text() == "Accepted by a doctor"
    assert bar.copy_button.isEnabled()
    visit = services.records.visits.open_visit(
        doctor, patient, data=VisitInput(reason="Mole check", assessment="Looks regular.")
    )
    bar.copy_button.click()
    qtbot.waitUntil(lambda: reviews.visit_dialog is not None, timeout=WAIT_MS)
    dialog = reviews.visit_dialog
    assert dialog is not None
    assert dialog.visit_combo.currentData() == visit.id
    assert "Mole check" in dialog.visit_combo.currentText()
    preview = dialog.preview.toPlainText()
    assert preview.startswith("AI decision support: quadrant-demo 1.0.0 (demonstration)")
    assert "accepted by Greg House" in preview
    screens(dialog, "visit_choice_dialog")
    with qtbot.waitSignal(reviews.assessment_copied, timeout=WAIT_MS) as copied:
        dialog.add_button.click()
    assert copied.args[0] == visit.id
    saved = services.records.visits.get_visit(doctor, visit.id).assessment
    assert saved == "Looks regular.\n\n" + preview
    [stored] = services.analyses.for_patient(doctor, patient)
    assert [event.kind for event in stored.events] == ["rejected", "accepted"]


def test_without_an_open_visit_the_dialog_says_so_and_adds_nothing(
    qtbot: QtBot,
    services: Services,
    imaging_page: PageFactory,
    quadrant_model: str,
    tmp_path: Path,
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = import_paths(services, doctor, [bright_corner_photo(tmp_path)])
    page = ready_page(qtbot, imaging_page, Role.DOCTOR, patient)
    choose_model(page, quadrant_model)
    run_image(qtbot, page)
    reviews, bar = page.analysis.reviews, page.ai_view.result_view.review_bar
    with qtbot.waitSignal(reviews.result_updated, timeout=WAIT_MS):
        bar.accept_button.click()
    bar.copy_button.click()
    qtbot.waitUntil(lambda: reviews.visit_dialog is not None, timeout=WAIT_MS)
    dialog = reviews.visit_dialog
    assert dialog is not None
    assert dialog.empty_label.isVisibleTo(dialog)
    assert not dialog.add_button.isEnabled()
    dialog.reject()
    assert services.records.visits.list_visits(doctor, patient) == []


def test_a_nurse_cannot_review_but_can_ask_a_doctor(
    qtbot: QtBot,
    services: Services,
    imaging_page: PageFactory,
    quadrant_model: str,
    tmp_path: Path,
) -> None:
    nurse = sign_in(services, Role.NURSE)
    patient = import_paths(services, nurse, [bright_corner_photo(tmp_path)])
    page = ready_page(qtbot, imaging_page, Role.NURSE, patient)
    choose_model(page, quadrant_model)
    run_image(qtbot, page)
    bar = page.ai_view.result_view.review_bar
    assert not bar.accept_button.isVisible()
    assert not bar.reject_button.isVisible()
    assert bar.role_hint.isVisible()
    assert not bar.copy_button.isEnabled()
    assert not bar.can_copy, "a nurse does not write assessments, accepted or not"
    qtbot.waitUntil(lambda: bool(page.analysis.reviews.people), timeout=WAIT_MS)

    bar.request_button.click()
    dialog = page.analysis.reviews.dialog
    assert dialog is not None
    assert dialog.doctor_combo.currentText() == "Greg House"
    dialog.note_edit.setText("Please look at the top left")
    with qtbot.waitSignal(page.analysis.reviews.result_updated, timeout=WAIT_MS):
        dialog.send_button.click()
    assert "review requested → Greg House" in bar.history_label.text()
    doctor = sign_in(services, Role.DOCTOR)
    notices = services.notifications.inbox(doctor)
    assert any(n.title == "Review an AI result" for n in notices)


def test_a_refused_pack_shows_the_registrys_reason_and_cannot_run(
    qtbot: QtBot,
    services: Services,
    settings: Settings,
    imaging_page: PageFactory,
    quadrant_model: str,
    tmp_path: Path,
) -> None:
    write_pack(settings.data_dir / MODELS_DIR / "unsigned-model", name="unsigned-model")
    doctor = sign_in(services, Role.DOCTOR)
    patient = import_paths(services, doctor, [bright_corner_photo(tmp_path)])
    page = ready_page(qtbot, imaging_page, Role.DOCTOR, patient)
    row = page.choice_model.row_of("unsigned-model")
    assert row >= 0
    page.ai_view.model_combo.setCurrentIndex(row)
    assert page.ai_view.model_badge.text() == "REFUSED"
    assert "is not signed" in page.ai_view.model_info.text()
    assert not page.ai_view.run_image_button.isEnabled()
    assert not page.ai_view.run_series_button.isEnabled()
    choose_model(page, quadrant_model)
    assert page.ai_view.run_image_button.isEnabled()


def test_a_series_runs_on_the_compute_lane_and_a_queued_run_can_be_cancelled(
    qtbot: QtBot,
    services: Services,
    imaging_page: PageFactory,
    task_runner: TaskRunner,
    quadrant_model: str,
    tmp_path: Path,
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = import_paths(services, doctor, make_stack(tmp_path / "stack", 3))
    page = ready_page(qtbot, imaging_page, Role.DOCTOR, patient)
    choose_model(page, quadrant_model)

    gate = threading.Event()
    task_runner.run(Lane.COMPUTE, lambda _ctx: gate.wait(10), label="test gate")
    page.ai_view.run_series_button.click()
    assert page.ai_view.cancel_button.isVisible()
    assert not page.ai_view.run_series_button.isEnabled()
    with qtbot.waitSignal(page.analysis.analysis_finished, timeout=WAIT_MS):
        page.ai_view.cancel_button.click()
        gate.set()
    assert page.analysis.last_error is None
    assert services.analyses.for_patient(doctor, patient) == []
    assert page.ai_view.run_series_button.isEnabled()

    with qtbot.waitSignal(page.analysis.analysis_finished, timeout=WAIT_MS):
        page.ai_view.run_series_button.click()
    assert page.analysis.last_error is None
    assert page.result_model.rowCount() == 3
    shown = page.ai_view.result_view.result
    assert shown is not None
    assert (shown.instance_id, shown.frame_index) == (page.viewer.instance.id, 0)  # type: ignore[union-attr]
    assert shown.heatmap is None, "series runs skip the heatmap"


def test_the_abcd_rule_draws_the_outline_and_gives_scores_and_diameter(
    qtbot: QtBot, services: Services, imaging_page: PageFactory, quadrant_model: str, tmp_path: Path
) -> None:
    path = tmp_path / "lesion.png"
    cv2.imwrite(str(path), cv2.cvtColor(irregular_lesion(), cv2.COLOR_RGB2BGR))
    doctor = sign_in(services, Role.DOCTOR)
    patient = services.patients.create(doctor, patient_input()).patient.id
    scan = services.imaging_import.scan(doctor, [path])
    services.imaging_import.import_files(doctor, scan, patient, px_per_mm=20.0)
    page = ready_page(qtbot, imaging_page, Role.DOCTOR, patient)
    choose_model(page, "abcd-rule")
    assert page.ai_view.structures_combo.isVisible()
    assert not page.ai_view.run_series_button.isEnabled()
    page.ai_view.structures_combo.setCurrentIndex(2)  # D = 2
    run_image(qtbot, page)

    [result] = services.analyses.for_patient(doctor, patient)
    m = result.measurements
    assert m is not None
    abcd = page.ai_view.result_view.abcd_view
    assert abcd.isVisible()
    assert abcd.value_text("asymmetry") == f"{m['asymmetry']} / 2"
    assert abcd.value_text("border") == f"{m['border']} / 8 abrupt sectors"
    assert abcd.value_text("structures") == "2 / 5"
    assert abcd.value_text("tds") == f"{m['tds']:.2f}"
    assert abcd.value_text("diameter") == f"{m['diameter_mm']:.1f} mm"
    assert page.ai_view.result_view.banner.isVisible()
    canvas = page.viewer_view.canvas
    assert canvas.outline_shown
    abcd.outline_check.setChecked(False)
    assert not canvas.outline_shown
    assert np.isclose(m["diameter_mm"], m["diameter_px"] / 20.0, atol=0.05)
