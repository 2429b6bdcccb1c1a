"""User administration: every account change runs on the database lane, then the list reloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.errors import ValidationError
from clinic_app.security.permissions import Role
from clinic_app.security.users import UserSummary
from clinic_app.ui.admin.user_admin_view import UserAdminView
from clinic_app.ui.admin.user_dialogs import (
    AddUserDialog,
    ChangeRoleDialog,
    FormDialog,
    ResetPasswordDialog,
)
from clinic_app.ui.admin.user_table_model import UserTableModel
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.tasks.task_runner import Lane
from clinic_app.ui.widgets.confirm_dialog import ConfirmDialog

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


class UserAdminController(QObject):
    users_loaded = Signal()
    status_reported = Signal(str)

    def __init__(
        self,
        view: UserAdminView,
        model: UserTableModel,
        context: PageContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._context = context
        self.dialog: FormDialog | None = None
        view.add_requested.connect(self._on_view_add_requested)
        view.role_change_requested.connect(self._on_view_role_change_requested)
        view.active_change_requested.connect(self._on_view_active_change_requested)
        view.password_reset_requested.connect(self._on_view_password_reset_requested)

    def load(self, select: str = "") -> None:
        accounts, actor = self._context.services.accounts, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: accounts.list_users(actor),
            label="list users",
            owner=self,
            on_success=lambda users: self._on_users_loaded(users, select),
            on_failure=lambda error: show_error(self._view, error),
        )

    def _on_users_loaded(self, users: list[UserSummary], select: str) -> None:
        self._model.set_users(users)
        if select:
            self._view.select_user(select)
        self.users_loaded.emit()

    def _change(
        self,
        work: Callable[[], UserSummary],
        label: str,
        done: str,
        dialog: FormDialog | None = None,
    ) -> None:
        def on_success(user: UserSummary) -> None:
            if dialog is not None:
                dialog.accept()
            self.dialog = None
            self.status_reported.emit(done)
            self.load(select=user.username)

        def on_failure(error: BaseException) -> None:
            if dialog is not None and isinstance(error, ValidationError):
                dialog.show_errors(error.field_errors, str(error))
            elif dialog is not None:
                dialog.show_errors({}, str(error))
            else:
                show_error(self._view, error)

        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: work(),
            label=label,
            owner=self,
            on_success=on_success,
            on_failure=on_failure,
        )

    @Slot()
    def _on_view_add_requested(self) -> None:
        dialog = AddUserDialog(self._view)
        accounts, actor = self._context.services.accounts, self._context.user

        def submit(username: str, display_name: str, role: str, password: str) -> None:
            self._change(
                lambda: accounts.add_user(actor, username, display_name, Role(role), password),
                "add user",
                "User added.",
                dialog,
            )

        dialog.submitted.connect(submit)
        self.dialog = dialog
        dialog.open()

    @Slot(object)
    def _on_view_role_change_requested(self, user: UserSummary) -> None:
        dialog = ChangeRoleDialog(user.username, user.role, self._view)
        accounts, actor = self._context.services.accounts, self._context.user
        dialog.submitted.connect(
            lambda role: self._change(
                lambda: accounts.set_role(actor, user.username, Role(role)),
                "set role",
                "Role changed.",
                dialog,
            )
        )
        self.dialog = dialog
        dialog.open()

    @Slot(object)
    def _on_view_password_reset_requested(self, user: UserSummary) -> None:
        dialog = ResetPasswordDialog(user.username, self._view)
        accounts, actor = self._context.services.accounts, self._context.user
        dialog.submitted.connect(
            lambda password: self._change(
                lambda: accounts.reset_password(actor, user.username, password),
                "reset password",
                "Password reset.",
                dialog,
            )
        )
        self.dialog = dialog
        dialog.open()

    @Slot(object, bool)
    def _on_view_active_change_requested(self, user: UserSummary, active: bool) -> None:
        accounts, actor = self._context.services.accounts, self._context.user

        def apply() -> None:
            self._change(
                lambda: accounts.set_active(actor, user.username, active),
                "set active",
                "User enabled." if active else "User disabled.",
            )

        if active:
            apply()
            return
        confirm = ConfirmDialog(
            self._view,
            "Disable this account?",
            f"{user.display_name} ({user.username}) will not be able to sign in.",
            "Disable",
            detail="Their records and audit history stay. You can enable the account again.",
            destructive=True,
        )
        confirm.confirmed.connect(apply)
        confirm.open()
