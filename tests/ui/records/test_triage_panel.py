"""Triage on the visit: urgency in colour and words, red flags with their trigger words,
recommendations, codes accepted one by one; labelled decision support with the rules'
version; saved on the visit when asked."""

from __future__ import annotations

from collections.abc import Iterable

from clinic_app.bootstrap import Services
from clinic_app.records.models import VisitInput
from clinic_app.security.permissions import Role
from clinic_app.triage.models import OnlineOpinion, TriageInput, TriageResult, Urgency
from clinic_app.ui.records.chart_page import ChartPage
from clinic_app.ui.records.triage_panel import DISCLAIMER
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, sign_in
from tests.ui.records.chart_steps import TIMEOUT, new_visit, open_visit
from tests.ui.records.clinical_data import make_patient

CHEST_PAIN = "Crushing chest pain spreading to the left arm, sweating"


def quick(qtbot: QtBot, page: ChartPage) -> None:
    page.visit.view.show_tab("triage")
    panel = page.visit.triage_panel
    with qtbot.waitSignal(page.visit.triage.result_shown, timeout=TIMEOUT):
        panel.quick_button.click()


def test_a_quick_analysis_flags_chest_pain_as_an_emergency(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    page = new_visit(qtbot, open_workspace, Role.DOCTOR, make_patient(services, doctor).id)
    page.visit.form.set_text("symptoms", CHEST_PAIN)
    quick(qtbot, page)
    panel = page.visit.triage_panel
    assert panel.urgency is Urgency.EMERGENCY
    assert panel.disclaimer.text() == DISCLAIMER
    version = services.triage.engine.version
    assert panel.version_label.text() == f"Triage rules version {version}"
    html = panel.result_view.toHtml()
    assert "EMERGENCY" in html
    assert "Acute chest pain" in html
    assert "Crushing chest pain" in panel.result_view.toPlainText()
    assert "#ffe58a" in html, "the trigger words are highlighted"
    assert "Quick analysis (not saved)" in panel.result_view.toPlainText()
    assert not panel.online_check.isVisibleTo(panel), "online analysis is not configured"

    codes = [panel.code_list.item(r).text() for r in range(panel.code_list.count())]
    assert codes[0].startswith("R07.9")
    panel.code_list.setCurrentRow(0)
    diagnoses = page.visit.form.diagnoses.model
    panel.accept_button.click()
    qtbot.waitUntil(lambda: diagnoses.rowCount() == 1, timeout=TIMEOUT)
    assert diagnoses.codes() == ["R07.9"]
    assert panel.code_list.item(0).text().startswith("✓ R07.9")
    assert not panel.accept_button.isEnabled()


def test_negated_chest_pain_is_routine_and_empty_input_is_explained(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    page = new_visit(qtbot, open_workspace, Role.DOCTOR, make_patient(services, doctor).id)
    panel = page.visit.triage_panel
    page.visit.view.show_tab("triage")
    panel.quick_button.click()
    qtbot.waitUntil(lambda: panel.message_text() != "", timeout=TIMEOUT)
    assert panel.message_text() == "Symptoms: Describe the symptoms or enter vital signs."
    page.visit.form.set_text("symptoms", "No chest pain. Mild cough for two days.")
    quick(qtbot, page)
    assert panel.urgency is Urgency.ROUTINE
    assert panel.message_text() == ""


def test_a_saved_analysis_is_kept_on_the_visit_and_shown_when_it_opens(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    visit = services.records.visits.open_visit(
        doctor, patient.id, data=VisitInput(symptoms=CHEST_PAIN)
    )
    page = open_visit(qtbot, open_workspace, Role.DOCTOR, patient.id, visit.id)
    panel = page.visit.triage_panel
    assert panel.save_button.isEnabled()
    page.visit.view.show_tab("triage")
    with qtbot.waitSignal(page.visit.triage.result_shown, timeout=TIMEOUT):
        panel.save_button.click()
    (saved,) = services.triage.saved_for_visit(doctor, visit.id)
    assert saved.result.urgency is Urgency.EMERGENCY
    assert saved.result.rules_version == services.triage.engine.version

    page.visit.view.back_button.click()
    assert page.showing == "chart"
    assert panel.result_view.toPlainText() == "", "nothing of the visit stays behind"
    with qtbot.waitSignal(page.visit.triage.result_shown, timeout=TIMEOUT):
        page.open_visit(visit.id)
    assert "Saved on the visit" in panel.result_view.toPlainText()


def test_a_new_visit_can_be_analysed_but_not_saved_before_it_is(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    page = new_visit(qtbot, open_workspace, Role.NURSE, make_patient(services, doctor).id)
    panel = page.visit.triage_panel
    assert not panel.save_button.isEnabled()
    assert panel.quick_button.isEnabled()
    assert not panel.accept_button.isVisibleTo(panel), "a nurse does not code"


class CannedAnalyst:
    """Stands in for the optional online service (its HTTP client is tested in tests/triage)."""

    available = True

    def consult(
        self, data: TriageInput, offline: TriageResult, names: Iterable[str] = ()
    ) -> tuple[OnlineOpinion | None, str | None]:
        assert "Okafor" not in data.symptoms, "no names are sent"
        return OnlineOpinion(
            "demo-model", "Online analysis (demo)", "Consider ACS.", Urgency.EMERGENCY
        ), None


def test_an_online_answer_is_shown_beside_the_offline_result_and_labelled(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    services.triage.online = CannedAnalyst()  # type: ignore[assignment]
    doctor = sign_in(services, Role.DOCTOR)
    page = new_visit(qtbot, open_workspace, Role.DOCTOR, make_patient(services, doctor).id)
    panel = page.visit.triage_panel
    assert panel.online_check.isVisibleTo(panel)
    panel.online_check.setChecked(True)
    page.visit.form.set_text("symptoms", CHEST_PAIN)
    quick(qtbot, page)
    text = panel.result_view.toPlainText()
    assert text.index("Red flags") < text.index("Online analysis")
    assert "Online analysis (demo), model demo-model" in text
    assert "Consider ACS." in text
    assert panel.urgency is Urgency.EMERGENCY, "the offline result leads"
