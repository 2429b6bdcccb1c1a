"""Runs a merge for a page: the preview on the database lane, the side-by-side dialog, then
the merge on the database lane. Used by the patients page ("Merge duplicate…") and by the
sync conflict inbox ("Same person: merge…"); a refusal is shown in words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from clinic_app.patients.merge_models import MergePreview, MergeResult
from clinic_app.security.permissions import Action
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.patients.merge_dialog import PatientMergeDialog
from clinic_app.ui.tasks.task_progress_dialog import TaskProgressDialog
from clinic_app.ui.tasks.task_runner import Lane, TaskContext

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


class PatientMergeFlow(QObject):
    merged = Signal(object)  # MergeResult
    failed = Signal(object)  # the exception, already shown to the user
    cancelled = Signal()

    def __init__(self, context: PageContext, parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self._context = context
        self._parent_widget = parent_widget
        self.dialog: PatientMergeDialog | None = None
        self.error_box: QMessageBox | None = None
        self.progress_dialog: TaskProgressDialog | None = None
        self.busy = False

    def start(self, survivor_id: str, duplicate_id: str) -> None:
        patients, accounts, user = (
            self._context.services.patients,
            self._context.services.accounts,
            self._context.user,
        )

        def read(_ctx: object) -> tuple[MergePreview, dict[str, str]]:
            preview = patients.merge_preview(user, survivor_id, duplicate_id)
            people: dict[str, str] = {}
            if user.can(Action.USER_LIST):
                people = {u.id: u.display_name for u in accounts.list_users(user)}
            return preview, people

        self.busy = True
        self._context.runner.run(
            Lane.DATABASE,
            read,
            label="merge preview",
            owner=self,
            on_success=self._on_preview_loaded,
            on_failure=self._on_failed,
        )

    @Slot(object)
    def _on_preview_loaded(self, outcome: tuple[MergePreview, dict[str, str]]) -> None:
        preview, people = outcome
        self.busy = False
        dialog = PatientMergeDialog(preview, people, self._parent_widget)
        self.dialog = dialog
        dialog.swap_requested.connect(self._on_swap_requested)
        dialog.finished.connect(self._on_dialog_finished)
        dialog.open()

    @Slot()
    def _on_swap_requested(self) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        preview = dialog.preview
        dialog.finished.disconnect(self._on_dialog_finished)
        dialog.close()
        dialog.deleteLater()
        self.start(preview.duplicate.id, preview.survivor.id)

    @Slot(int)
    def _on_dialog_finished(self, code: int) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        dialog.deleteLater()
        if code != QDialog.DialogCode.Accepted:
            self.dialog = None
            self.cancelled.emit()
            return
        preview, choices = dialog.preview, dialog.choices()
        self.dialog = None
        patients, user = self._context.services.patients, self._context.user
        self.busy = True

        def merge(ctx: TaskContext) -> MergeResult:
            return patients.merge(
                user,
                preview.survivor.id,
                preview.duplicate.id,
                choices,
                survivor_version=preview.survivor.version,
                duplicate_version=preview.duplicate.version,
                progress=ctx.progress,
                cancel=ctx.cancel,
            )

        handle = self._context.runner.run(
            Lane.DATABASE,
            merge,
            label="merge patients",
            owner=self,
            on_success=self._on_merged,
            on_failure=self._on_failed,
        )
        handle.cancelled.connect(self._on_merge_cancelled)
        # A large chart takes a second or more: progress, and Cancel rolls everything back.
        self.progress_dialog = TaskProgressDialog(handle, "Merging the charts", self._parent_widget)

    @Slot()
    def _on_merge_cancelled(self) -> None:
        self.busy = False
        self.cancelled.emit()

    @Slot(object)
    def _on_merged(self, result: MergeResult) -> None:
        self.busy = False
        self.merged.emit(result)

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self.busy = False
        self.error_box = show_error(self._parent_widget, error)
        self.failed.emit(error)
