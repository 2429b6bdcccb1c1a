"""The import wizard over real DICOM media (pydicom's DICOMDIR test folder): the scan proposes
the clinic's matching patient with its reasons, nothing is imported until the user picks a
patient and ticks the confirmation, a new patient is made only when chosen, and unreadable
files are listed with their reasons while nothing wrong is imported."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.ui.imaging.imaging_page import ImagingPage
from clinic_app.ui.imaging.import_match_page import NEW
from clinic_app.ui.imaging.import_state import ImportPageId
from clinic_app.ui.imaging.import_wizard import ImportWizard
from clinic_app.ui.tasks.task_runner import Lane, TaskRunner
from pytestqt.qtbot import QtBot

from tests.imaging.conftest import shipped
from tests.patient_inputs import patient_input
from tests.store_inspection import scalar
from tests.ui.fixtures import sign_in
from tests.ui.imaging.imaging_fixtures import PageFactory
from tests.ui.imaging.viewer_steps import WAIT_MS

CR_CT_FOLDER = "dicomdirtests/77654033"


@pytest.fixture
def media(tmp_path: Path) -> Path:
    """A patient's CD: the CR and CT images of DICOM patient 77654033 (Doe^Archibald)."""
    folder = tmp_path / "media"
    shutil.copytree(shipped(f"{CR_CT_FOLDER}/CR1/6154").parents[1], folder / "IMAGES")
    return folder


def instance_count(services: Services) -> int:
    return int(scalar(services.db, "SELECT count(*) FROM imaging_instances"))


def scan_in_wizard(qtbot: QtBot, page: ImagingPage, paths: list[Path]) -> ImportWizard:
    page.open_import()
    wizard = page.importer.wizard
    assert wizard is not None
    wizard.source_page.add_paths([str(p) for p in paths])
    with qtbot.waitSignal(page.importer.step_finished, timeout=WAIT_MS):
        wizard.next()
    return wizard


def import_and_finish(qtbot: QtBot, page: ImagingPage, wizard: ImportWizard) -> None:
    with qtbot.waitSignal(page.importer.step_finished, timeout=WAIT_MS):
        wizard.next()
    assert wizard.currentId() == ImportPageId.RESULT


def test_a_proposed_match_is_imported_only_after_the_user_confirms_it(
    qtbot: QtBot, services: Services, imaging_page: PageFactory, media: Path
) -> None:
    nurse = sign_in(services, Role.NURSE)
    match = services.patients.create(nurse, patient_input(mrn="77654033")).patient
    page = imaging_page(Role.NURSE)
    wizard = scan_in_wizard(qtbot, page, [media])
    assert wizard.currentId() == ImportPageId.MATCH
    matching = wizard.match_page
    assert "Doe, Archibald" in matching.dicom_label.text()
    assert "DICOM patient ID 77654033" in matching.dicom_label.text()
    assert matching.candidates.rowCount() == 1
    assert matching.candidates.index(0, 0).data() == match.summary.display_name
    assert "MRN equals the DICOM patient ID" in matching.candidates.index(0, 3).data()
    assert matching.chosen == -1, "a proposal, not a choice"
    assert not wizard.button(wizard.WizardButton.CommitButton).isEnabled()

    matching.choose_candidate(0)
    assert not matching.isComplete(), "picking is not confirming"
    assert not matching.confirm_check.isChecked()
    assert match.summary.display_name in matching.confirm_check.text()
    assert "family name 'Durand-Lefèvre' vs 'Doe' in the files" in matching.mismatch_label.text()
    assert matching.mismatch_label.isVisible(), "a differing record is pointed out"
    matching.confirm_check.setChecked(True)
    assert matching.isComplete()
    assert instance_count(services) == 0, "nothing imported before confirmation"

    import_and_finish(qtbot, page, wizard)
    report = wizard.state.report
    assert report is not None
    assert report.imported == 7
    assert report.patient_id == match.summary.id
    assert "Imported 7 file(s)" in wizard.result_page.summary_label.text()
    assert instance_count(services) == 7
    with qtbot.waitSignal(page.patient_loaded, timeout=WAIT_MS):
        wizard.accept()
    assert page.images is not None
    assert page.images.patient.id == match.summary.id
    assert page.series_model.rowCount() == 4  # three CR series and a CT series


def test_a_new_patient_is_made_from_the_files_only_when_chosen(
    qtbot: QtBot, services: Services, imaging_page: PageFactory, media: Path
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    before = services.patients.list(doctor, limit=10).total
    page = imaging_page(Role.DOCTOR)
    wizard = scan_in_wizard(qtbot, page, [media])
    matching = wizard.match_page
    assert matching.candidates.rowCount() == 0
    assert not matching.existing_radio.isEnabled()
    matching.new_radio.setChecked(True)
    assert matching.chosen == NEW
    assert matching.family_edit.text() == "Doe"
    assert matching.given_edit.text() == "Archibald"
    assert matching.mrn_edit.text() == "77654033"
    assert matching.birth_edit.text() == "", "these files give no birth date"
    matching.confirm_check.setChecked(True)
    with qtbot.waitSignal(page.importer.step_finished, timeout=WAIT_MS):
        wizard.next()
    assert wizard.currentId() == ImportPageId.MATCH
    assert matching.error_label.text() == "Check the new patient's details. Birth date: required."
    assert services.patients.list(doctor, limit=10).total == before

    matching.birth_edit.setText("1950-02-03")
    matching.birth_edit.textEdited.emit("1950-02-03")
    assert not matching.isComplete(), "a changed form is confirmed again"
    matching.confirm_check.setChecked(True)
    with qtbot.waitSignal(page.importer.step_finished, timeout=WAIT_MS):
        wizard.next()  # creates the patient, then moves on
    assert wizard.currentId() == ImportPageId.PROGRESS
    qtbot.waitUntil(lambda: wizard.currentId() == ImportPageId.RESULT, timeout=WAIT_MS)
    assert services.patients.list(doctor, limit=10).total == (before or 0) + 1
    created = wizard.state.patient
    assert created is not None
    assert created.display_name == "Doe, Archibald"
    assert created.mrn == "77654033"
    assert wizard.state.report is not None
    assert wizard.state.report.imported == 7


def test_unreadable_files_are_listed_with_reasons_and_nothing_is_imported(
    qtbot: QtBot, services: Services, imaging_page: PageFactory, tmp_path: Path
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "notes.txt").write_text("not an image")
    data = shipped("CT_small.dcm").read_bytes()
    (bad / "cut.dcm").write_bytes(data[: len(data) // 2])  # header fine, pixels cut
    (bad / "stub.dcm").write_bytes(data[:200])  # cut inside the header
    (bad / "fake.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    nurse = sign_in(services, Role.NURSE)
    patient = services.patients.create(nurse, patient_input()).patient
    page = imaging_page(Role.NURSE)
    wizard = scan_in_wizard(qtbot, page, [bad])
    state = wizard.state
    assert state.scan is not None
    assert [Path(p).name for p, _key in state.scan.dicom_files] == ["cut.dcm"]
    matching = wizard.match_page
    matching.new_radio.setChecked(True)
    matching.given_edit.setText(patient.summary.given_name)
    matching.family_edit.setText("Cut")
    matching.birth_edit.setText("1970-01-01")
    matching.confirm_check.setChecked(True)
    with qtbot.waitSignal(page.importer.step_finished, timeout=WAIT_MS):
        wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == ImportPageId.RESULT, timeout=WAIT_MS)

    report = state.report
    assert report is not None
    assert report.imported == 0
    problems = wizard.result_page.problems
    reasons = {
        problems.index(row, 0).data(): problems.index(row, 1).data()
        for row in range(problems.rowCount())
    }
    assert set(reasons) == {"notes.txt", "cut.dcm", "stub.dcm", "fake.png"}
    assert all(reason for reason in reasons.values())
    assert "4 file(s) could not be imported" in wizard.result_page.problems_caption.text()
    assert "Imported 0 file(s)" in wizard.result_page.summary_label.text()
    assert instance_count(services) == 0


def test_an_import_can_be_stopped_and_says_so(
    qtbot: QtBot,
    services: Services,
    imaging_page: PageFactory,
    task_runner: TaskRunner,
    media: Path,
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    services.patients.create(doctor, patient_input(mrn="77654033"))
    page = imaging_page(Role.DOCTOR)
    wizard = scan_in_wizard(qtbot, page, [media])
    wizard.match_page.choose_candidate(0)
    wizard.match_page.confirm_check.setChecked(True)
    gate = threading.Event()  # holds the compute lane so the import is still queued
    task_runner.run(Lane.COMPUTE, lambda _ctx: gate.wait(10), label="test gate")
    wizard.next()
    assert wizard.currentId() == ImportPageId.PROGRESS
    with qtbot.waitSignal(page.importer.step_finished, timeout=WAIT_MS):
        wizard.progress_page.stop_button.click()
        gate.set()
    assert wizard.currentId() == ImportPageId.RESULT
    assert wizard.state.stopped
    assert wizard.result_page.summary_label.text().startswith("The import was stopped.")
    assert instance_count(services) == 0


def test_files_of_two_dicom_patients_are_imported_one_patient_at_a_time(
    qtbot: QtBot, services: Services, imaging_page: PageFactory
) -> None:
    page = imaging_page(Role.DOCTOR)
    wizard = scan_in_wizard(qtbot, page, [shipped("CT_small.dcm"), shipped("MR_small.dcm")])
    matching = wizard.match_page
    assert matching.group_combo.isVisible()
    assert matching.group_combo.count() == 2
    first = wizard.state.group_key
    matching.new_radio.setChecked(True)
    matching.birth_edit.setText("1960-05-06")
    matching.confirm_check.setChecked(True)
    assert "these 1 file(s)" in matching.confirm_check.text(), "only this DICOM patient's files"
    with qtbot.waitSignal(page.importer.step_finished, timeout=WAIT_MS):
        wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == ImportPageId.RESULT, timeout=WAIT_MS)
    assert wizard.state.report is not None
    assert wizard.state.report.imported == 1
    assert wizard.result_page.next_button.isVisible()

    wizard.result_page.next_button.click()
    assert wizard.currentId() == ImportPageId.MATCH
    assert matching.group_combo.count() == 1
    assert wizard.state.group_key != first
    assert matching.chosen == -1, "the next patient is chosen and confirmed afresh"
    assert not matching.confirm_check.isChecked()


def test_files_with_nothing_readable_go_straight_to_the_reasons(
    qtbot: QtBot, services: Services, imaging_page: PageFactory, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "empty.dcm").write_bytes(b"")
    page = imaging_page(Role.DOCTOR)
    wizard = scan_in_wizard(qtbot, page, [tmp_path / "notes.txt", tmp_path / "empty.dcm"])
    assert wizard.currentId() == ImportPageId.RESULT
    assert wizard.result_page.summary_label.text().startswith("Nothing was imported")
    assert wizard.result_page.problems.rowCount() == 2
    assert instance_count(services) == 0
