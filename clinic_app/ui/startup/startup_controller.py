"""Start-up: inspect the data folder, then first-run setup, the passphrase, or straight open.

Every step runs on the database lane; the login window stays responsive (and busy) meanwhile.
Ends with `store_opened(services)`, or `abandoned` when the person quits or an error makes
going on impossible (after its dialog was read).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QMessageBox

from clinic_app.errors import ClinicError, ValidationError, WrongPassphraseError
from clinic_app.ui.error_presenter import error_dialog, show_error
from clinic_app.ui.startup.login_window import LoginWindow
from clinic_app.ui.startup.passphrase_dialog import PassphraseDialog
from clinic_app.ui.startup.setup_dialog import SetupDialog
from clinic_app.ui.startup.store_steps import (
    SetupRequest,
    SetupResult,
    StoreInspection,
    StoreState,
    inspect_store,
    open_store_services,
    run_setup,
)
from clinic_app.ui.tasks.task_progress_dialog import TaskProgressDialog
from clinic_app.ui.tasks.task_runner import Lane, TaskContext, TaskRunner

if TYPE_CHECKING:
    from clinic_app.bootstrap import Services
    from clinic_app.settings import Settings

log = logging.getLogger(__name__)


class StartupController(QObject):
    store_opened = Signal(object)
    abandoned = Signal()

    def __init__(self, settings: Settings, runner: TaskRunner, login_window: LoginWindow) -> None:
        super().__init__(login_window)
        self._settings = settings
        self._runner = runner
        self._login_window = login_window
        self.setup_dialog: SetupDialog | None = None
        self.passphrase_dialog: PassphraseDialog | None = None
        self._setup_result: SetupResult | None = None
        self.fatal_error_dialog: QMessageBox | None = None
        # What the opening step reported (a database upgrade says what it is doing).
        self.open_messages: list[str] = []

    def start(self) -> None:
        self._login_window.set_busy("Opening the clinic database…")
        settings = self._settings
        self._runner.run(
            Lane.DATABASE,
            lambda _ctx: inspect_store(settings),
            label="inspect store",
            owner=self,
            on_success=self._on_inspect_succeeded,
            on_failure=self._on_fatal_error,
        )

    @Slot(object)
    def _on_inspect_succeeded(self, inspection: StoreInspection) -> None:
        if inspection.state is StoreState.NEW:
            self._login_window.set_busy("Setting up this workstation…")
            settings = self._settings
            dialog = SetupDialog(
                settings.data_dir,
                inspection.keyring_available,
                unlock_mode=settings.unlock_mode,
                unlock_mode_lock=(
                    settings.locked_note
                    if settings.unlock_mode and settings.is_locked("unlock_mode")
                    else ""
                ),
            )
            dialog.setParent(self._login_window, dialog.windowFlags())
            dialog.setup_requested.connect(self._on_setup_dialog_setup_requested)
            dialog.completed.connect(self._on_setup_dialog_completed)
            dialog.rejected.connect(self.abandoned)
            self.setup_dialog = dialog
            dialog.open()
            log.info("first-run setup shown")
        elif inspection.state is StoreState.PASSPHRASE:
            self._login_window.set_busy("Waiting for the database passphrase…")
            passphrase_dialog = PassphraseDialog(self._login_window)
            passphrase_dialog.passphrase_entered.connect(self._on_passphrase_dialog_entered)
            passphrase_dialog.rejected.connect(self.abandoned)
            self.passphrase_dialog = passphrase_dialog
            passphrase_dialog.open()
        else:
            self._open(None)

    # --- opening an existing store -----------------------------------------------------

    def _open(self, passphrase: str | None) -> None:
        settings = self._settings

        def work(ctx: TaskContext) -> Services:
            return open_store_services(settings, passphrase, ctx.progress)

        handle = self._runner.run(
            Lane.DATABASE,
            work,
            label="open store",
            owner=self,
            on_success=self._on_open_succeeded,
            on_failure=self._on_open_failed,
        )
        handle.progressed.connect(self._on_open_progressed)
        # Shown only if opening takes a while (a database upgrade with its backup).
        TaskProgressDialog(handle, "Preparing the database", self._login_window, cancellable=False)

    @Slot(int, int, str)
    def _on_open_progressed(self, _done: int, _total: int, message: str) -> None:
        if message and message not in self.open_messages:
            self.open_messages.append(message)

    @Slot(str)
    def _on_passphrase_dialog_entered(self, passphrase: str) -> None:
        assert self.passphrase_dialog is not None
        self.passphrase_dialog.set_busy(True)
        self._open(passphrase)

    @Slot(object)
    def _on_open_succeeded(self, services: Services) -> None:
        if self.passphrase_dialog is not None:
            self.passphrase_dialog.rejected.disconnect(self.abandoned)
            self.passphrase_dialog.accept()
            self.passphrase_dialog.deleteLater()
            self.passphrase_dialog = None
        self._login_window.set_ready()
        if services.store.migrated:
            self._login_window.show_notice(
                "The database was upgraded for this version. A backup of the previous one is "
                "in the backups folder."
            )
        self.store_opened.emit(services)

    @Slot(object)
    def _on_open_failed(self, error: BaseException) -> None:
        if isinstance(error, WrongPassphraseError) and self.passphrase_dialog is not None:
            self.passphrase_dialog.set_busy(False)
            self.passphrase_dialog.show_error(f"{error} Check Caps Lock and try again.")
            return
        if self.passphrase_dialog is not None:
            self.passphrase_dialog.rejected.disconnect(self.abandoned)
            self.passphrase_dialog.hide()
        self._on_fatal_error(error)

    # --- first run ---------------------------------------------------------------------

    @Slot(SetupRequest)
    def _on_setup_dialog_setup_requested(self, request: SetupRequest) -> None:
        assert self.setup_dialog is not None
        self.setup_dialog.set_busy(True, "Creating the encrypted database…")
        settings = self._settings
        self._runner.run(
            Lane.DATABASE,
            lambda ctx: run_setup(settings, request, ctx.progress),
            label="first-run setup",
            owner=self,
            on_success=self._on_setup_succeeded,
            on_failure=self._on_setup_failed,
        )

    @Slot(object)
    def _on_setup_succeeded(self, result: SetupResult) -> None:
        assert self.setup_dialog is not None
        self._setup_result = result
        self.setup_dialog.show_recovery_key(result.recovery_key)

    @Slot(object)
    def _on_setup_failed(self, error: BaseException) -> None:
        assert self.setup_dialog is not None
        self.setup_dialog.set_busy(False)
        if isinstance(error, ValidationError):
            self.setup_dialog.show_errors(error.field_errors, str(error))
        elif isinstance(error, ClinicError):
            self.setup_dialog.show_errors({}, str(error))
        else:
            show_error(self.setup_dialog, error)

    @Slot()
    def _on_setup_dialog_completed(self) -> None:
        assert self.setup_dialog is not None
        assert self._setup_result is not None
        username = self.setup_dialog.field("username").text().strip().lower()
        self.setup_dialog.deleteLater()
        self.setup_dialog = None
        services = self._setup_result.services
        self._setup_result = None
        self._login_window.set_ready(username)
        self.store_opened.emit(services)

    # --- errors that stop the start --------------------------------------------------------

    @Slot(object)
    def _on_fatal_error(self, error: BaseException) -> None:
        self._login_window.set_busy("The clinic database could not be opened.")
        box = error_dialog(self._login_window, error)
        box.setObjectName("startupErrorDialog")
        box.finished.connect(self.abandoned)
        self.fatal_error_dialog = box
        box.open()
