"""Who sees imaging: the front desk has no imaging page and no Images button; a doctor opens a
patient's images from the patients page; a nurse imports and runs but never reviews."""

from __future__ import annotations

from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.ui.imaging.imaging_page import ImagingPage
from clinic_app.ui.patients.patients_page import PatientsPage
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, sign_in
from tests.ui.imaging.imaging_fixtures import dicom, import_paths
from tests.ui.imaging.viewer_steps import WAIT_MS


def open_patient_on_patients_page(qtbot: QtBot, patients: PatientsPage, patient_id: str) -> None:
    qtbot.waitUntil(lambda: patients.model.rowCount() > 0, timeout=WAIT_MS)
    patients.editor.open_patient(patient_id)
    qtbot.waitUntil(
        lambda: patients.editor.detail is not None and patients.editor.detail.id == patient_id,
        timeout=WAIT_MS,
    )


def test_the_front_desk_sees_no_imaging(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = import_paths(services, doctor, [dicom("CT_small.dcm")])
    window = open_workspace(Role.FRONT_DESK).window
    assert "imaging" not in window.page_keys
    patients = window.show_page("patients")
    assert isinstance(patients, PatientsPage)
    open_patient_on_patients_page(qtbot, patients, patient)
    assert not patients.detail_view.images_button.isVisible()


def test_a_doctor_opens_a_patients_images_from_the_patients_page(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = import_paths(services, doctor, [dicom("CT_small.dcm")])
    window = open_workspace(Role.DOCTOR).window
    assert "imaging" in window.page_keys
    patients = window.show_page("patients")
    assert isinstance(patients, PatientsPage)
    open_patient_on_patients_page(qtbot, patients, patient)
    button = patients.detail_view.images_button
    assert button.isVisible()
    button.click()
    assert window.current_page_key == "imaging"
    page = window.page("imaging")
    assert isinstance(page, ImagingPage)
    qtbot.waitUntil(lambda: page.viewer.shown is not None, timeout=WAIT_MS)
    assert page.showing == "viewer"
    assert page.images is not None
    assert page.images.patient.id == patient
    assert page.series_view.import_button.isVisible()
    assert page.ai_view.run_box.isVisible()
    assert page.ai_view.result_view.review_bar.accept_button.isVisibleTo(page.ai_view.result_view)


def test_a_nurse_imports_and_runs_but_has_no_review_buttons(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    window = open_workspace(Role.NURSE).window
    page = window.show_page("imaging")
    assert isinstance(page, ImagingPage)
    assert page.showing == "empty"
    assert page.empty_state.title == "No patient open"
    assert page.series_view.import_button.isVisibleTo(page.series_view)
    assert page.ai_view.run_box.isVisibleTo(page.ai_view)
    bar = page.ai_view.result_view.review_bar
    assert not bar.accept_button.isVisibleTo(bar)
    assert not bar.reject_button.isVisibleTo(bar)
    assert bar.role_hint.isVisibleTo(bar)
