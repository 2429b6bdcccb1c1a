"""The application's life: start-up, sign-in, one workspace at a time, and a clean shutdown.

Owns the `TaskRunner` and the `Services` once the store is open. Drafts of a user whose
workspace was closed because someone else signed in are kept here, in memory only, until that
user signs in again or the application quits.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.shell.builtin_pages import default_page_registry
from clinic_app.ui.shell.idle_lock_controller import CHECK_INTERVAL_MS
from clinic_app.ui.shell.page_registry import PageRegistry
from clinic_app.ui.shell.workspace_controller import WorkspaceController
from clinic_app.ui.startup.login_controller import LoginController
from clinic_app.ui.startup.login_window import LoginWindow
from clinic_app.ui.startup.startup_controller import StartupController
from clinic_app.ui.tasks.task_runner import TaskRunner
from clinic_app.ui.ui_state_store import UiStateStore

if TYPE_CHECKING:
    from clinic_app.bootstrap import Services
    from clinic_app.security.idle_lock import UserSession
    from clinic_app.security.users import AuthenticatedUser
    from clinic_app.settings import Settings

log = logging.getLogger(__name__)

SessionFactory = Callable[["Services", "AuthenticatedUser"], "UserSession"]


def _default_session(services: Services, user: AuthenticatedUser) -> UserSession:
    return services.new_session(user)


def settle_garbage_collector() -> None:
    """Once start-up has loaded the big module graph (SQLAlchemy, the services, Qt wrappers),
    move it out of the collector's reach: later full collections then scan only new objects
    instead of pausing every thread (the GUI's too) for tens of milliseconds while typing."""
    gc.collect()
    gc.freeze()


class ClinicAppController(QObject):
    login_window_shown = Signal()
    store_opened = Signal()
    workspace_opened = Signal(object)
    finished = Signal()

    def __init__(
        self,
        settings: Settings,
        *,
        registry: PageRegistry | None = None,
        session_factory: SessionFactory = _default_session,
        idle_check_ms: int = CHECK_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.runner = TaskRunner(self)
        self.runner.task_failed.connect(self._on_runner_task_failed)
        self.registry = registry or default_page_registry()
        self._session_factory = session_factory
        self._idle_check_ms = idle_check_ms
        self._ui_state_store = UiStateStore(settings.data_dir / "ui")
        self.login_window = LoginWindow(settings.workstation)
        self.login_window.close_requested.connect(self.shutdown)
        self.startup = StartupController(settings, self.runner, self.login_window)
        self.startup.store_opened.connect(self._on_startup_store_opened)
        self.startup.abandoned.connect(self.shutdown)
        self.services: Services | None = None
        self.login: LoginController | None = None
        self.workspace: WorkspaceController | None = None
        self._stashed_drafts: dict[str, dict[str, object]] = {}
        self._shut_down = False
        self.login_window_shown.connect(self._on_login_window_shown)

    def start(self) -> None:
        self.login_window.show()
        # Open the store once the window is up: its imports then don't delay the first paint.
        QTimer.singleShot(0, self._on_first_event)

    @Slot()
    def _on_first_event(self) -> None:
        if self._shut_down:
            return
        self.login_window_shown.emit()
        self.startup.start()

    @Slot()
    def _on_login_window_shown(self) -> None:
        log.info("login window shown")

    @Slot(object)
    def _on_startup_store_opened(self, services: Services) -> None:
        log.info("store opened; sign-in ready")
        settle_garbage_collector()
        self.services = services
        self.login = LoginController(services, self.runner, self.login_window)
        self.login.signed_in.connect(self._on_login_signed_in)
        self.store_opened.emit()

    @Slot(object)
    def _on_login_signed_in(self, user: AuthenticatedUser) -> None:
        self._open_workspace(user)

    def _open_workspace(self, user: AuthenticatedUser) -> None:
        assert self.services is not None
        workspace = WorkspaceController(
            self.services,
            self.runner,
            self._session_factory(self.services, user),
            self.registry,
            self._ui_state_store,
            drafts=self._stashed_drafts.pop(user.id, {}),
            idle_check_ms=self._idle_check_ms,
            parent=self,
        )
        workspace.signed_out.connect(self._on_workspace_signed_out)
        workspace.user_switched.connect(self._on_workspace_user_switched)
        workspace.quit_requested.connect(self.shutdown)
        self.workspace = workspace
        workspace.show()
        self.login_window.hide()
        settle_garbage_collector()  # the pages' modules are loaded now
        log.info("workspace opened: user=%s", user.id)
        self.workspace_opened.emit(workspace)

    def _close_workspace(self) -> dict[str, object]:
        workspace, self.workspace = self.workspace, None
        if workspace is None:
            return {}
        drafts = workspace.close()
        workspace.deleteLater()
        return drafts

    @Slot(str)
    def _on_workspace_signed_out(self, message: str) -> None:
        self.login_window.reset()
        self.login_window.show()
        self._close_workspace()
        if message:
            self.login_window.show_notice(message)

    @Slot(object, str)
    def _on_workspace_user_switched(self, user: AuthenticatedUser, password: str) -> None:
        """The previous user's views close first; their unsaved drafts wait in memory."""
        previous = self.workspace.user if self.workspace is not None else None
        if user.must_change_password and self.login is not None:
            self.login_window.show()
        drafts = self._close_workspace()
        if previous is not None and drafts:
            self._stashed_drafts[previous.id] = drafts
        if user.must_change_password and self.login is not None:
            self.login.require_password_change(user, password)
            return
        self._open_workspace(user)

    @Slot(object)
    def _on_runner_task_failed(self, error: BaseException) -> None:
        parent: QWidget = self.workspace.window if self.workspace else self.login_window
        show_error(parent, error)

    @Slot()
    def shutdown(self) -> None:
        """Close windows, stop background work, close the database; then `finished`."""
        if self._shut_down:
            return
        self._shut_down = True
        self._close_workspace()
        self._stashed_drafts.clear()
        self.runner.shutdown()
        if self.services is not None:
            self.services.close()
            self.services = None
        self.login_window.hide()
        self.login_window.deleteLater()
        log.info("application shut down")
        self.finished.emit()
