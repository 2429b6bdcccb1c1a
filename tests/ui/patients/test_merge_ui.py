"""Merge duplicate… on the patients page through the real widgets: choose the other chart,
compare both side by side, choose a field, confirm (the box says it can't be undone); the
duplicate leaves the list and its records are on the kept chart. Screenshot of the dialog."""

from __future__ import annotations

import threading
from pathlib import Path

from clinic_app.bootstrap import Services
from clinic_app.patients.merge_models import Keep
from clinic_app.patients.models import PatientInput
from clinic_app.security.permissions import Role
from clinic_app.ui.patients.merge_dialog import PatientMergeDialog
from clinic_app.ui.patients.patients_page import PatientsPage
from clinic_app.ui.tasks.task_runner import Lane
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from tests.store_inspection import scalar
from tests.sync.clinic_data import SeededClinic, seed_clinic
from tests.ui.fixtures import WorkspaceFactory, sign_in
from tests.ui.test_screenshots import save

TWIN = PatientInput(
    given_name="Elodie",
    family_name="Durand-Lefèvre",
    sex="female",
    birth_date="1984-03-09",
    phone="+33 7 00 00 00 01",
    mrn="MRN-0001-B",
)


def _open(qtbot: QtBot, open_workspace: WorkspaceFactory, role: Role) -> PatientsPage:
    page = open_workspace(role).window.page("patients")
    assert isinstance(page, PatientsPage)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=5000)
    return page


def _answer_confirm(button_text: str, seen: list[str]) -> None:
    """Clicks a button of the confirmation box once it is up (it runs its own loop)."""

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "mergeConfirmBox":
            seen.append(box.text() + "\n" + box.informativeText())
            for button in box.buttons():
                if button.text() == button_text:
                    button.click()
                    return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def _merge_dialog(
    qtbot: QtBot, page: PatientsPage, twin_id: str, folder: Path | None = None
) -> PatientMergeDialog:
    qtbot.waitUntil(lambda: page.detail_view.merge_button.isVisibleTo(page.detail_view))
    page.detail_view.merge_button.click()
    picker = page.pick_dialog
    assert picker is not None
    qtbot.keyClicks(picker.search_edit, "Durand")
    picker.search_now()
    qtbot.waitUntil(lambda: picker.list_widget.count() == 1, timeout=5000)
    assert picker.list_widget.item(0).text().startswith("Durand-Lefèvre, Elodie")
    if folder is not None:
        save(picker, folder, "patient_merge_pick")
    picker.next_button.click()
    qtbot.waitUntil(lambda: page.merge_flow.dialog is not None, timeout=5000)
    dialog = page.merge_flow.dialog
    assert dialog is not None
    assert dialog.preview.duplicate.id == twin_id
    return dialog


def test_merge_duplicate_from_the_patients_page(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    users = {role: sign_in(services, role) for role in Role}
    clinic: SeededClinic = seed_clinic(services, users)
    twin = services.patients.create(doctor, TWIN).patient
    services.records.visits.open_visit(doctor, twin.id)
    page = _open(qtbot, open_workspace, Role.DOCTOR)
    page.editor.open_patient(clinic.patient_id)
    qtbot.waitUntil(lambda: page.panel.showing_detail, timeout=5000)
    dialog = _merge_dialog(qtbot, page, twin.id, tmp_path)
    # Differing fields offer both values, the kept chart's ticked; the same ones don't.
    assert set(dialog.choices()) >= {"given_name", "phone", "mrn", "allergies"}
    assert all(side == "survivor" for side in dialog.choices().values())
    assert "move to the chart that is kept: 1 visit." in dialog.records_label.text()
    dialog.resize(900, 640)
    save(dialog, tmp_path, "patient_merge_dialog")
    dialog.choose("phone", Keep.DUPLICATE)

    # Cancel in the confirmation: nothing happens.
    seen: list[str] = []
    _answer_confirm("Cancel", seen)
    dialog.merge_button.click()
    assert "can't undo" in seen[0]
    assert dialog.isVisible()
    assert scalar(services.db, "SELECT deleted_at FROM patients WHERE id = ?", twin.id) is None

    _answer_confirm("Merge", seen)
    with qtbot.waitSignal(page.merge_flow.merged, timeout=10_000):
        dialog.merge_button.click()
    kept = services.patients.get(doctor, clinic.patient_id)
    assert kept.summary.phone == TWIN.phone
    assert kept.summary.given_name == "Élodie"
    assert services.patients.get(doctor, twin.id).summary.deleted
    assert scalar(services.db, "SELECT count(*) FROM visits WHERE patient_id = ?", twin.id) == 0
    qtbot.waitUntil(
        lambda: twin.id not in {page.model.patient_at(r).id for r in range(page.model.rowCount())},
        timeout=5000,
    )
    qtbot.waitUntil(lambda: page.detail_view.value_text("phone") == TWIN.phone, timeout=5000)


def test_the_merge_action_is_only_offered_to_roles_that_may_merge(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    desk = sign_in(services, Role.FRONT_DESK)
    ana = services.patients.create(desk, TWIN).patient
    page = _open(qtbot, open_workspace, Role.FRONT_DESK)
    page.editor.open_patient(ana.id)
    qtbot.waitUntil(lambda: page.panel.showing_detail, timeout=5000)
    assert not page.detail_view.merge_button.isVisibleTo(page.detail_view)
    assert not page.start_merge()


def test_a_refused_merge_is_shown_in_words_and_changes_nothing(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    a = services.patients.create(doctor, TWIN).patient
    b = services.patients.create(doctor, PatientInput(**{**TWIN.__dict__, "mrn": "X-2"})).patient
    page = _open(qtbot, open_workspace, Role.DOCTOR)
    page.merge_flow.start(a.id, b.id)
    qtbot.waitUntil(lambda: page.merge_flow.dialog is not None, timeout=5000)
    dialog = page.merge_flow.dialog
    assert dialog is not None
    # Someone deletes the duplicate meanwhile: the merge is refused with a readable reason.
    services.patients.delete(doctor, b.id)
    seen: list[str] = []
    _answer_confirm("Merge", seen)
    with qtbot.waitSignal(page.merge_flow.failed, timeout=10_000):
        dialog.merge_button.click()
    box = page.merge_flow.error_box
    assert box is not None
    assert "deleted" in box.informativeText()
    assert not services.patients.get(doctor, a.id).summary.deleted
    assert scalar(services.db, "SELECT merged_into_id FROM patients WHERE id = ?", b.id) is None


def test_a_merge_cancelled_from_its_progress_dialog_changes_nothing(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    a = services.patients.create(doctor, TWIN).patient
    b = services.patients.create(doctor, PatientInput(**{**TWIN.__dict__, "mrn": "X-3"})).patient
    page = _open(qtbot, open_workspace, Role.DOCTOR)
    page.merge_flow.start(a.id, b.id)
    qtbot.waitUntil(lambda: page.merge_flow.dialog is not None, timeout=5000)
    dialog = page.merge_flow.dialog
    assert dialog is not None
    # Hold the database lane so the merge is still queued when Cancel is pressed.
    release = threading.Event()
    page._context.runner.run(Lane.DATABASE, lambda _ctx: release.wait(10), label="hold")
    seen: list[str] = []
    _answer_confirm("Merge", seen)
    dialog.merge_button.click()
    qtbot.waitUntil(lambda: page.merge_flow.progress_dialog is not None, timeout=5000)
    progress = page.merge_flow.progress_dialog
    assert progress is not None
    with qtbot.waitSignal(page.merge_flow.cancelled, timeout=10_000):
        cancel_button = progress.findChild(QPushButton)
        assert cancel_button is not None
        cancel_button.click()
        release.set()
    assert not page.merge_flow.busy
    assert scalar(services.db, "SELECT deleted_at FROM patients WHERE id = ?", b.id) is None


def test_the_picker_takes_hostile_text_and_says_what_went_wrong(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    a = services.patients.create(doctor, TWIN).patient
    page = _open(qtbot, open_workspace, Role.DOCTOR)
    page.editor.open_patient(a.id)
    qtbot.waitUntil(lambda: page.panel.showing_detail, timeout=5000)
    assert page.start_merge()
    picker = page.pick_dialog
    assert picker is not None
    # Only the open chart matches: nothing to offer, said so.
    picker.search_edit.setText("Durand")
    picker.search_now()
    qtbot.waitUntil(lambda: "No other patient" in picker.status_label.text(), timeout=5000)
    assert not picker.next_button.isEnabled()
    picker.search_edit.setText("")
    picker.search_now()
    assert picker.status_label.text() == "Type at least two characters."
    picker.search_edit.setText("x" * 50_000 + "\x00")
    picker.search_now()
    qtbot.waitUntil(
        lambda: picker.status_label.text() not in ("Searching…", "Type at least two characters."),
        timeout=5000,
    )
    assert picker.list_widget.count() == 0
    assert picker.status_label.text().startswith(("The search failed", "No other"))


def test_the_dialog_can_keep_the_other_chart_instead(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    a = services.patients.create(doctor, TWIN).patient
    b = services.patients.create(doctor, PatientInput(**{**TWIN.__dict__, "mrn": "X-4"})).patient
    page = _open(qtbot, open_workspace, Role.DOCTOR)
    page.merge_flow.start(a.id, b.id)
    qtbot.waitUntil(lambda: page.merge_flow.dialog is not None, timeout=5000)
    first = page.merge_flow.dialog
    assert first is not None
    first.swap_button.click()
    qtbot.waitUntil(
        lambda: page.merge_flow.dialog is not None and page.merge_flow.dialog is not first,
        timeout=5000,
    )
    swapped = page.merge_flow.dialog
    assert (swapped.preview.survivor.id, swapped.preview.duplicate.id) == (b.id, a.id)
    seen: list[str] = []
    _answer_confirm("Merge", seen)
    with qtbot.waitSignal(page.merge_flow.merged, timeout=10_000):
        swapped.merge_button.click()
    assert services.patients.get(doctor, a.id).summary.deleted
    assert not services.patients.get(doctor, b.id).summary.deleted
