"""Opens the Settings dialog and does its reading and saving on the database lane."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QWidget

from clinic_app.errors import ClinicError
from clinic_app.ui.error_presenter import describe_error
from clinic_app.ui.settings.settings_dialog import SettingsDialog
from clinic_app.ui.tasks.task_runner import Lane

if TYPE_CHECKING:
    from clinic_app.maintenance.workstation_settings import WorkstationSettingsView
    from clinic_app.ui.shell.shell_page import PageContext


class SettingsController(QObject):
    """One per open dialog; it goes when the dialog closes."""

    def __init__(self, context: PageContext, parent: QWidget) -> None:
        super().__init__(parent)
        self._context = context
        self.dialog = SettingsDialog(parent)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.save_requested.connect(self._on_dialog_save_requested)
        self.dialog.destroyed.connect(self.deleteLater)

    def open(self) -> None:
        self.dialog.open()
        self.dialog.set_busy(True)
        service = self._context.services.workstation_settings
        user = self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: service.view(user),
            label="read settings",
            owner=self.dialog,
            on_success=self._on_view_read,
            on_failure=self._on_task_failed,
        )

    @Slot(object)
    def _on_view_read(self, view: WorkstationSettingsView) -> None:
        self.dialog.show_view(view)
        self.dialog.set_busy(False)

    @Slot(int)
    def _on_dialog_save_requested(self, minutes: int) -> None:
        self.dialog.set_busy(True, "Saving…")
        service = self._context.services.workstation_settings
        user = self._context.user

        def save(_ctx: object) -> WorkstationSettingsView:
            service.set_idle_lock_minutes(user, minutes)
            return service.view(user)

        self._context.runner.run(
            Lane.DATABASE,
            save,
            label="save settings",
            owner=self.dialog,
            on_success=self._on_saved,
            on_failure=self._on_task_failed,
        )

    @Slot(object)
    def _on_saved(self, view: WorkstationSettingsView) -> None:
        self.dialog.show_saved(view)

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        if isinstance(error, ClinicError):
            self.dialog.show_error(str(error))
            return
        description = describe_error(error)
        self.dialog.show_error(f"{description.message} {description.advice}".strip())
