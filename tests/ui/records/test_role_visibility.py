"""What each role sees of clinical records: the desk and the administrator no clinical text at
all, a nurse no worklist and no signing, a doctor everything."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.ui.patients.patients_page import PatientsPage
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, sign_in
from tests.ui.records.clinical_data import make_history, make_patient

CLINICAL_PAGES = ("chart", "worklist", "inbox")


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        (Role.DOCTOR, ["chart", "worklist", "inbox"]),
        (Role.NURSE, ["chart", "inbox"]),
        (Role.FRONT_DESK, []),
        (Role.ADMIN, []),
    ],
)
def test_each_role_gets_the_clinical_pages_it_may_use(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, role: Role, pages: list[str]
) -> None:
    window = open_workspace(role).window
    assert [key for key in window.page_keys if key in CLINICAL_PAGES] == pages
    assert (window.companion("inbox") is not None) == ("inbox" in pages)
    badges = [w.objectName() for w in window.statusBar().findChildren(object)]
    assert ("inboxBadge" in badges) == ("inbox" in pages)


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN])
def test_the_desk_and_the_administrator_never_reach_a_chart(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, role: Role
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    make_history(services, doctor, patient.id, visits=1)
    window = open_workspace(role).window
    page = window.show_page("patients")
    assert isinstance(page, PatientsPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    page.editor.open_patient(patient.id)
    qtbot.waitUntil(lambda: page.panel.showing_detail, timeout=5000)
    assert not page.detail_view.chart_button.isVisibleTo(page.detail_view)
    page.list_view.table.selectRow(0)
    assert page.open_chart() is False, "Ctrl+Enter does nothing for this role"
    page.open_requested.emit("chart", patient.id)  # even if asked, the shell has no chart page
    assert window.current_page_key == "patients"
    assert window.page("chart") is None


def test_a_doctor_and_a_nurse_open_the_chart_from_the_patient_details(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    window = open_workspace(Role.NURSE).window
    page = window.show_page("patients")
    assert isinstance(page, PatientsPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    page.editor.open_patient(patient.id)
    qtbot.waitUntil(lambda: page.panel.showing_detail, timeout=5000)
    button = page.detail_view.chart_button
    assert button.isVisibleTo(page.detail_view)
    button.click()
    assert window.current_page_key == "chart"
