"""Backups: create and verify with progress and cancel; restore after a confirmation.

After a restore the database holds other data (and maybe other accounts): everyone signs in
again, so the page asks the shell to sign out.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.storage.backup import BACKUP_SUFFIX, BackupReport
from clinic_app.ui.admin.backup_table_model import BackupFile, BackupTableModel, list_backup_files
from clinic_app.ui.admin.backup_view import BackupView
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.tasks.task_progress_dialog import TaskProgressDialog
from clinic_app.ui.tasks.task_runner import Lane, TaskContext, TaskHandle
from clinic_app.ui.widgets.confirm_dialog import ConfirmDialog

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


def new_backup_path(folder: Path, now: datetime) -> Path:
    return folder / f"backup-{now.strftime('%Y%m%d-%H%M%S')}{BACKUP_SUFFIX}"


class BackupController(QObject):
    files_loaded = Signal()
    backup_finished = Signal(object)
    restore_finished = Signal(str)
    status_reported = Signal(str)

    def __init__(
        self,
        view: BackupView,
        model: BackupTableModel,
        context: PageContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._context = context
        self._folder = context.services.settings.backup_dir
        self.progress_dialog: TaskProgressDialog | None = None
        view.create_requested.connect(self._on_view_create_requested)
        view.verify_requested.connect(self._on_view_verify_requested)
        view.restore_requested.connect(self._on_view_restore_requested)

    def load(self, select: Path | None = None) -> None:
        folder = self._folder
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: list_backup_files(folder),
            label="list backups",
            owner=self,
            on_success=lambda files: self._on_files_loaded(files, select),
            on_failure=lambda error: show_error(self._view, error),
        )

    def _on_files_loaded(self, files: list[BackupFile], select: Path | None) -> None:
        self._model.set_files(files)
        if select is not None:
            self._view.select_backup(select)
        self.files_loaded.emit()

    def _start(self, work: object, label: str, title: str, cancellable: bool) -> TaskHandle:
        assert callable(work)
        self._view.set_busy(True)
        handle = self._context.runner.run(
            Lane.DATABASE, work, label=label, on_failure=self._on_task_failed, owner=self
        )
        handle.cancelled.connect(self._on_task_cancelled)
        handle.finished.connect(lambda: self._view.set_busy(False))
        self.progress_dialog = TaskProgressDialog(
            handle, title, self._view, cancellable=cancellable
        )
        return handle

    @Slot()
    def _on_view_create_requested(self) -> None:
        backups, user, folder = self._context.services.backups, self._context.user, self._folder

        def work(ctx: TaskContext) -> BackupReport:
            folder.mkdir(parents=True, exist_ok=True)
            target = new_backup_path(folder, datetime.now())
            return backups.create(user, target, ctx.progress, ctx.cancel)

        handle = self._start(work, "create backup", "Writing the backup", cancellable=True)
        handle.succeeded.connect(self._on_backup_created)

    @Slot(object)
    def _on_backup_created(self, report: BackupReport) -> None:
        self._view.show_result(f"Backup written and verified: {report.path.name}.", True)
        self.status_reported.emit("Backup written.")
        self.backup_finished.emit(report)
        self.load(select=report.path)

    @Slot(Path)
    def _on_view_verify_requested(self, path: Path) -> None:
        backups, user = self._context.services.backups, self._context.user
        handle = self._start(
            lambda ctx: backups.verify(user, path, ctx.progress, ctx.cancel),
            "verify backup",
            "Verifying the backup",
            cancellable=True,
        )
        handle.succeeded.connect(self._on_backup_verified)

    @Slot(object)
    def _on_backup_verified(self, report: BackupReport) -> None:
        if report.ok:
            text = f"{report.path.name}: {report.message} {report.audit_events:,} audit events."
        else:
            text = f"{report.path.name}: {report.message}"
        self._view.show_result(text, report.ok)
        self.backup_finished.emit(report)

    @Slot(Path)
    def _on_view_restore_requested(self, path: Path) -> None:
        dialog = ConfirmDialog(
            self._view,
            "Restore this backup?",
            f"Replace the current database with {path.name}?",
            "Restore and sign everyone out",
            detail=(
                "Changes made after this backup was written will no longer be in the "
                "database. The current database is kept in the backups folder. Everyone "
                "signs in again afterwards."
            ),
            destructive=True,
        )
        dialog.confirmed.connect(lambda: self._restore(path))
        self.confirm_dialog = dialog
        dialog.open()

    def _restore(self, path: Path) -> None:
        backups, user = self._context.services.backups, self._context.user
        handle = self._start(
            lambda _ctx: backups.restore(user, path)[1],
            "restore backup",
            "Restoring the backup",
            cancellable=False,
        )
        handle.succeeded.connect(lambda kept: self._on_backup_restored(path, kept))

    def _on_backup_restored(self, path: Path, kept: Path) -> None:
        message = (
            f"The database was restored from {path.name}. The previous one was kept as "
            f"{kept.name}. Please sign in again."
        )
        self.restore_finished.emit(message)

    @Slot()
    def _on_task_cancelled(self) -> None:
        self._view.show_result("Cancelled. Nothing was changed.", None)

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        self._view.show_result(str(error) if str(error) else type(error).__name__, False)
        show_error(self._view, error)
