""" "Suggest from note" on the visit: codes proposed with their evidence highlighted in the
note, accepted one by one into the diagnoses (never added by themselves)."""

from __future__ import annotations

from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.ui.codes.code_suggestion_table_model import ACCEPTED_ROLE, SUGGESTION_ROLE
from clinic_app.ui.records.chart_page import ChartPage
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, sign_in
from tests.ui.records.chart_steps import TIMEOUT, new_visit
from tests.ui.records.clinical_data import make_patient

NOTE = "Long-standing HTN. T2DM poorly controlled. No chest pain."


def suggested(qtbot: QtBot, page: ChartPage, note: str) -> list[str]:
    page.visit.form.set_text("assessment", note)
    page.visit.view.show_tab("suggest")
    with qtbot.waitSignal(page.visit.suggestions.suggestions_shown, timeout=TIMEOUT):
        page.visit.suggestion_view.suggest_button.click()
    model = page.visit.suggestion_model
    return [model.index(r, 0).data(SUGGESTION_ROLE).code for r in range(model.rowCount())]


def test_suggestions_show_their_evidence_and_are_accepted_one_by_one(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    page = new_visit(qtbot, open_workspace, Role.DOCTOR, make_patient(services, doctor).id)
    codes = suggested(qtbot, page, NOTE)
    assert "I10" in codes
    assert any(code.startswith("E11.6") or code.startswith("E11.") for code in codes)
    assert not any(code.startswith("R07") for code in codes), "negated: no chest pain"
    diagnoses = page.visit.form.diagnoses.model
    assert diagnoses.rowCount() == 0, "nothing is added until the clinician accepts it"

    view = page.visit.suggestion_view
    note = view.note_view.toPlainText()
    assert note == "Assessment: " + NOTE
    row = codes.index("I10")
    view.table.selectRow(row)
    spans = view.highlighted_spans()
    strong = [note[start:end] for start, end, is_strong in spans if is_strong]
    assert strong == ["HTN"], "the selected code's words, marked strongly"
    assert len(spans) > len(strong), "the other suggestions' words are marked softly"

    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert diagnoses.codes() == ["I10"]
    assert page.visit.suggestion_model.index(row, 0).data(ACCEPTED_ROLE) is True
    assert page.visit.suggestion_model.index(row, 0).data() == "✓ I10"
    assert not view.accept_button.isEnabled()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert diagnoses.codes() == ["I10"], "accepting twice adds it once"

    other = next(r for r, code in enumerate(codes) if code.startswith("E11"))
    view.table.selectRow(other)
    view.accept_button.click()
    assert diagnoses.codes() == ["I10", codes[other]]
    assert page.has_unsaved_changes()


def test_a_note_without_words_asks_for_them(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    page = new_visit(qtbot, open_workspace, Role.DOCTOR, make_patient(services, doctor).id)
    page.visit.view.show_tab("suggest")
    page.visit.suggestion_view.suggest_button.click()
    assert page.visit.suggestion_view.notice_text() == (
        "Write the visit's symptoms, history or assessment first."
    )


def test_a_nurse_sees_suggestions_but_cannot_accept_them(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    page = new_visit(qtbot, open_workspace, Role.NURSE, make_patient(services, doctor).id)
    page.visit.form.set_text("symptoms", "Known COPD, short of breath on exertion")
    page.visit.view.show_tab("suggest")
    with qtbot.waitSignal(page.visit.suggestions.suggestions_shown, timeout=TIMEOUT):
        page.visit.suggestion_view.suggest_button.click()
    view = page.visit.suggestion_view
    assert page.visit.suggestion_model.rowCount() > 0
    assert not view.accept_button.isVisibleTo(view)
    view.table.selectRow(0)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert page.visit.form.diagnoses.model.rowCount() == 0
