"""The visit summary as a PDF (clinic name, patient header, the visit's content and addenda),
and unsaved visit work kept in memory when another person signs in."""

from __future__ import annotations

import json
from pathlib import Path

from clinic_app.bootstrap import Services
from clinic_app.records.models import TargetType, VisitInput
from clinic_app.security.permissions import Role
from clinic_app.ui.records.chart_page import ChartPage
from clinic_app.ui.records.visit_editor_controller import VisitDraft
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, sign_in
from tests.ui.records.chart_steps import TIMEOUT, new_visit, open_visit
from tests.ui.records.clinical_data import make_patient


def pdf_text(path: Path) -> str:
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    return "\n".join(document.getAllText(page).text() for page in range(document.pageCount()))


def test_a_signed_visit_is_saved_as_a_pdf_with_the_clinic_name_and_its_addenda(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    (services.settings.data_dir / "clinic.json").write_text(
        json.dumps({"name": "Riverside Family Clinic"}), encoding="utf-8"
    )
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    visit = services.records.visits.open_visit(
        doctor,
        patient.id,
        data=VisitInput(reason="Sore throat", plan="Rest and fluids <b>not bold</b>"),
    )
    signed = services.records.visits.sign_visit(doctor, visit.id, visit.version)
    services.records.addenda.add_addendum(
        doctor, TargetType.VISIT, signed.id, "Throat swab negative.", field="plan"
    )
    page = open_visit(qtbot, open_workspace, Role.DOCTOR, patient.id, visit.id)
    target = tmp_path / "summary.pdf"
    page.visit.editor.choose_pdf_path = lambda _parent, _suggested: str(target)
    with qtbot.waitSignal(page.visit.editor.status_reported, timeout=TIMEOUT) as reported:
        page.visit.view.pdf_button.click()
    assert reported.args == ["Visit summary saved as summary.pdf."]
    assert target.read_bytes().startswith(b"%PDF")
    text = pdf_text(target)
    for expected in (
        "Riverside Family Clinic",
        "Okafor, Amara",
        "Allergies: Penicillin (rash)",
        "Sore throat",
        "Rest and fluids <b>not bold</b>",  # typed text stays text
        "Throat swab negative.",
        "Signed by Greg House",
    ):
        assert expected in " ".join(text.split()), expected


def test_unsaved_visit_work_is_kept_when_another_person_signs_in(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    page = new_visit(qtbot, open_workspace, Role.DOCTOR, patient.id)
    page.visit.form.set_text("reason", "Headache for three days")
    page.visit.form.vitals.editors["pulse"].setText("76")
    page.visit.form.diagnoses.add_code("R51.9", "Headache, unspecified", "ICD-10-CM", "2026")
    window = page.window()
    assert window.has_unsaved_changes()
    drafts = window.collect_drafts()
    draft = drafts["chart"]
    assert isinstance(draft, VisitDraft)

    again = open_workspace(Role.DOCTOR).window
    again.restore_ui_state(type(again.capture_ui_state())(b"", "chart"), drafts)
    restored = again.page("chart")
    assert isinstance(restored, ChartPage)
    qtbot.waitUntil(lambda: restored.showing == "visit", timeout=TIMEOUT)
    form = restored.visit.form
    assert form.text("reason") == "Headache for three days"
    assert form.vitals.editors["pulse"].text() == "76"
    assert form.diagnoses.model.codes() == ["R51.9"]
    assert restored.has_unsaved_changes()
    assert services.records.visits.list_visits(doctor, patient.id) == [], "nothing was saved"


def test_print_offers_the_print_dialog(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    visit = services.records.visits.open_visit(doctor, patient.id, data=VisitInput(reason="Rash"))
    page = open_visit(qtbot, open_workspace, Role.DOCTOR, patient.id, visit.id)
    page.visit.view.print_button.click()
    dialog = page.visit.view.findChild(QPrintDialog)
    assert dialog is not None
    assert dialog.isVisible()
    printer = dialog.printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    # As the Print button ends the dialog, without its accept() reading the printer back
    # from its widgets (there is no printer here; the PDF file stands in for one).
    dialog.done(QDialog.DialogCode.Accepted)
    assert "Rash" in pdf_text(tmp_path / "printed.pdf")
