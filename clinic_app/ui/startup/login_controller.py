"""Signing in: checks the password on the database lane (argon2 takes a while), handles the
required password change, and reports the signed-in user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.errors import AuthenticationError, ValidationError
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.startup.change_password_dialog import ChangePasswordDialog
from clinic_app.ui.startup.login_window import LoginWindow
from clinic_app.ui.tasks.task_runner import Lane, TaskRunner

if TYPE_CHECKING:
    from clinic_app.bootstrap import Services
    from clinic_app.security.users import AuthenticatedUser


class LoginController(QObject):
    signed_in = Signal(object)

    def __init__(self, services: Services, runner: TaskRunner, login_window: LoginWindow) -> None:
        super().__init__(login_window)
        self._services = services
        self._runner = runner
        self._window = login_window
        self._pending: tuple[AuthenticatedUser, str] | None = None
        self.change_password_dialog: ChangePasswordDialog | None = None
        login_window.sign_in_requested.connect(self._on_window_sign_in_requested)

    @Slot(str, str)
    def _on_window_sign_in_requested(self, username: str, password: str) -> None:
        self._window.set_busy("Signing in…")
        accounts = self._services.accounts
        self._runner.run(
            Lane.DATABASE,
            lambda _ctx: (accounts.login(username, password), password),
            label="login",
            owner=self,
            on_success=self._on_login_succeeded,
            on_failure=self._on_login_failed,
        )

    @Slot(object)
    def _on_login_succeeded(self, outcome: tuple[AuthenticatedUser, str]) -> None:
        user, password = outcome
        self._window.set_ready()
        if not user.must_change_password:
            self._window.password_edit.clear()
            self.signed_in.emit(user)
            return
        self.require_password_change(user, password)

    def require_password_change(self, user: AuthenticatedUser, password: str) -> None:
        """Asks for a new password before `signed_in` (after an administrator's reset)."""
        self._window.set_ready(user.username)
        self._pending = (user, password)
        dialog = ChangePasswordDialog(user.display_name, self._window)
        dialog.password_chosen.connect(self._on_dialog_password_chosen)
        dialog.rejected.connect(self._on_dialog_rejected)
        self.change_password_dialog = dialog
        dialog.open()

    @Slot(object)
    def _on_login_failed(self, error: BaseException) -> None:
        self._window.set_ready()
        if isinstance(error, AuthenticationError):
            self._window.show_error(str(error))
        else:
            show_error(self._window, error)

    @Slot(str)
    def _on_dialog_password_chosen(self, new_password: str) -> None:
        assert self._pending is not None
        user, old_password = self._pending
        accounts = self._services.accounts
        self._runner.run(
            Lane.DATABASE,
            lambda _ctx: accounts.change_own_password(user, old_password, new_password),
            label="change own password",
            owner=self,
            on_success=self._on_password_changed,
            on_failure=self._on_password_change_failed,
        )

    @Slot(object)
    def _on_password_changed(self, user: AuthenticatedUser) -> None:
        self._pending = None
        if self.change_password_dialog is not None:
            self.change_password_dialog.rejected.disconnect(self._on_dialog_rejected)
            self.change_password_dialog.accept()
            self.change_password_dialog.deleteLater()
            self.change_password_dialog = None
        self._window.password_edit.clear()
        self.signed_in.emit(user)

    @Slot(object)
    def _on_password_change_failed(self, error: BaseException) -> None:
        assert self.change_password_dialog is not None
        if isinstance(error, ValidationError):
            self.change_password_dialog.show_errors(error.field_errors, str(error))
        else:
            self.change_password_dialog.show_errors({}, str(error))

    @Slot()
    def _on_dialog_rejected(self) -> None:
        self._pending = None
        self.change_password_dialog = None
        self._window.reset()
