"""Screenshots of the main screens at a 1366×768 laptop's size, for review by eye.

Written under the test's temporary folder and copied to /tmp/clinic_screens/. The assertions
check that each screen rendered (a real image, not blank); the look is reviewed by a person.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from clinic_app.bootstrap import Services
from clinic_app.patients.demo import seed_patients
from clinic_app.patients.models import PatientInput
from clinic_app.security.permissions import Role
from clinic_app.settings import Settings
from clinic_app.ui.admin.admin_page import AdminPage
from clinic_app.ui.patients.patients_page import PatientsPage
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import AppFactory, WorkspaceFactory, sign_in

REVIEW_FOLDER = Path("/tmp/clinic_screens")
WINDOW = (1366, 728)  # a 1366×768 screen less its task bar


def save(widget: QWidget, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path)), f"could not write {path}"
    image = QImage(str(path))
    assert image.width() >= 300
    assert image.height() >= 200
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)
    }
    assert len(colours) > 4, "the screen is not blank"
    REVIEW_FOLDER.mkdir(exist_ok=True)
    shutil.copy(path, REVIEW_FOLDER / path.name)
    return path


def add_people(services: Services) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    people = [
        ("Amara", "Okafor", "1984-03-12", "+234 803 555 0142", "MRN-10021", "Penicillin"),
        ("José", "García López", "1957-11-30", "+34 612 555 019", "MRN-10022", ""),
        ("Hana", "Nakamura", "2016-07-04", "+81 90 5555 0199", "MRN-10023", "Peanuts"),
        ("Søren", "Andersen", "1941-01-25", "+45 20 55 50 11", "MRN-10024", ""),
    ]
    for given, family, birth, phone, mrn, allergies in people:
        services.patients.create(
            doctor,
            PatientInput(
                given_name=given,
                family_name=family,
                sex="female" if given in {"Amara", "Hana"} else "male",
                birth_date=birth,
                phone=phone,
                mrn=mrn,
                primary_doctor_id=doctor.id,
                allergies=allergies,
                history_notes="Type 2 diabetes, diet controlled." if family == "Okafor" else "",
            ),
        )
    admin = sign_in(services, Role.ADMIN)
    seed_patients(services.db, services.audit_log, services.authorizer, admin, 40, seed=11)


def test_login_window(
    qtbot: QtBot, initialised_settings: Settings, app_factory: AppFactory, tmp_path: Path
) -> None:
    app = app_factory(initialised_settings)
    qtbot.waitUntil(lambda: app.login_window.ready, timeout=10000)
    app.login_window.username_edit.setText("drhouse")
    app.login_window.password_edit.setText("wrong-password-1")
    app.login_window.sign_in_button.click()
    qtbot.waitUntil(lambda: app.login_window.error_text() != "", timeout=10000)
    app.login_window.resize(*WINDOW)
    save(app.login_window, tmp_path, "01-login")


def test_first_run_setup(
    qtbot: QtBot, settings: Settings, app_factory: AppFactory, tmp_path: Path
) -> None:
    app = app_factory(settings)
    qtbot.waitUntil(lambda: app.startup.setup_dialog is not None, timeout=10000)
    dialog = app.startup.setup_dialog
    assert dialog is not None
    dialog.choose_passphrase_mode(True)
    dialog.field("passphrase").setText("correct horse battery staple")
    dialog.field("passphrase_confirm").setText("correct horse battery staple")
    dialog.field("username").setText("chief")
    dialog.field("display_name").setText("Chief Administrator")
    dialog.field("password").setText("short")
    dialog.field("password_confirm").setText("short")
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.error_text("password") != "", timeout=10000)
    save(dialog, tmp_path, "02-setup")


def test_patients_list_and_detail(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    add_people(services)
    workspace = open_workspace(Role.DOCTOR)
    workspace.window.resize(*WINDOW)
    page = workspace.window.page("patients")
    assert isinstance(page, PatientsPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 44, timeout=5000)
    row = next(r for r in range(44) if page.model.patient_at(r).family_name == "Okafor")
    page.list_view.table.selectRow(row)
    page.list_view.table.clicked.emit(page.model.index(row, 0))
    qtbot.waitUntil(lambda: page.panel.showing_detail, timeout=5000)
    save(workspace.window, tmp_path, "03-patients-detail")

    page.list_view.search_edit.setText("ok")
    page.list_view.search_edit.textEdited.emit("ok")
    qtbot.waitUntil(
        lambda: page.list_controller.settled and page.model.rowCount() < 44, timeout=5000
    )
    save(workspace.window, tmp_path, "04-patients-search")


def test_patient_form_with_validation_errors(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    add_people(services)
    workspace = open_workspace(Role.NURSE)
    workspace.window.resize(*WINDOW)
    page = workspace.window.page("patients")
    assert isinstance(page, PatientsPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 44, timeout=5000)
    page.list_view.new_button.click()
    page.form_view.editor("family_name").setText("Mensah")  # type: ignore[attr-defined]
    page.form_view.editor("birth_date").setText("1990-02-30")  # type: ignore[attr-defined]
    page.form_view.editor("email").setText("kofi.mensah@")  # type: ignore[attr-defined]
    page.form_view.save_button.click()
    qtbot.waitUntil(lambda: page.form_view.error_text("birth_date") != "", timeout=5000)
    save(workspace.window, tmp_path, "05-patient-form-errors")


def test_front_desk_view_and_lock_screen(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    add_people(services)
    workspace = open_workspace(Role.FRONT_DESK)
    workspace.window.resize(*WINDOW)
    page = workspace.window.page("patients")
    assert isinstance(page, PatientsPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 44, timeout=5000)
    row = next(r for r in range(44) if page.model.patient_at(r).family_name == "Okafor")
    page.list_view.table.clicked.emit(page.model.index(row, 0))
    qtbot.waitUntil(lambda: page.panel.showing_detail, timeout=5000)
    page.detail_view.edit_button.click()
    save(workspace.window, tmp_path, "06-front-desk-form")
    workspace.lock()
    save(workspace.window, tmp_path, "07-lock-screen")


def test_admin_audit_users_and_backups(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    add_people(services)
    workspace = open_workspace(Role.ADMIN)
    workspace.window.resize(*WINDOW)
    page = workspace.window.show_page("admin")
    assert isinstance(page, AdminPage)
    qtbot.waitUntil(lambda: page.user_model.rowCount() == 4, timeout=5000)
    save(workspace.window, tmp_path, "08-admin-users")
    page.show_tab("Audit log")
    qtbot.waitUntil(lambda: page.audit_model.rowCount() > 10, timeout=5000)
    assert page.audit_controller is not None
    with qtbot.waitSignal(page.audit_controller.verify_finished, timeout=10000):
        page.audit_view.verify_button.click()
    qtbot.waitUntil(lambda: page.audit_model.rowCount() > 10, timeout=5000)
    save(workspace.window, tmp_path, "09-admin-audit")
    page.show_tab("Backups")
    page.backup_view.create_button.click()
    qtbot.waitUntil(lambda: page.backup_model.rowCount() == 1, timeout=20000)
    save(workspace.window, tmp_path, "10-admin-backups")
