"""The patients page through its real widgets: search, list, create, edit, delete, restore."""

from __future__ import annotations

from clinic_app.bootstrap import Services
from clinic_app.patients.demo import seed_patients
from clinic_app.patients.models import PatientInput
from clinic_app.security.permissions import Role
from clinic_app.ui.patients.patient_table_model import PatientColumn
from clinic_app.ui.patients.patients_page import PatientsPage
from clinic_app.ui.shell.workspace_controller import WorkspaceController
from clinic_app.ui.widgets.confirm_dialog import ConfirmDialog
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, make_patients, sign_in

PEOPLE = [
    ("Ana", "Silva", "1980-01-02"),
    ("Bruno", "Silveira", "1975-03-04"),
    ("Chloé", "Dubois", "1990-05-06"),
    ("Dmitri", "Ivanov", "1960-07-08"),
]


def open_page(qtbot: QtBot, workspace: WorkspaceController) -> PatientsPage:
    page = workspace.window.page("patients")
    assert isinstance(page, PatientsPage)
    qtbot.waitUntil(
        lambda: page.model.rowCount() > 0 or page.list_view.showing_empty_state, timeout=5000
    )
    return page


def names(page: PatientsPage) -> list[str]:
    return [page.model.patient_at(row).display_name for row in range(page.model.rowCount())]


def type_search(qtbot: QtBot, page: PatientsPage, text: str) -> None:
    search = page.list_view.search_edit
    search.clear()
    with qtbot.waitSignal(page.list_controller.results_shown, timeout=5000):
        qtbot.keyClicks(search, text)
    # Typing faster than the debounce folds keys into one search: wait for the last one.
    qtbot.waitUntil(lambda: page.list_controller.settled, timeout=5000)


def fill(page: PatientsPage, **values: str) -> None:
    for name, value in values.items():
        editor = page.form_view.editor(name)
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(editor.findData(value))
        elif isinstance(editor, QLineEdit):
            editor.setText(value)
        else:
            editor.setPlainText(value)  # type: ignore[attr-defined]


def click_confirm(qtbot: QtBot, parent: object) -> None:
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None, timeout=3000)
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, ConfirmDialog)
    dialog.confirm_button.click()


def test_search_as_you_type_shows_matches_while_typing(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    make_patients(services, sign_in(services, Role.FRONT_DESK), PEOPLE)
    page = open_page(qtbot, open_workspace(Role.FRONT_DESK))
    assert sorted(names(page)) == sorted(f"{f}, {g}" for g, f, _ in PEOPLE)
    assert page.list_view.result_label.text() == "4 patients"

    type_search(qtbot, page, "silv")
    assert sorted(names(page)) == ["Silva, Ana", "Silveira, Bruno"]
    assert "best matches first" in page.list_view.result_label.text()

    type_search(qtbot, page, "chloe")
    assert names(page) == ["Dubois, Chloé"], "accents don't matter"

    type_search(qtbot, page, "1960-07-08")
    assert names(page) == ["Ivanov, Dmitri"]


def test_a_search_without_matches_shows_an_empty_state_with_a_way_forward(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    make_patients(services, sign_in(services, Role.DOCTOR), PEOPLE[:1])
    page = open_page(qtbot, open_workspace(Role.DOCTOR))
    type_search(qtbot, page, "zzzz")
    assert page.list_view.showing_empty_state
    assert page.list_view.empty_state.title == "No patient matches “zzzz”"
    page.list_view.search_edit.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert not page.list_view.showing_empty_state


def test_an_empty_clinic_invites_the_first_patient(
    qtbot: QtBot, open_workspace: WorkspaceFactory
) -> None:
    page = open_page(qtbot, open_workspace(Role.FRONT_DESK))
    assert page.list_view.showing_empty_state
    assert page.list_view.empty_state.title == "No patients yet"
    page.list_view.empty_state.action_clicked.emit()
    assert page.panel.showing_form


def test_the_list_sorts_by_date_of_birth_from_its_header(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    make_patients(services, sign_in(services, Role.NURSE), PEOPLE)
    page = open_page(qtbot, open_workspace(Role.NURSE))
    assert names(page) == ["Dubois, Chloé", "Ivanov, Dmitri", "Silva, Ana", "Silveira, Bruno"]
    header = page.list_view.table.horizontalHeader()
    with qtbot.waitSignal(page.list_controller.results_shown, timeout=5000):
        header.setSortIndicator(PatientColumn.BIRTH_DATE, Qt.SortOrder.DescendingOrder)
    assert names(page) == ["Dubois, Chloé", "Silva, Ana", "Silveira, Bruno", "Ivanov, Dmitri"]


def test_a_long_list_loads_more_rows_as_it_scrolls(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    admin = sign_in(services, Role.ADMIN)
    seed_patients(services.db, services.audit_log, services.authorizer, admin, 250, seed=3)
    page = open_page(qtbot, open_workspace(Role.FRONT_DESK))
    qtbot.waitUntil(lambda: page.model.rowCount() >= 100, timeout=5000)
    assert page.model.rowCount() < 250
    assert page.list_view.result_label.text() == "250 patients"
    table = page.list_view.table
    while page.model.rowCount() < 250:
        count = page.model.rowCount()
        table.scrollToBottom()
        qtbot.waitUntil(lambda c=count: page.model.rowCount() > c, timeout=5000)
    assert not page.model.canFetchMore(page.model.index(-1, -1))
    assert len({page.model.patient_at(r).id for r in range(250)}) == 250


def test_create_a_patient_through_the_form(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    workspace = open_workspace(Role.DOCTOR)
    page = open_page(qtbot, workspace)
    page.list_view.new_button.click()
    assert page.panel.showing_form
    doctor_combo = page.form_view.doctor_combo
    qtbot.waitUntil(lambda: doctor_combo.count() == 2, timeout=5000)
    assert doctor_combo.itemText(1) == "Greg House"
    fill(
        page,
        family_name="Okafor",
        given_name="Ngozi",
        sex="female",
        birth_date="1985-09-30",
        phone="+234 803 555 0101",
        email="ngozi@example.org",
        mrn="MRN-778",
        primary_doctor_id=str(doctor_combo.itemData(1)),
        allergies="Penicillin",
        history_notes="Asthma since childhood.",
    )
    with qtbot.waitSignal(page.editor.patient_changed, timeout=10000):
        page.form_view.save_button.click()
    assert page.panel.showing_detail
    detail = page.detail_view
    assert detail.name_label.text() == "Okafor, Ngozi"
    assert detail.value_text("doctor") == "Greg House"
    assert detail.value_text("allergies") == "Penicillin"
    qtbot.waitUntil(lambda: names(page) == ["Okafor, Ngozi"], timeout=5000)

    doctor = sign_in(services, Role.DOCTOR)
    [saved] = services.patients.search(doctor, "okafor").items
    stored = services.patients.get(doctor, saved.id)
    assert stored.summary.mrn == "MRN-778"
    assert stored.summary.primary_doctor_id == doctor.id
    assert stored.history_notes == "Asthma since childhood."


def test_edit_a_patient_and_see_the_list_follow(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    [ana] = make_patients(services, sign_in(services, Role.NURSE), PEOPLE[:1])
    page = open_page(qtbot, open_workspace(Role.NURSE))
    page.list_view.table.clicked.emit(page.model.index(0, 0))
    qtbot.waitUntil(lambda: page.panel.showing_detail, timeout=5000)
    page.detail_view.edit_button.click()
    assert page.form_view.editor("family_name").text() == "Silva"
    assert not page.form_view.is_dirty()
    fill(page, phone="555 0199", given_name="Anabela")
    assert page.form_view.is_dirty()
    with qtbot.waitSignal(page.editor.patient_changed, timeout=10000):
        qtbot.keyClick(page.form_view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.panel.showing_detail
    assert page.detail_view.value_text("phone") == "555 0199"
    assert names(page) == ["Silva, Anabela"]
    stored = services.patients.get(sign_in(services, Role.NURSE), ana.id)
    assert stored.summary.given_name == "Anabela"
    assert stored.version == ana.version + 1


def test_delete_asks_first_then_restore_brings_the_patient_back(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    [ana, _bruno] = make_patients(services, sign_in(services, Role.DOCTOR), PEOPLE[:2])
    page = open_page(qtbot, open_workspace(Role.DOCTOR))
    page.editor.open_patient(ana.id)
    qtbot.waitUntil(lambda: page.panel.showing_detail, timeout=5000)

    page.detail_view.delete_button.click()
    with qtbot.waitSignal(page.editor.patient_changed, timeout=10000):
        click_confirm(qtbot, page)
    qtbot.waitUntil(lambda: page.detail_view.deleted_banner.isVisibleTo(page.detail_view))
    qtbot.waitUntil(lambda: names(page) == ["Silveira, Bruno"], timeout=5000)
    assert page.detail_view.restore_button.isVisibleTo(page.detail_view)
    assert not page.detail_view.edit_button.isVisibleTo(page.detail_view)

    page.list_view.deleted_check.setChecked(True)
    qtbot.waitUntil(lambda: len(names(page)) == 2, timeout=5000)
    assert "(deleted)" in page.model.data(page.model.index(0, 0))

    with qtbot.waitSignal(page.editor.patient_changed, timeout=10000):
        page.detail_view.restore_button.click()
    qtbot.waitUntil(lambda: not page.detail_view.deleted_banner.isVisibleTo(page.detail_view))
    assert not services.patients.get(sign_in(services, Role.DOCTOR), ana.id).summary.deleted


def test_creating_a_look_alike_warns_and_can_open_the_existing_record(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    [ana] = make_patients(services, sign_in(services, Role.FRONT_DESK), PEOPLE[:1])
    page = open_page(qtbot, open_workspace(Role.FRONT_DESK))
    page.list_view.new_button.click()
    fill(page, family_name="SILVA", given_name="ana", sex="female", birth_date="1980-01-02")
    page.form_view.save_button.click()
    qtbot.waitUntil(lambda: page.editor.duplicate_dialog is not None, timeout=5000)
    dialog = page.editor.duplicate_dialog
    assert dialog is not None
    assert dialog.list_widget.count() == 1
    assert "Silva, Ana" in dialog.list_widget.item(0).text()
    dialog.open_button.click()
    # The form has unsaved changes: leaving it asks first.
    click_confirm(qtbot, page)
    qtbot.waitUntil(lambda: page.panel.showing_detail, timeout=5000)
    assert page.editor.detail is not None
    assert page.editor.detail.id == ana.id
    total = services.patients.list(sign_in(services, Role.FRONT_DESK)).total
    assert total == 1, "nothing was created"


def test_creating_a_look_alike_anyway_makes_a_second_record(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    make_patients(services, sign_in(services, Role.FRONT_DESK), PEOPLE[:1])
    page = open_page(qtbot, open_workspace(Role.FRONT_DESK))
    page.list_view.new_button.click()
    fill(page, family_name="Silva", given_name="Ana", sex="female", birth_date="1980-01-02")
    page.form_view.save_button.click()
    qtbot.waitUntil(lambda: page.editor.duplicate_dialog is not None, timeout=5000)
    assert page.editor.duplicate_dialog is not None
    with qtbot.waitSignal(page.editor.patient_changed, timeout=10000):
        page.editor.duplicate_dialog.create_button.click()
    assert services.patients.list(sign_in(services, Role.FRONT_DESK)).total == 2


def test_a_record_changed_elsewhere_is_not_overwritten_and_the_form_keeps_its_text(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    nurse = sign_in(services, Role.NURSE)
    [ana] = make_patients(services, nurse, PEOPLE[:1])
    page = open_page(qtbot, open_workspace(Role.NURSE))
    page.editor.open_patient(ana.id)
    qtbot.waitUntil(lambda: page.panel.showing_detail, timeout=5000)
    page.detail_view.edit_button.click()
    services.patients.update(
        nurse,
        ana.id,
        PatientInput(
            given_name="Ana",
            family_name="Silva",
            sex="female",
            birth_date="1980-01-02",
            phone="111 2222",
        ),
        ana.version,
    )
    fill(page, phone="999 0000")
    page.form_view.save_button.click()
    qtbot.waitUntil(lambda: page.form_view.message_label.isVisibleTo(page.form_view), timeout=5000)
    assert "changed by someone else" in page.form_view.message_label.text()
    assert page.form_view.editor("phone").text() == "999 0000"  # type: ignore[attr-defined]
    box = QApplication.activeModalWidget()
    assert box is not None
    box.close()
    assert services.patients.get(nurse, ana.id).summary.phone == "111 2222"


def test_the_keyboard_goes_from_search_to_results_to_the_patient(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    make_patients(services, sign_in(services, Role.FRONT_DESK), PEOPLE)
    page = open_page(qtbot, open_workspace(Role.FRONT_DESK))
    type_search(qtbot, page, "ivanov")
    qtbot.keyClick(page.list_view.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.panel.showing_detail, timeout=5000)
    assert page.detail_view.name_label.text() == "Ivanov, Dmitri"

    page.list_view.search_edit.setFocus()
    qtbot.keyClick(page.list_view.search_edit, Qt.Key.Key_Down)
    assert page.window().focusWidget() is page.list_view.table
    assert page.list_view.table.selectionModel().selectedRows()[0].row() == 0
