"""The patient chart: opened from the patients page, header with allergies, timeline, problem
list and vitals charts; and its empty states."""

from __future__ import annotations

from clinic_app.bootstrap import Services
from clinic_app.records.chart_models import Measure
from clinic_app.security.permissions import Role
from clinic_app.ui.patients.patients_page import PatientsPage
from clinic_app.ui.records.chart_page import ChartPage
from clinic_app.ui.records.patient_header_view import NO_KNOWN_ALLERGIES
from clinic_app.ui.records.timeline_table_model import TimelineColumn
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, sign_in
from tests.ui.records.clinical_data import make_history, make_lab_result, make_patient


def open_chart_from_patients(
    qtbot: QtBot, open_workspace: WorkspaceFactory, role: Role, patient_id: str
) -> ChartPage:
    workspace = open_workspace(role)
    window = workspace.window
    patients = window.show_page("patients")
    assert isinstance(patients, PatientsPage)
    qtbot.waitUntil(lambda: patients.model.rowCount() > 0, timeout=5000)
    patients.list_view.table.selectRow(patients.model.row_of(patient_id))
    qtbot.keyClick(patients, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key == "chart"
    page = window.page("chart")
    assert isinstance(page, ChartPage)
    qtbot.waitUntil(lambda: page.showing == "chart", timeout=5000)
    return page


def test_ctrl_enter_on_a_patient_opens_the_chart_with_its_history(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    make_history(services, doctor, patient.id, visits=4)
    make_lab_result(services, doctor, patient.id)

    page = open_chart_from_patients(qtbot, open_workspace, Role.DOCTOR, patient.id)

    header = page.chart_view.header
    assert header.name_label.text() == "Okafor, Amara"
    assert header.allergies_shown == "Allergies: Penicillin (rash)"
    assert header.allergy_alert
    model = page.timeline_model
    assert model.rowCount() == 5
    kinds = [model.index(row, TimelineColumn.KIND).data() for row in range(5)]
    assert kinds.count("Visit") == 4
    assert kinds.count("Lab result") == 1
    assert kinds[0] == "Lab result", "newest first: the lab came after the last visit"
    assert model.index(0, TimelineColumn.STATUS).data() == "Final"
    assert model.index(1, TimelineColumn.STATUS).data() == "Signed"
    assert model.index(0, TimelineColumn.BY).data() == "Greg House"
    problems = [page.problem_model.index(r, 0).data() for r in range(page.problem_model.rowCount())]
    assert sorted(problems) == ["E11.9", "I10"]
    chart = page.chart_view.vitals_chart
    assert not chart.showing_empty_state
    assert chart.current_group.title == "Weight"
    assert chart.point_count() == 4
    chart.select_group("Blood pressure")
    assert [s.name() for s in chart.chart.series()] == ["Systolic", "Diastolic"]
    assert chart.point_count() == 8
    assert "BP 138/89 mmHg" in page.chart_view.vitals_label.text()


def test_a_patient_without_allergies_or_visits_shows_calm_empty_states(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor, given="Hana", family="Nakamura", allergies="")

    page = open_chart_from_patients(qtbot, open_workspace, Role.DOCTOR, patient.id)

    assert page.chart_view.header.allergies_shown == NO_KNOWN_ALLERGIES
    assert not page.chart_view.header.allergy_alert
    assert page.chart_view.showing_empty_timeline
    assert page.chart_view.vitals_chart.showing_empty_state
    assert page.chart_view.vitals_label.text() == "No vitals recorded yet."
    assert page.problem_model.rowCount() == 0


def test_the_chart_page_without_a_patient_points_to_the_patients_page(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    window = open_workspace(Role.NURSE).window
    page = window.show_page("chart")
    assert isinstance(page, ChartPage)
    assert page.showing == "empty"
    assert page.empty_state.title == "No patient open"
    page.empty_state.action_clicked.emit()
    assert window.current_page_key == "patients"


def test_the_vitals_chart_draws_every_reading_of_a_measure(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    make_history(services, doctor, patient.id, visits=3)
    page = open_chart_from_patients(qtbot, open_workspace, Role.DOCTOR, patient.id)
    assert page.chart.chart is not None
    series = {s.measure: s for s in page.chart.chart.vitals}
    chart = page.chart_view.vitals_chart
    for title, measure in (("Pulse", Measure.PULSE), ("SpO2", Measure.SPO2), ("BMI", Measure.BMI)):
        chart.select_group(title)
        drawn = chart.chart.series()[0]
        assert drawn.count() == len(series[measure].points)
        assert [drawn.at(i).y() for i in range(drawn.count())] == [
            v for _t, v in series[measure].points
        ]
    chart.select_group("Resp. rate")  # never measured: its tab is disabled, nothing changes
    assert chart.current_group.title == "BMI"
