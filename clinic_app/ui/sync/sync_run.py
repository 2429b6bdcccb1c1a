"""One sync at a time from this window: the status bar's timer and the Sync page's "Sync now"
share this object, so a run is never started while another is on its way (the network lane
would only queue it behind the first, and it would sync twice for nothing).

The run itself is `SyncService.sync_now` on the network lane, with progress and cancel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.ui.tasks.task_runner import Lane, TaskContext, TaskHandle

if TYPE_CHECKING:
    from clinic_app.security.users import AuthenticatedUser
    from clinic_app.sync.models import SyncReport
    from clinic_app.ui.shell.shell_page import PageContext


class SyncRun(QObject):
    # A run began: its handle (progress, cancel). `background` is True for the timer's run.
    started = Signal(object, bool)
    # A run ended: the SyncReport, or None when it failed or was cancelled.
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()
    finished = Signal()

    def __init__(self, context: PageContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.handle: TaskHandle | None = None
        self.background = False

    @property
    def running(self) -> bool:
        return self.handle is not None and self.handle.running

    def start(self, *, background: bool = False) -> TaskHandle | None:
        """Starts a run unless one is on its way (then None). A background run is the
        workstation's own (no user: the timer); a person's run checks their permission."""
        if self.running:
            return None
        sync = self._context.services.sync
        user: AuthenticatedUser | None = None if background else self._context.user

        def run(ctx: TaskContext) -> SyncReport:
            return sync.sync_now(user, ctx.progress, ctx.cancel)

        self.background = background
        handle = self._context.runner.run(
            Lane.NETWORK,
            run,
            label="sync",
            owner=self,
            on_success=self._on_handle_succeeded,
            on_failure=self._on_handle_failed,
        )
        handle.cancelled.connect(self._on_handle_cancelled)
        handle.finished.connect(self.finished)
        self.handle = handle
        if handle.running:
            self.started.emit(handle, background)
        return handle

    def cancel(self) -> None:
        if self.handle is not None and self.handle.running:
            self.handle.cancel()

    @Slot(object)
    def _on_handle_succeeded(self, report: SyncReport) -> None:
        self.succeeded.emit(report)

    @Slot(object)
    def _on_handle_failed(self, error: BaseException) -> None:
        self.failed.emit(error)

    @Slot()
    def _on_handle_cancelled(self) -> None:
        self.cancelled.emit()
