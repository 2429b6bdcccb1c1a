"""The visit form: create, edit, field errors beside their fields, sign, addenda in place."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.records.models import VisitStatus
from clinic_app.security.permissions import Role
from clinic_app.ui.codes.code_picker_controller import CodePickerController
from clinic_app.ui.records.chart_page import ChartPage
from clinic_app.ui.records.coded_entry_table_model import EntryRow
from PySide6.QtCore import QDateTime, Qt
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, sign_in
from tests.ui.records.chart_steps import TIMEOUT, new_visit, open_visit, save, save_expecting_errors
from tests.ui.records.clinical_data import make_history, make_patient


def add_diagnosis_by_keyboard(qtbot: QtBot, page: ChartPage, query: str) -> None:
    picker = page.visit.form.diagnoses.picker
    assert picker is not None
    search = page.visit.pickers[0]
    assert isinstance(search, CodePickerController)
    picker.line_edit.setFocus()
    with qtbot.waitSignal(search.results_shown, timeout=TIMEOUT):
        qtbot.keyClicks(picker.line_edit, query)
    qtbot.waitUntil(lambda: search.settled, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: picker.model.rowCount() > 0, timeout=TIMEOUT)
    qtbot.keyClick(picker.line_edit, Qt.Key.Key_Return)


def test_a_doctor_records_a_new_visit_with_vitals_and_a_coded_diagnosis(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    page = new_visit(qtbot, open_workspace, Role.DOCTOR, patient.id)
    form = page.visit.form
    assert page.visit.view.header.allergies_shown == "Allergies: Penicillin (rash)"
    form.set_text("reason", "Thirst and tiredness")
    form.set_text("symptoms", "Drinking a lot, passing urine often, for three weeks.")
    form.set_text("plan", "HbA1c, start metformin")
    form.vitals.editors["temperature"].setText("101.3 F")
    form.vitals.editors["pulse"].setText("88")
    form.vitals.editors["systolic"].setText("142")
    form.vitals.editors["diastolic"].setText("91")
    form.vitals.editors["weight"].setText("176 lb")
    form.vitals.editors["height"].setText("170")
    add_diagnosis_by_keyboard(qtbot, page, "E11.9")
    assert form.diagnoses.model.codes() == ["E11.9"]
    assert page.has_unsaved_changes()

    save(qtbot, page)

    visit = page.visit.editor.visit
    assert visit is not None
    stored = services.records.visits.get_visit(doctor, visit.id)
    assert stored.summary.reason == "Thirst and tiredness"
    assert stored.plan == "HbA1c, start metformin"
    assert [d.code for d in stored.diagnoses] == ["E11.9"]
    assert stored.diagnoses[0].code_set_version == "2026-04 (test excerpt)"
    (reading,) = stored.vitals
    assert reading.temperature_c == pytest.approx(38.5)
    assert reading.weight_kg == pytest.approx(79.8)
    assert reading.bmi == pytest.approx(27.6)
    assert (reading.systolic_mmhg, reading.diastolic_mmhg, reading.pulse_bpm) == (142, 91, 88)
    assert form.vitals.is_empty(), "recorded readings leave the fields for the next ones"
    assert "27.6" in form.vitals.readings_label.text()
    assert not page.has_unsaved_changes()
    assert page.visit.view.sign_button.isVisible()
    qtbot.waitUntil(lambda: page.timeline_model.rowCount() == 1, timeout=TIMEOUT)


def test_editing_a_saved_visit_keeps_its_version_in_step(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    visit = services.records.visits.open_visit(doctor, patient.id)
    page = open_visit(qtbot, open_workspace, Role.DOCTOR, patient.id, visit.id)
    page.visit.form.set_text("examination", "Chest clear. Heart sounds normal.")
    save(qtbot, page)
    page.visit.form.set_text("assessment", "Well.")
    save(qtbot, page)
    stored = services.records.visits.get_visit(doctor, visit.id)
    assert stored.examination == "Chest clear. Heart sounds normal."
    assert stored.assessment == "Well."
    assert stored.version == page.visit.editor.visit.version


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vitals.pulse", "400", "Pulse must be between 20 and 300 beats/min."),
        ("vitals.spo2", "nine", "Must be a number."),
        ("vitals.temperature", "98.6", "This looks like Fahrenheit: give the unit F."),
        ("symptoms", "x" * 20_001, "At most 20000 characters (this has 20001)."),
        ("symptoms", "cough\x07 pasted from a fax", "Must not contain control characters."),
    ],
    ids=["implausible-pulse", "not-a-number", "fahrenheit-as-celsius", "too-long", "control"],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(
    qtbot: QtBot,
    services: Services,
    open_workspace: WorkspaceFactory,
    field: str,
    value: str,
    message: str,
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    page = new_visit(qtbot, open_workspace, Role.DOCTOR, patient.id)
    form = page.visit.form
    form.set_text("reason", "Check-up")
    if field.startswith("vitals."):
        form.vitals.editors[field.removeprefix("vitals.")].setText(value)
    else:
        form.set_text(field, value)

    save_expecting_errors(qtbot, page)

    assert message in form.error_text(field)
    assert services.records.visits.list_visits(doctor, patient.id) == []
    assert page.visit.editor.visit is None, "still a new, unsaved visit"
    assert page.has_unsaved_changes(), "what was typed stays in the form"


def test_a_visit_time_in_the_future_is_refused_beside_the_field(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    page = new_visit(qtbot, open_workspace, Role.DOCTOR, patient.id)
    form = page.visit.form
    form.started_edit.setDateTime(QDateTime.currentDateTime().addDays(3))
    save_expecting_errors(qtbot, page)
    assert form.error_text("started_at") == "Can't be in the future."


def test_a_refused_code_is_marked_on_its_row(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    page = new_visit(qtbot, open_workspace, Role.DOCTOR, patient.id)
    diagnoses = page.visit.form.diagnoses
    diagnoses.add_code("I10", "Essential (primary) hypertension", "ICD-10-CM", "2026")
    diagnoses.model.add_row(EntryRow("Z9Z.ZZZZZ", "Typed by hand", "ICD-10-CM", "2026"))
    save_expecting_errors(qtbot, page)
    assert diagnoses.model.rows()[1].error == "Not a valid ICD-10-CM code."
    assert diagnoses.model.rows()[0].error == ""
    assert diagnoses.message_text() == "Row 2 (Z9Z.ZZZZZ): Not a valid ICD-10-CM code."


def test_signing_asks_first_then_the_visit_is_read_only_and_takes_addenda_in_place(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    visit = services.records.visits.open_visit(doctor, patient.id)
    page = open_visit(qtbot, open_workspace, Role.DOCTOR, patient.id, visit.id)
    view, editor = page.visit.view, page.visit.editor
    page.visit.form.set_text("plan", "Rest; paracetamol.")
    view.sign_button.click()
    assert view.message_text() == "Save your changes before signing."
    save(qtbot, page)

    view.sign_button.click()
    dialog = editor.confirm_dialog
    assert dialog is not None
    with qtbot.waitSignal(editor.visit_saved, timeout=TIMEOUT):
        dialog.confirm_button.click()
    assert editor.visit is not None
    assert editor.visit.status is VisitStatus.SIGNED
    assert not view.save_button.isVisible()
    assert not view.sign_button.isVisible()
    assert view.addendum_button.isVisible()
    plan = page.visit.form.editor("plan")
    assert plan.property("readOnly") is True
    assert "Signed by Greg House" in view.status_label.text()

    view.addendum_button.click()
    addendum = editor.addendum_dialog
    assert addendum is not None
    addendum.field_combo.setCurrentIndex(addendum.field_combo.findData("plan"))
    addendum.buttons.accepted.emit()  # empty text: refused in the dialog
    assert addendum.form.error_text("text") == "Write the addendum."
    addendum.text_edit.setPlainText("Also: ibuprofen 400 mg if needed.")
    with qtbot.waitSignal(editor.visit_shown, timeout=TIMEOUT):
        addendum.buttons.accepted.emit()
    note = page.visit.form.addenda["plan"]
    assert note.isVisibleTo(page.visit.form)
    assert "Also: ibuprofen 400 mg if needed." in note.text()
    assert "Greg House" in note.text()
    assert not page.visit.form.addenda["symptoms"].isVisibleTo(page.visit.form)
    stored = services.records.visits.get_visit(doctor, visit.id)
    assert stored.plan == "Rest; paracetamol.", "the signed text is unchanged"


def test_a_nurse_records_intake_and_vitals_but_cannot_assess_or_sign(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    nurse = sign_in(services, Role.NURSE)
    patient = make_patient(services, doctor)
    page = new_visit(qtbot, open_workspace, Role.NURSE, patient.id)
    form, view = page.visit.form, page.visit.view
    assert form.editor("assessment").property("readOnly") is True
    assert form.editor("plan").property("readOnly") is True
    assert form.editor("symptoms").property("readOnly") is False
    assert form.diagnoses.picker is None
    assert not page.visit.triage_panel.accept_button.isVisible()
    form.set_text("reason", "Dizzy since this morning")
    form.vitals.editors["systolic"].setText("100")
    form.vitals.editors["diastolic"].setText("60")
    assert form.collect_input().assessment is None, "nothing sent for fields the role can't write"
    assert form.collect_input().diagnoses is None
    save(qtbot, page)
    assert not view.sign_button.isVisible(), "only a doctor signs"
    (visit,) = services.records.visits.list_visits(nurse, patient.id)
    assert visit.clinician_id == nurse.id
    assert services.records.visits.get_visit(nurse, visit.id).vitals[0].systolic_mmhg == 100


def test_a_signed_visit_older_than_the_form_is_opened_read_only(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    (visit,) = make_history(services, doctor, patient.id, visits=1)
    page = open_visit(qtbot, open_workspace, Role.DOCTOR, patient.id, visit.id)
    form = page.visit.form
    assert form.signed
    assert not form.vitals.editors["pulse"].isVisibleTo(form), "readings only, no input"
    assert "150/95" in form.vitals.readings_label.text()
    assert form.diagnoses.model.codes() == ["I10"]
    assert not form.diagnoses.model.writable
    assert not page.has_unsaved_changes()
