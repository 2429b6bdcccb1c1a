"""What each role sees: the screens follow the permission table (the services enforce it too)."""

from __future__ import annotations

from clinic_app.bootstrap import Services
from clinic_app.patients.models import PatientInput
from clinic_app.security.permissions import Role
from clinic_app.ui.patients.patients_page import PatientsPage
from clinic_app.ui.shell.shell_page import ShellCommand
from clinic_app.ui.shell.workspace_controller import WorkspaceController
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, sign_in


def chart(services: Services) -> str:
    doctor = sign_in(services, Role.DOCTOR)
    created = services.patients.create(
        doctor,
        PatientInput(
            given_name="Ana",
            family_name="Silva",
            sex="female",
            birth_date="1980-01-02",
            allergies="Penicillin",
            history_notes="Asthma.",
        ),
    )
    return created.patient.id


def open_detail(qtbot: QtBot, workspace: WorkspaceController, patient_id: str) -> PatientsPage:
    page = workspace.window.page("patients")
    assert isinstance(page, PatientsPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    page.editor.open_patient(patient_id)
    qtbot.waitUntil(lambda: page.panel.showing_detail, timeout=5000)
    return page


def test_front_desk_sees_demographics_only(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    patient_id = chart(services)
    workspace = open_workspace(Role.FRONT_DESK)
    page = open_detail(qtbot, workspace, patient_id)
    detail = page.detail_view
    assert "patients" in workspace.window.page_keys
    assert "admin" not in workspace.window.page_keys
    assert not detail.clinical_box.isVisibleTo(detail)
    assert detail.value_text("allergies") == "—", "the value never reached the screen"
    assert detail.edit_button.isVisibleTo(detail)
    assert not detail.delete_button.isVisibleTo(detail)
    assert not page.list_view.deleted_check.isVisibleTo(page.list_view)

    detail.edit_button.click()
    form = page.form_view
    assert not form.clinical_box.isVisibleTo(form)
    assert form.collect_input().allergies is None, "nothing sent for fields the role can't write"
    assert form.collect_input().history_notes is None


def test_a_front_desk_edit_leaves_the_clinical_fields_alone(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    patient_id = chart(services)
    page = open_detail(qtbot, open_workspace(Role.FRONT_DESK), patient_id)
    page.detail_view.edit_button.click()
    page.form_view.editor("phone").setText("555 0101")  # type: ignore[attr-defined]
    with qtbot.waitSignal(page.editor.patient_changed, timeout=10000):
        page.form_view.save_button.click()
    stored = services.patients.get(sign_in(services, Role.DOCTOR), patient_id)
    assert stored.summary.phone == "555 0101"
    assert stored.allergies == "Penicillin"
    assert stored.history_notes == "Asthma."


def test_a_nurse_reads_and_writes_clinical_fields_but_can_not_delete(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    patient_id = chart(services)
    page = open_detail(qtbot, open_workspace(Role.NURSE), patient_id)
    detail = page.detail_view
    assert detail.clinical_box.isVisibleTo(detail)
    assert detail.value_text("allergies") == "Penicillin"
    assert not detail.delete_button.isVisibleTo(detail)
    detail.edit_button.click()
    allergies = page.form_view.editor("allergies")
    assert not allergies.isReadOnly()  # type: ignore[attr-defined]
    allergies.setPlainText("Penicillin, latex")  # type: ignore[attr-defined]
    with qtbot.waitSignal(page.editor.patient_changed, timeout=10000):
        page.form_view.save_button.click()
    assert page.detail_view.value_text("allergies") == "Penicillin, latex"


def test_a_doctor_may_delete_and_see_deleted_records(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    patient_id = chart(services)
    page = open_detail(qtbot, open_workspace(Role.DOCTOR), patient_id)
    assert page.detail_view.delete_button.isVisibleTo(page.detail_view)
    assert page.list_view.deleted_check.isVisibleTo(page.list_view)


def test_the_administrator_reads_demographics_but_changes_no_patient(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    patient_id = chart(services)
    workspace = open_workspace(Role.ADMIN)
    page = open_detail(qtbot, workspace, patient_id)
    detail = page.detail_view
    assert {"patients", "admin"} <= set(workspace.window.page_keys)
    assert not page.list_view.new_button.isVisibleTo(page.list_view)
    assert not detail.edit_button.isVisibleTo(detail)
    assert not detail.delete_button.isVisibleTo(detail)
    assert not detail.clinical_box.isVisibleTo(detail)
    assert page.handle_command(ShellCommand.NEW) is False
    assert not page.panel.showing_form
