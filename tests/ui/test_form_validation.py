"""Bad input in the forms: empty, too long, impossible dates, pasted control characters.
Each gets a message beside its field, and nothing is saved."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.ui.admin.admin_page import AdminPage
from clinic_app.ui.patients.patients_page import PatientsPage
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, sign_in

VALID = {
    "family_name": "Mensah",
    "given_name": "Kofi",
    "sex": "male",
    "birth_date": "1979-11-02",
}


def new_form(qtbot: QtBot, open_workspace: WorkspaceFactory, role: Role) -> PatientsPage:
    page = open_workspace(role).window.page("patients")
    assert isinstance(page, PatientsPage)
    qtbot.waitUntil(lambda: page.list_view.showing_empty_state, timeout=5000)
    page.list_view.new_button.click()
    return page


def put(page: PatientsPage, name: str, value: str) -> None:
    editor = page.form_view.editor(name)
    if isinstance(editor, QComboBox):
        editor.setCurrentIndex(max(0, editor.findData(value)))
    elif isinstance(editor, QLineEdit):
        editor.setText(value)
    else:
        assert isinstance(editor, QPlainTextEdit)
        editor.setPlainText(value)


def save_and_wait_for_errors(qtbot: QtBot, page: PatientsPage) -> None:
    page.form_view.save_button.click()
    qtbot.waitUntil(lambda: page.form_view.message_label.isVisibleTo(page.form_view), timeout=5000)
    assert page.form_view.save_button.isEnabled(), "the form is usable again"


def patient_count(services: Services) -> int:
    return services.patients.list(sign_in(services, Role.ADMIN), include_deleted=True).total or 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("family_name", "", "Required."),
        ("family_name", "   ", "Required."),
        ("given_name", "x" * 101, "At most 100 characters."),
        ("other_names", "y" * 201, "At most 200 characters."),
        ("birth_date", "", "Required."),
        ("birth_date", "2023-02-30", "Use the form YYYY-MM-DD with a real date."),
        ("birth_date", "30/01/1990", "Use the form YYYY-MM-DD with a real date."),
        ("birth_date", "2999-01-01", "Can't be in the future."),
        ("birth_date", "1850-06-01", "Can't be before 1880-01-01."),
        ("sex", "", "Choose female, male, other or unknown."),
        ("phone", "call me maybe", "Digits, spaces and + ( ) - . / only."),
        ("email", "not-an-address", "Not a valid e-mail address."),
        ("mrn", "#12", "Letters, digits, spaces and . / _ - only."),
        ("address", "z" * 501, "At most 500 characters."),
        ("allergies", "a" * 20_001, "At most 20000 characters."),
        ("history_notes", "bad \x01 byte", "Must not contain control characters."),
    ],
)
def test_a_bad_value_gets_a_message_beside_its_field_and_nothing_is_saved(
    qtbot: QtBot,
    services: Services,
    open_workspace: WorkspaceFactory,
    field: str,
    value: str,
    message: str,
) -> None:
    page = new_form(qtbot, open_workspace, Role.DOCTOR)
    for name, good in VALID.items():
        put(page, name, good)
    put(page, field, value)
    save_and_wait_for_errors(qtbot, page)
    assert page.form_view.error_text(field) == message
    others = [name for name in VALID if name != field and page.form_view.error_text(name)]
    assert others == []
    assert page.form_view.editor(field).property("invalid") is True
    assert page.panel.showing_form, "the draft stays open for correction"
    assert patient_count(services) == 0


def test_an_empty_form_marks_every_required_field(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    page = new_form(qtbot, open_workspace, Role.FRONT_DESK)
    save_and_wait_for_errors(qtbot, page)
    assert page.form_view.error_text("family_name") == "Required."
    assert page.form_view.error_text("given_name") == "Required."
    assert page.form_view.error_text("birth_date") == "Required."
    assert page.form_view.error_text("sex").startswith("Choose")
    assert page.form_view.message_label.text() == "Please correct the fields marked in red."
    assert patient_count(services) == 0


@pytest.mark.parametrize(
    "pasted", ["Ana\x07Maria", "Ana\nMaria", "Ana\tMaria", "Ana\x00Maria", "Ana\x1bMaria"]
)
def test_pasted_control_characters_are_refused_in_a_name(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, pasted: str
) -> None:
    page = new_form(qtbot, open_workspace, Role.NURSE)
    for name, good in VALID.items():
        put(page, name, good)
    given = page.form_view.editor("given_name")
    assert isinstance(given, QLineEdit)
    given.clear()
    QApplication.clipboard().setText(pasted)
    given.setFocus()
    qtbot.keyClick(given, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert given.text() == pasted, "the paste really reached the field"
    save_and_wait_for_errors(qtbot, page)
    assert page.form_view.error_text("given_name") == (
        "Must not contain control characters or line breaks."
    )
    assert patient_count(services) == 0


def test_correcting_the_marked_field_saves_and_clears_the_messages(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    page = new_form(qtbot, open_workspace, Role.DOCTOR)
    for name, good in VALID.items():
        put(page, name, good)
    put(page, "birth_date", "1979-13-02")
    save_and_wait_for_errors(qtbot, page)
    put(page, "birth_date", "1979-12-02")
    with qtbot.waitSignal(page.editor.patient_changed, timeout=10000):
        page.form_view.save_button.click()
    assert page.form_view.error_text("birth_date") == ""
    assert not page.form_view.message_label.isVisibleTo(page.form_view)
    assert patient_count(services) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "", "2–64 characters"),
        ("username", "Bad Name!", "2–64 characters"),
        ("username", "u" * 65, "2–64 characters"),
        ("username", "drhouse", "Already taken."),
        ("display_name", "", "Required."),
        ("display_name", "n" * 129, "At most 128 characters."),
        ("display_name", "Tab\tName", "No control characters."),
        ("password", "short-1", "At least 10 characters."),
        ("password", "x" * 257 + "1", "At most 256 characters."),
        ("password", "pass\x07word-123", "No control characters."),
    ],
)
def test_the_add_user_dialog_marks_bad_input_and_adds_nobody(
    qtbot: QtBot,
    services: Services,
    open_workspace: WorkspaceFactory,
    field: str,
    value: str,
    message: str,
) -> None:
    workspace = open_workspace(Role.ADMIN)
    page = workspace.window.show_page("admin")
    assert isinstance(page, AdminPage)
    qtbot.waitUntil(lambda: page.user_model.rowCount() == 4, timeout=5000)
    page.user_view.add_button.click()
    assert page.user_controller is not None
    dialog = page.user_controller.dialog
    assert dialog is not None
    values = {
        "username": "j.smith",
        "display_name": "Jo Smith",
        "password": "welcome-2026",
        field: value,
    }
    values["password_confirm"] = values["password"]
    for name, text in values.items():
        dialog.line(name).setText(text)
    dialog.submit_button.click()
    qtbot.waitUntil(lambda: dialog.form.error_text(field) != "", timeout=5000)
    assert message in dialog.form.error_text(field)
    assert dialog.isVisible()
    assert len(services.accounts.list_users(sign_in(services, Role.ADMIN))) == 4


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "At least 10 characters."),
        ("nodigitshere", "Use letters and digits."),
        ("with\x1bescape-123", "No control characters."),
        ("nurse.joy-2026", "Must not contain the user name."),
    ],
)
def test_the_reset_password_dialog_marks_a_weak_password_and_changes_nothing(
    qtbot: QtBot,
    services: Services,
    open_workspace: WorkspaceFactory,
    password: str,
    message: str,
) -> None:
    page = open_workspace(Role.ADMIN).window.show_page("admin")
    assert isinstance(page, AdminPage)
    qtbot.waitUntil(lambda: page.user_model.rowCount() == 4, timeout=5000)
    page.user_view.select_user("nurse.joy")
    page.user_view.reset_button.click()
    assert page.user_controller is not None
    dialog = page.user_controller.dialog
    assert dialog is not None
    dialog.line("password").setText(password)
    dialog.line("password_confirm").setText(password)
    dialog.submit_button.click()
    qtbot.waitUntil(lambda: dialog.form.error_text("password") != "", timeout=5000)
    assert dialog.form.error_text("password") == message
    assert services.accounts.login("nurse.joy", "bandage-2026-x").username == "nurse.joy"


@pytest.mark.parametrize(
    "query", ['"NEAR(', "a\x00b", "*", "' OR 1=1 --", "x" * 500, "\t\n", "🙂🙂"]
)
def test_odd_search_text_finds_nothing_and_breaks_nothing(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, query: str
) -> None:
    page = open_workspace(Role.FRONT_DESK).window.page("patients")
    assert isinstance(page, PatientsPage)
    qtbot.waitUntil(lambda: page.list_view.showing_empty_state, timeout=5000)
    shown: list[object] = []
    page.list_controller.results_shown.connect(lambda: shown.append(None))
    search = page.list_view.search_edit
    search.setText(query)
    search.textEdited.emit(search.text())
    qtbot.waitUntil(lambda: page.list_controller.settled and bool(shown), timeout=5000)
    assert page.list_view.showing_empty_state
    assert QApplication.activeModalWidget() is None, "no error dialog"
    assert len(search.text()) <= 200
