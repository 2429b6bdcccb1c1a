"""Annotations (doctors, append-only), assigning a visit for review, and the doctor's
worklist where completing a review needs an annotation."""

from __future__ import annotations

from clinic_app.bootstrap import Services
from clinic_app.records.models import ReviewStatus, TargetType, VisitInput
from clinic_app.security.permissions import Role
from clinic_app.ui.records.chart_page import ChartPage
from clinic_app.ui.records.worklist_page import WorklistPage
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, sign_in
from tests.ui.records.chart_steps import TIMEOUT, open_visit
from tests.ui.records.clinical_data import make_patient


def annotate(qtbot: QtBot, page: ChartPage, text: str) -> None:
    view = page.visit.targets.annotations_view
    view.editor.setPlainText(text)
    with qtbot.waitSignal(page.visit.editor.visit_shown, timeout=TIMEOUT):
        qtbot.keyClick(view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_a_doctor_adds_signed_annotations_that_stay_in_order(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    visit = services.records.visits.open_visit(doctor, patient.id)
    page = open_visit(qtbot, open_workspace, Role.DOCTOR, patient.id, visit.id)
    page.visit.view.show_tab("annotation")
    view = page.visit.targets.annotations_view
    view.add_button.click()
    assert view.error_text() == "Write the annotation first."
    annotate(qtbot, page, "ECG reviewed: sinus rhythm.")
    annotate(qtbot, page, "Potassium normal.")
    model = page.visit.targets.annotation_model
    assert [model.index(r, 2).data() for r in range(model.rowCount())] == [
        "ECG reviewed: sinus rhythm.",
        "Potassium normal.",
    ]
    assert model.index(0, 1).data() == "Greg House"
    assert view.editor.toPlainText() == ""
    assert view.notice_text() == "Annotation added and signed."
    stored = services.records.annotations.list_annotations(doctor, TargetType.VISIT, visit.id)
    assert all(a.signature_valid for a in stored)
    assert page.visit.view.side_tabs.tabText(3) == "Annotations (2)"


def test_a_nurse_assigns_a_visit_for_review_but_cannot_annotate(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    visit = services.records.visits.open_visit(doctor, patient.id)
    page = open_visit(qtbot, open_workspace, Role.NURSE, patient.id, visit.id)
    page.visit.view.show_tab("annotation")
    view = page.visit.targets.annotations_view
    assert not view.editor.isVisibleTo(view)
    assert not view.add_button.isVisibleTo(view)
    qtbot.waitUntil(lambda: bool(page.people.doctors()), timeout=TIMEOUT)
    view.assign_button.click()
    dialog = page.visit.targets.annotations.assign_dialog
    assert dialog is not None
    assert dialog.doctor_combo.currentText() == "Greg House"
    with qtbot.waitSignal(page.visit.targets.annotations.review_assigned, timeout=TIMEOUT):
        dialog.buttons.accepted.emit()
    assert view.notice_text() == "Assigned to Greg House for review; it is on their worklist."
    (item,) = services.records.reviews.worklist(doctor)
    assert item.assignment.target_id == visit.id
    (notice,) = services.notifications.inbox(doctor)
    assert notice.title == "A visit waits for your review"


def test_completing_a_review_on_the_worklist_needs_an_annotation(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    nurse = sign_in(services, Role.NURSE)
    patient = make_patient(services, doctor)
    visit = services.records.visits.open_visit(
        nurse, patient.id, data=VisitInput(reason="Chest tightness on stairs")
    )
    services.records.reviews.assign(nurse, TargetType.VISIT, visit.id, doctor.id)
    window = open_workspace(Role.DOCTOR).window
    page = window.show_page("worklist")
    assert isinstance(page, WorklistPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=TIMEOUT)
    assert page.model.index(0, 0).data() == "Okafor, Amara"
    assert page.model.index(0, 1).data() == "Visit: Chest tightness on stairs"
    assert page.model.index(0, 4).data() == "Joy Nurse"

    page.view.complete_button.click()
    dialog = page.complete_dialog
    assert dialog is not None
    dialog.buttons.accepted.emit()
    assert dialog.error_text() == "Completing a review needs your annotation."
    dialog.text_edit.setPlainText("Reviewed: refer for exercise ECG.")
    with qtbot.waitSignal(page.review_completed, timeout=TIMEOUT):
        dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: page.view.showing_empty_state, timeout=TIMEOUT)
    assert services.records.reviews.worklist(doctor) == []
    (done,) = services.records.reviews.worklist(doctor, include_completed=True)
    assert done.assignment.status is ReviewStatus.COMPLETED
    notes = services.records.annotations.list_annotations(doctor, TargetType.VISIT, visit.id)
    assert [n.text for n in notes] == ["Reviewed: refer for exercise ECG."]

    page.view.completed_check.setChecked(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=TIMEOUT)
    assert page.model.index(0, 5).data() == "Completed"
    assert not page.view.complete_button.isEnabled()


def test_opening_a_worklist_item_shows_the_visit_in_the_chart(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    visit = services.records.visits.open_visit(doctor, patient.id, data=VisitInput(reason="Rash"))
    services.records.reviews.assign(doctor, TargetType.VISIT, visit.id, doctor.id)
    window = open_workspace(Role.DOCTOR).window
    worklist = window.show_page("worklist")
    assert isinstance(worklist, WorklistPage)
    qtbot.waitUntil(lambda: worklist.model.rowCount() == 1, timeout=TIMEOUT)
    worklist.view.table.setFocus()
    qtbot.keyClick(worklist.view.table, Qt.Key.Key_Return)
    chart = window.page("chart")
    assert isinstance(chart, ChartPage)
    qtbot.waitUntil(lambda: chart.showing == "visit", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: chart.visit.editor.visit is not None, timeout=TIMEOUT)
    assert chart.visit.editor.visit.id == visit.id
    assert window.current_page_key == "chart"
