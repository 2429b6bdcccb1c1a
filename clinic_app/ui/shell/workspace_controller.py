"""One signed-in user's workspace: the main window, the idle lock, unlocking, signing out.

When another person signs in at the lock screen this workspace reports `user_switched`; the
application closes it (keeping its drafts in memory for when its user returns) and opens theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.errors import AuthenticationError
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.shell.idle_lock_controller import CHECK_INTERVAL_MS, IdleLockController
from clinic_app.ui.shell.main_window import MainWindow
from clinic_app.ui.shell.page_registry import PageRegistry
from clinic_app.ui.shell.shell_page import PageContext
from clinic_app.ui.tasks.task_runner import Lane, TaskRunner
from clinic_app.ui.ui_state_store import UiStateStore
from clinic_app.ui.widgets.confirm_dialog import ConfirmDialog

if TYPE_CHECKING:
    from clinic_app.bootstrap import Services
    from clinic_app.security.idle_lock import UserSession
    from clinic_app.security.users import AuthenticatedUser


class WorkspaceController(QObject):
    signed_out = Signal(str)
    # Another person signed in at the lock screen: their user, and their password in case
    # they must replace a temporary one before their workspace opens.
    user_switched = Signal(object, str)
    quit_requested = Signal()

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        session: UserSession,
        registry: PageRegistry,
        ui_state_store: UiStateStore,
        *,
        drafts: dict[str, object] | None = None,
        idle_check_ms: int = CHECK_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self.session = session
        self._ui_state_store = ui_state_store
        self._drafts = drafts or {}
        user = session.user
        self.window = MainWindow(registry.pages_for(user), PageContext(services, user, runner))
        self.idle = IdleLockController(session, idle_check_ms, self)
        self._closed = False
        self.idle.idle_timed_out.connect(self._on_idle_timed_out)
        self.window.lock_requested.connect(self.lock)
        self.window.sign_out_requested.connect(self._on_window_sign_out_requested)
        self.window.close_requested.connect(self._on_window_close_requested)
        self.window.sign_out_required.connect(self.signed_out)
        lock_screen = self.window.lock_screen
        lock_screen.unlock_requested.connect(self._on_lock_screen_unlock_requested)
        lock_screen.switch_user_requested.connect(self._on_lock_screen_switch_user_requested)

    @property
    def user(self) -> AuthenticatedUser:
        return self.session.user

    def show(self) -> None:
        self.window.restore_ui_state(self._ui_state_store.load(self.user.id), self._drafts)
        self._drafts = {}
        self.window.show()
        self.idle.start()

    @Slot()
    def lock(self) -> None:
        self.session.lock()
        self.window.set_locked(True)

    def close(self) -> dict[str, object]:
        """Saves the window state, closes the window; returns unsaved drafts (memory only)."""
        if self._closed:
            return {}
        self._closed = True
        self.idle.stop()
        self._ui_state_store.save(self.user.id, self.window.capture_ui_state())
        drafts = self.window.collect_drafts()
        self.window.shutdown_pages()
        self.window.close_for_good()
        self.window.deleteLater()
        return drafts

    # --- idle lock and unlock ------------------------------------------------------------

    @Slot()
    def _on_idle_timed_out(self) -> None:
        self.window.set_locked(True)

    @Slot(str)
    def _on_lock_screen_unlock_requested(self, password: str) -> None:
        self.window.lock_screen.set_busy(True)
        session = self.session
        accounts = self._services.accounts
        self._runner.run(
            Lane.DATABASE,
            lambda _ctx: session.unlock(accounts, password),
            label="unlock session",
            owner=self,
            on_success=self._on_unlock_succeeded,
            on_failure=self._on_lock_screen_failed,
        )

    @Slot(object)
    def _on_unlock_succeeded(self, _result: object) -> None:
        self.window.lock_screen.reset()
        self.window.set_locked(False)
        self.idle.rearm()

    @Slot(str, str)
    def _on_lock_screen_switch_user_requested(self, username: str, password: str) -> None:
        if username.strip().lower() == self.user.username:
            self._on_lock_screen_unlock_requested(password)
            return
        self.window.lock_screen.set_busy(True)
        accounts = self._services.accounts
        self._runner.run(
            Lane.DATABASE,
            lambda _ctx: (accounts.login(username, password), password),
            label="switch user",
            owner=self,
            on_success=self._on_switch_succeeded,
            on_failure=self._on_lock_screen_failed,
        )

    @Slot(object)
    def _on_switch_succeeded(self, outcome: tuple[AuthenticatedUser, str]) -> None:
        self.window.lock_screen.set_busy(False)
        self.user_switched.emit(*outcome)

    @Slot(object)
    def _on_lock_screen_failed(self, error: BaseException) -> None:
        self.window.lock_screen.set_busy(False)
        if isinstance(error, AuthenticationError):
            self.window.lock_screen.show_error(str(error))
        else:
            show_error(self.window, error)

    # --- leaving -------------------------------------------------------------------------

    @Slot()
    def _on_window_sign_out_requested(self) -> None:
        self._confirm_leaving("Sign out", lambda: self.signed_out.emit(""))

    @Slot()
    def _on_window_close_requested(self) -> None:
        self._confirm_leaving("Quit", self.quit_requested.emit)

    def _confirm_leaving(self, verb: str, proceed: Callable[[], object]) -> None:
        if not self.window.has_unsaved_changes():
            proceed()
            return
        dialog = ConfirmDialog(
            self.window,
            f"{verb}?",
            "A form has unsaved changes.",
            f"Discard changes and {verb.lower()}",
            detail="Go back to save them, or discard them.",
            destructive=True,
        )
        dialog.confirmed.connect(proceed)
        dialog.open()
