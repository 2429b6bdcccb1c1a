"""Screenshots of the imaging screens at a 1366×768 laptop's size, for review by eye: the CT
viewer with its overlay and a measurement, an AI result with its heatmap, the result panel, a
skin photo's ABCD outline and the import wizard. Written under the test's temporary folder and
copied to /tmp/clinic_screens/imaging/; the assertions only check that each rendered."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import cv2
from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.ui.imaging.image_canvas import ViewerTool
from clinic_app.ui.imaging.imaging_page import ImagingPage
from clinic_app.ui.imaging.import_state import ImportPageId
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.imaging.conftest import shipped
from tests.imaging.test_abcd import SEVERAL, irregular_lesion
from tests.patient_inputs import patient_input
from tests.ui.fixtures import WorkspaceFactory, sign_in
from tests.ui.imaging.imaging_fixtures import dicom
from tests.ui.imaging.viewer_steps import WAIT_MS, drag_on_image, make_stack

Screens = Callable[[QWidget, str], Path]
WINDOW = (1366, 728)


def imaging_window(
    qtbot: QtBot, open_workspace: WorkspaceFactory, role: Role, patient: str
) -> tuple[QWidget, ImagingPage]:
    window = open_workspace(role).window
    window.resize(*WINDOW)
    page = window.show_page("imaging")
    assert isinstance(page, ImagingPage)
    qtbot.waitUntil(lambda: page.choice_model.rowCount() > 0, timeout=WAIT_MS)
    with qtbot.waitSignals([page.patient_loaded, page.viewer.frame_shown], timeout=WAIT_MS):
        page.open_item(patient)
    return window, page


def run_on_image(qtbot: QtBot, page: ImagingPage, model: str) -> None:
    page.ai_view.model_combo.setCurrentIndex(page.choice_model.row_of(model))
    with qtbot.waitSignal(page.analysis.analysis_finished, timeout=WAIT_MS):
        page.ai_view.run_image_button.click()
    assert page.analysis.last_error is None


def test_screens_of_the_viewer_and_an_ai_result(
    qtbot: QtBot,
    services: Services,
    open_workspace: WorkspaceFactory,
    quadrant_model: str,
    screens: Screens,
    tmp_path: Path,
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = services.patients.create(
        doctor, patient_input(given_name="Archibald", family_name="Doe", mrn="MRN-20431")
    ).patient.id
    for paths in ([dicom("CT_small.dcm")], make_stack(tmp_path / "mr", 6)):
        scan = services.imaging_import.scan(doctor, paths)
        services.imaging_import.import_files(doctor, scan, patient, group_key=scan.groups[0].key)
    window, page = imaging_window(qtbot, open_workspace, Role.DOCTOR, patient)
    ct_row = next(
        row
        for row in range(page.series_model.rowCount())
        if page.series_model.entry(row).series.modality == "CT"
    )
    with qtbot.waitSignal(page.viewer.frame_shown, timeout=WAIT_MS):
        page.series_view.select_row(ct_row)
    page.viewer_view.choose_tool(ViewerTool.MEASURE)
    drag_on_image(page.viewer_view.canvas, (28.0, 92.0), (100.0, 70.0))
    assert page.viewer.measurements
    screens(window, "viewer_ct_overlay_measurement")

    mr_row = 1 - ct_row
    with qtbot.waitSignal(page.viewer.frame_shown, timeout=WAIT_MS):
        page.series_view.select_row(mr_row)
    with qtbot.waitSignal(page.viewer.frame_shown, timeout=WAIT_MS):
        page.viewer_view.frame_slider.setValue(3)
    run_on_image(qtbot, page, quadrant_model)
    canvas = page.viewer_view.canvas
    qtbot.waitUntil(canvas.heatmap_item.isVisible, timeout=WAIT_MS)
    page.ai_view.result_view.opacity_slider.setValue(60)
    screens(window, "viewer_heatmap_overlay")
    screens(page.ai_view, "ai_result_panel")


def test_screens_of_an_abcd_result_and_the_import_wizard(
    qtbot: QtBot,
    services: Services,
    open_workspace: WorkspaceFactory,
    quadrant_model: str,
    screens: Screens,
    tmp_path: Path,
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    photo = tmp_path / "lesion.png"
    cv2.imwrite(str(photo), cv2.cvtColor(irregular_lesion(SEVERAL), cv2.COLOR_RGB2BGR))
    patient = services.patients.create(
        doctor, patient_input(given_name="Amara", family_name="Okafor", mrn="77654033")
    ).patient.id
    scan = services.imaging_import.scan(doctor, [photo])
    services.imaging_import.import_files(doctor, scan, patient, px_per_mm=24.0)
    window, page = imaging_window(qtbot, open_workspace, Role.DOCTOR, patient)
    page.ai_view.structures_combo.setCurrentIndex(3)
    run_on_image(qtbot, page, "abcd-rule")
    assert page.viewer_view.canvas.outline_shown
    screens(window, "abcd_outline_and_scores")

    media = tmp_path / "media"
    shutil.copytree(shipped("dicomdirtests/77654033/CR1/6154").parents[1], media / "IMAGES")
    (media / "notes.txt").write_text("not an image")
    page.open_import()
    wizard = page.importer.wizard
    assert wizard is not None
    wizard.source_page.add_paths([str(media), str(photo), str(media / "notes.txt")])
    screens(wizard, "import_wizard_sources")
    with qtbot.waitSignal(page.importer.step_finished, timeout=WAIT_MS):
        wizard.next()
    assert wizard.currentId() == ImportPageId.MATCH
    wizard.match_page.choose_candidate(0)
    wizard.match_page.confirm_check.setChecked(True)
    screens(wizard, "import_wizard_match")
    with qtbot.waitSignal(page.importer.step_finished, timeout=WAIT_MS):
        wizard.next()
    assert wizard.currentId() == ImportPageId.RESULT
    screens(wizard, "import_wizard_result")
    wizard.reject()
