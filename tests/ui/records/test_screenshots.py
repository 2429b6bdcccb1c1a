"""Screenshots of the clinical screens at a 1366×768 laptop's size, for review by eye: the
chart, the visit form, triage, code suggestions, the code picker open, an attachment preview,
the inbox and the worklist. Written under the test's temporary folder and copied to
/tmp/clinic_screens/records/."""

from __future__ import annotations

from pathlib import Path

from clinic_app.bootstrap import Services
from clinic_app.records.models import TargetType, VisitInput
from clinic_app.security.permissions import Role
from clinic_app.ui.inbox.inbox_page import InboxPage
from clinic_app.ui.records.chart_page import ChartPage
from clinic_app.ui.records.chart_target import ChartTarget
from clinic_app.ui.records.worklist_page import WorklistPage
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtPdf import QPdfDocument
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, sign_in
from tests.ui.records.chart_steps import TIMEOUT, chart_page
from tests.ui.records.clinical_data import make_history, make_lab_result, make_patient
from tests.ui.records.screens import WINDOW, grab_with, save
from tests.ui.records.test_attachments import png_file

VISIT = VisitInput(
    reason="Chest tightness on exertion",
    symptoms=(
        "Tightness in the chest when climbing stairs for two weeks, eases with rest. "
        "Short of breath on exertion. No fever."
    ),
    history_medical="Long-standing HTN. T2DM on metformin.",
    history_medication="Metformin 1 g twice daily; amlodipine 5 mg.",
    examination="BP 152/94. Heart sounds normal, chest clear, no ankle oedema.",
    assessment="Exertional chest pain: possible stable angina. HTN not controlled.",
    plan="ECG today, troponin, lipids. Refer to cardiology.",
)


def test_the_clinical_screens(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    nurse = sign_in(services, Role.NURSE)
    patient = make_patient(services, doctor)
    make_history(services, doctor, patient.id, visits=6)
    make_lab_result(services, doctor, patient.id)
    visit = services.records.visits.open_visit(doctor, patient.id, data=VISIT)
    services.records.reviews.assign(nurse, TargetType.VISIT, visit.id, doctor.id)
    other = make_patient(services, doctor, given="José", family="García López", allergies="")
    second = services.records.visits.open_visit(
        nurse, other.id, data=VisitInput(reason="Wound check after surgery")
    )
    services.records.reviews.assign(nurse, TargetType.VISIT, second.id, doctor.id)

    window = open_workspace(Role.DOCTOR).window
    window.resize(*WINDOW)
    page = chart_page(qtbot, window, patient.id)
    assert isinstance(page, ChartPage)
    page.chart_view.vitals_chart.select_group("Blood pressure")
    qtbot.wait(50)  # one paint for the chart's axes: a screenshot, not a test of timing
    save(window, tmp_path, "chart")

    with qtbot.waitSignal(page.visit.editor.visit_shown, timeout=TIMEOUT):
        page.open_item(ChartTarget(patient.id, visit_id=visit.id))
    form = page.visit.form
    form.vitals.editors["systolic"].setText("152")
    form.vitals.editors["diastolic"].setText("94")
    form.vitals.editors["pulse"].setText("400")
    page.visit.view.save_button.click()
    qtbot.waitUntil(lambda: form.error_text("vitals.pulse") != "", timeout=TIMEOUT)
    page.visit.view.scroll_area.ensureWidgetVisible(form.vitals, 0, 160)
    save(window, tmp_path, "visit_form_errors")
    form.vitals.editors["pulse"].setText("84")
    with qtbot.waitSignal(page.visit.editor.visit_shown, timeout=TIMEOUT):
        page.visit.view.save_button.click()
    save(window, tmp_path, "visit_form")
    page.visit.view.scroll_area.ensureWidgetVisible(form.vitals.readings_label, 0, 60)
    save(window, tmp_path, "visit_form_vitals")

    summary = tmp_path / "visit-summary.pdf"
    page.visit.editor.choose_pdf_path = lambda _parent, _suggested: str(summary)
    page.visit.view.pdf_button.click()
    document = QPdfDocument()
    document.load(str(summary))
    save(QPixmap.fromImage(document.render(0, QSize(827, 1169))), tmp_path, "visit_summary_pdf")

    page.visit.view.show_tab("triage")
    with qtbot.waitSignal(page.visit.triage.result_shown, timeout=TIMEOUT):
        page.visit.triage_panel.quick_button.click()
    save(window, tmp_path, "triage_panel")

    page.visit.view.show_tab("suggest")
    with qtbot.waitSignal(page.visit.suggestions.suggestions_shown, timeout=TIMEOUT):
        page.visit.suggestion_view.suggest_button.click()
    page.visit.suggestion_view.table.selectRow(0)
    save(window, tmp_path, "suggest_from_note")

    picker = form.diagnoses.picker
    assert picker is not None
    page.visit.view.scroll_area.ensureWidgetVisible(form.diagnoses)
    picker.line_edit.setFocus()
    search = page.visit.pickers[0]
    qtbot.keyClicks(picker.line_edit, "angina pectoris")
    qtbot.waitUntil(lambda: search.settled and picker.model.rowCount() > 0, timeout=TIMEOUT)
    with qtbot.waitSignal(search.hierarchy_shown, timeout=TIMEOUT):
        qtbot.keyClick(picker.line_edit, Qt.Key.Key_Down)
    save(grab_with(window, picker.popup), tmp_path, "code_picker_open")
    qtbot.keyClick(picker.line_edit, Qt.Key.Key_Escape)

    page.visit.view.show_tab("attachment")
    controller = page.visit.targets.attachments
    controller.choose_open_path = lambda _parent: str(png_file(tmp_path, "ecg-strip.png"))
    with qtbot.waitSignal(page.visit.editor.visit_shown, timeout=TIMEOUT):
        page.visit.targets.attachments_view.add_button.click()
    page.visit.targets.attachments_view.table.selectRow(0)
    with qtbot.waitSignal(controller.preview_opened, timeout=TIMEOUT) as opened:
        page.visit.targets.attachments_view.preview_button.click()
    preview = opened.args[0]
    preview.resize(900, 640)
    save(preview, tmp_path, "attachment_preview")
    preview.close()
    save(window, tmp_path, "attachments_tab")

    page.visit.view.show_tab("annotation")
    notes = page.visit.targets.annotations_view
    notes.editor.setPlainText("ECG: sinus rhythm, no ST changes. Awaiting troponin.")
    with qtbot.waitSignal(page.visit.editor.visit_shown, timeout=TIMEOUT):
        notes.add_button.click()
    save(window, tmp_path, "annotations_tab")

    page.visit.view.back_button.click()
    timeline = page.timeline_model
    entries = [timeline.entry_at(row) for row in range(timeline.rowCount())]
    lab = next(e for e in entries if e is not None and e.kind == "lab_result")
    with qtbot.waitSignal(page.record.record_shown, timeout=TIMEOUT):
        page.open_record(lab.id)
    save(window, tmp_path, "record")

    inbox = window.show_page("inbox")
    assert isinstance(inbox, InboxPage)
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 2, timeout=TIMEOUT)
    inbox.view.table.selectRow(1)
    inbox.controller.mark_read([inbox.model.notification_at(1).id])
    qtbot.waitUntil(lambda: len(inbox.model.unread_ids()) == 1, timeout=TIMEOUT)
    save(window, tmp_path, "inbox")

    worklist = window.show_page("worklist")
    assert isinstance(worklist, WorklistPage)
    qtbot.waitUntil(lambda: worklist.model.rowCount() == 2, timeout=TIMEOUT)
    save(window, tmp_path, "worklist")
