"""The administration page: users, the audit log viewer and backups, through real widgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import AccountDisabledError, AuthenticationError
from clinic_app.patients.models import PatientInput
from clinic_app.security.permissions import Role
from clinic_app.ui.admin.admin_page import AdminPage
from clinic_app.ui.admin.audit_log_controller import PAGE_SIZE
from clinic_app.ui.admin.audit_table_model import AUDIT_EVENT_ROLE
from clinic_app.ui.shell.workspace_controller import WorkspaceController
from clinic_app.ui.widgets.confirm_dialog import ConfirmDialog
from PySide6.QtCore import QDate, QModelIndex
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORDS, USERNAMES
from tests.ui.fixtures import WorkspaceFactory, sign_in


def admin_page(qtbot: QtBot, workspace: WorkspaceController) -> AdminPage:
    page = workspace.window.show_page("admin")
    assert isinstance(page, AdminPage)
    qtbot.waitUntil(lambda: page.user_model.rowCount() == 4, timeout=5000)
    return page


def confirm(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), ConfirmDialog))
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, ConfirmDialog)
    dialog.confirm_button.click()


def statuses(page: AdminPage) -> dict[str, str]:
    return {
        page.user_model.user_at(row).username: page.user_model.data(page.user_model.index(row, 3))
        for row in range(page.user_model.rowCount())
    }


def test_add_a_user_who_then_has_to_choose_a_password(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    page = admin_page(qtbot, open_workspace(Role.ADMIN))
    page.user_view.add_button.click()
    assert page.user_controller is not None
    dialog = page.user_controller.dialog
    assert dialog is not None
    dialog.line("username").setText("j.smith")
    dialog.line("display_name").setText("Jo Smith")
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(Role.DOCTOR.value))
    dialog.line("password").setText("welcome-2026")
    dialog.line("password_confirm").setText("welcome-2026")
    with qtbot.waitSignal(page.user_controller.users_loaded, timeout=10000):
        dialog.submit_button.click()
    assert page.user_controller.dialog is None, "the dialog closed"
    assert page.user_view.selected_user() is not None
    assert page.user_view.selected_user().username == "j.smith"  # type: ignore[union-attr]
    user = services.accounts.login("j.smith", "welcome-2026")
    assert user.role is Role.DOCTOR
    assert user.must_change_password


def test_disable_asks_first_and_then_the_user_can_not_sign_in(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    page = admin_page(qtbot, open_workspace(Role.ADMIN))
    page.user_view.select_user("desk")
    assert page.user_view.active_button.text() == "Disable"
    page.user_view.active_button.click()
    assert page.user_controller is not None
    with qtbot.waitSignal(page.user_controller.users_loaded, timeout=10000):
        confirm(qtbot)
    assert statuses(page)["desk"] == "Disabled"
    assert page.user_view.active_button.text() == "Enable"
    with pytest.raises(AccountDisabledError):
        services.accounts.login("desk", PASSWORDS[Role.FRONT_DESK])

    with qtbot.waitSignal(page.user_controller.users_loaded, timeout=10000):
        page.user_view.active_button.click()
    assert statuses(page)["desk"] == "Active"


def test_an_administrator_can_not_disable_their_own_account(
    qtbot: QtBot, open_workspace: WorkspaceFactory
) -> None:
    page = admin_page(qtbot, open_workspace(Role.ADMIN))
    page.user_view.select_user("admin")
    page.user_view.active_button.click()
    confirm(qtbot)
    qtbot.waitUntil(
        lambda: getattr(QApplication.activeModalWidget(), "objectName", str)() == "errorDialog"
    )
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    assert "can't disable your own account" in box.informativeText()
    box.close()
    assert statuses(page)["admin"] == "Active"


def test_change_a_role(qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory) -> None:
    page = admin_page(qtbot, open_workspace(Role.ADMIN))
    page.user_view.select_user("nurse.joy")
    page.user_view.role_button.click()
    assert page.user_controller is not None
    dialog = page.user_controller.dialog
    assert dialog is not None
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(Role.DOCTOR.value))  # type: ignore[attr-defined]
    with qtbot.waitSignal(page.user_controller.users_loaded, timeout=10000):
        dialog.submit_button.click()
    row = page.user_model.row_of("nurse.joy")
    assert page.user_model.data(page.user_model.index(row, 2)) == "Doctor"
    assert [d.username for d in services.accounts.list_doctors(sign_in(services, Role.ADMIN))] == [
        "drhouse",
        "nurse.joy",
    ]


def test_reset_a_password_lifts_a_lockout(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    for attempt in range(5):
        with pytest.raises(AuthenticationError):
            services.accounts.login(USERNAMES[Role.NURSE], f"wrong-{attempt}-password")
    page = admin_page(qtbot, open_workspace(Role.ADMIN))
    assert statuses(page)["nurse.joy"].startswith("Locked until")
    page.user_view.select_user("nurse.joy")
    page.user_view.reset_button.click()
    assert page.user_controller is not None
    dialog = page.user_controller.dialog
    assert dialog is not None
    dialog.line("password").setText("fresh-start-42")
    dialog.line("password_confirm").setText("fresh-start-43")
    dialog.submit_button.click()
    assert dialog.form.error_text("password_confirm") == "The two passwords differ."
    dialog.line("password_confirm").setText("fresh-start-42")
    with qtbot.waitSignal(page.user_controller.users_loaded, timeout=10000):
        dialog.submit_button.click()
    assert statuses(page)["nurse.joy"] == "Active"
    assert services.accounts.login(USERNAMES[Role.NURSE], "fresh-start-42").must_change_password


def audit_page(qtbot: QtBot, workspace: WorkspaceController) -> AdminPage:
    page = admin_page(qtbot, workspace)
    page.show_tab("Audit log")
    qtbot.waitUntil(lambda: page.audit_model.rowCount() > 0, timeout=5000)
    qtbot.waitUntil(lambda: page.audit_view.user_combo.count() > 1, timeout=5000)
    return page


def shown_events(page: AdminPage) -> list[tuple[str | None, str]]:
    model = page.audit_model
    events = [model.data(model.index(row, 0), AUDIT_EVENT_ROLE) for row in range(model.rowCount())]
    return [(event.username, event.action) for event in events]


def test_the_audit_log_filters_by_user_action_and_record(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    created = services.patients.create(
        doctor,
        PatientInput(given_name="Ana", family_name="Silva", sex="female", birth_date="1980-01-02"),
    )
    services.patients.get(doctor, created.patient.id)
    page = audit_page(qtbot, open_workspace(Role.ADMIN))
    assert page.audit_controller is not None
    view = page.audit_view

    view.user_combo.setCurrentIndex(view.user_combo.findData("drhouse"))
    with qtbot.waitSignal(page.audit_controller.events_loaded, timeout=5000):
        view.apply_button.click()
    assert shown_events(page)
    assert {user for user, _action in shown_events(page)} == {"drhouse"}

    view.action_combo.setCurrentText("patient.")
    with qtbot.waitSignal(page.audit_controller.events_loaded, timeout=5000):
        view.apply_button.click()
    assert [action for _user, action in shown_events(page)] == ["patient.view", "patient.create"]

    view.user_combo.setCurrentIndex(0)
    view.action_combo.setCurrentIndex(0)
    view.record_edit.setText(created.patient.id)
    with qtbot.waitSignal(page.audit_controller.events_loaded, timeout=5000):
        view.apply_button.click()
    assert [action for _user, action in shown_events(page)] == ["patient.view", "patient.create"]
    # Names are never in the log: only ids and counts.
    for row in range(page.audit_model.rowCount()):
        for column in range(page.audit_model.columnCount()):
            assert "Silva" not in str(page.audit_model.data(page.audit_model.index(row, column)))


def test_the_audit_log_filters_by_date_and_refuses_a_backwards_range(
    qtbot: QtBot, open_workspace: WorkspaceFactory
) -> None:
    page = audit_page(qtbot, open_workspace(Role.ADMIN))
    assert page.audit_controller is not None
    view = page.audit_view
    today = QDate.currentDate()
    view.from_check.setChecked(True)
    view.from_date.setDate(today.addDays(1))
    with qtbot.waitSignal(page.audit_controller.events_loaded, timeout=5000):
        view.apply_button.click()
    assert page.audit_model.rowCount() == 0, "nothing happened tomorrow yet"

    view.to_check.setChecked(True)
    view.to_date.setDate(today.addDays(-1))
    view.apply_button.click()
    assert "must not be after" in view.filter_error_text()

    view.from_date.setDate(today)
    view.to_date.setDate(today)
    with qtbot.waitSignal(page.audit_controller.events_loaded, timeout=5000):
        view.apply_button.click()
    assert view.filter_error_text() == ""
    assert page.audit_model.rowCount() > 0
    flt = view.current_filter()
    assert flt.since is not None
    assert flt.until is not None
    assert flt.until - flt.since in (timedelta(hours=23), timedelta(hours=24), timedelta(hours=25))


def test_verify_chain_reports_an_intact_log(qtbot: QtBot, open_workspace: WorkspaceFactory) -> None:
    page = audit_page(qtbot, open_workspace(Role.ADMIN))
    assert page.audit_controller is not None
    with qtbot.waitSignal(page.audit_controller.verify_finished, timeout=10000) as blocker:
        page.audit_view.verify_button.click()
    assert blocker.args[0].ok
    assert "intact" in page.audit_view.verify_result.text()
    assert page.audit_view.verify_button.isEnabled()


def backup_page(qtbot: QtBot, workspace: WorkspaceController) -> AdminPage:
    page = admin_page(qtbot, workspace)
    page.show_tab("Backups")
    assert page.backup_controller is not None
    return page


def test_create_then_verify_a_backup(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    page = backup_page(qtbot, open_workspace(Role.ADMIN))
    assert page.backup_controller is not None
    qtbot.waitUntil(page.backup_view.empty_state.isVisible, timeout=5000)
    page.backup_view.create_button.click()
    qtbot.waitUntil(lambda: page.backup_model.rowCount() == 1, timeout=20000)
    qtbot.waitUntil(lambda: page.backup_view.selected_backup() is not None, timeout=5000)
    assert page.backup_view.table.isVisible()
    written = page.backup_view.selected_backup()
    assert written is not None
    assert written.path.parent == services.settings.backup_dir
    assert written.kind == "Manual"
    assert "written and verified" in page.backup_view.result_label.text()

    with qtbot.waitSignal(page.backup_controller.backup_finished, timeout=20000) as blocker:
        page.backup_view.verify_button.click()
    assert blocker.args[0].ok
    assert "intact" in page.backup_view.result_label.text()


def test_a_damaged_backup_fails_verification_with_a_reason(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    services.settings.backup_dir.mkdir(parents=True, exist_ok=True)
    (services.settings.backup_dir / "backup-broken.clinicbak").write_bytes(b"not a backup" * 100)
    page = backup_page(qtbot, open_workspace(Role.ADMIN))
    assert page.backup_controller is not None
    qtbot.waitUntil(lambda: page.backup_model.rowCount() == 1, timeout=5000)
    page.backup_view.table.selectRow(0)
    with qtbot.waitSignal(page.backup_controller.backup_finished, timeout=20000) as blocker:
        page.backup_view.verify_button.click()
    assert not blocker.args[0].ok
    assert "not a backup of this clinic database" in page.backup_view.result_label.text()


def test_restore_asks_first_then_signs_everyone_out(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    workspace = open_workspace(Role.ADMIN)
    page = backup_page(qtbot, workspace)
    assert page.backup_controller is not None
    page.backup_view.create_button.click()
    qtbot.waitUntil(lambda: page.backup_view.selected_backup() is not None, timeout=20000)
    admin = sign_in(services, Role.ADMIN)
    services.accounts.add_user(admin, "after.backup", "After Backup", Role.NURSE, "later-2026-x")

    page.backup_view.restore_button.click()
    with qtbot.waitSignal(workspace.signed_out, timeout=20000) as blocker:
        confirm(qtbot)
    assert "restored" in blocker.args[0]
    names = [user.username for user in services.accounts.list_users(admin)]
    assert "after.backup" not in names, "the database is the backup's again"
    kept = list(services.settings.backup_dir.glob("pre-restore-*.clinicbak"))
    assert len(kept) == 1, "the replaced database was kept"


def test_the_audit_log_loads_older_events_as_the_table_scrolls(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    desk = sign_in(services, Role.FRONT_DESK)
    for _ in range(PAGE_SIZE + 40):
        services.patients.list(desk, limit=1)
    page = audit_page(qtbot, open_workspace(Role.ADMIN))
    qtbot.waitUntil(lambda: page.audit_model.rowCount() == PAGE_SIZE, timeout=5000)
    # What a person does: scroll to the end; the view asks the model for the older page.
    page.audit_view.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.audit_model.rowCount() > PAGE_SIZE, timeout=5000)
    qtbot.waitUntil(lambda: not page.audit_model.canFetchMore(QModelIndex()), timeout=5000)
    total = page.audit_model.rowCount()
    assert total > PAGE_SIZE + 40, "every event, older pages included"
    seqs = [page.audit_model.event_at(row).seq for row in range(total)]
    assert seqs == sorted(seqs, reverse=True), "newest first, no event twice"
    assert len(set(seqs)) == total
