"""The audit log page: filtered pages of events, and verifying the hash chain with progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.storage.audit import AuditEvent, AuditFilter, ChainVerification
from clinic_app.ui.admin.audit_log_view import AuditLogView
from clinic_app.ui.admin.audit_table_model import AuditTableModel
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.tasks.task_progress_dialog import TaskProgressDialog
from clinic_app.ui.tasks.task_runner import Lane, TaskContext

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

PAGE_SIZE = 200


class AuditLogController(QObject):
    events_loaded = Signal()
    verify_finished = Signal(object)

    def __init__(
        self,
        view: AuditLogView,
        model: AuditTableModel,
        context: PageContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._context = context
        self._filter = AuditFilter()
        self._generation = 0
        self.progress_dialog: TaskProgressDialog | None = None
        view.filters_applied.connect(self._on_view_filters_applied)
        view.verify_requested.connect(self._on_view_verify_requested)
        model.more_requested.connect(self._on_model_more_requested)

    def load_choices(self) -> None:
        services, user = self._context.services, self._context.user

        def work(_ctx: object) -> tuple[list[str], list[str]]:
            names = [account.username for account in services.accounts.list_users(user)]
            return names, services.audit.actions(user)

        self._context.runner.run(
            Lane.DATABASE,
            work,
            label="audit choices",
            owner=self,
            on_success=lambda choices: self._view.set_choices(*choices),
            on_failure=lambda error: show_error(self._view, error),
        )

    def load(self) -> None:
        self._fetch(0)

    @Slot(AuditFilter)
    def _on_view_filters_applied(self, flt: AuditFilter) -> None:
        self._filter = flt
        self._fetch(0)

    @Slot()
    def _on_model_more_requested(self) -> None:
        self._fetch(self._model.rowCount())

    def _fetch(self, offset: int) -> None:
        if offset == 0:
            self._generation += 1
        generation, flt = self._generation, self._filter
        audit, user = self._context.services.audit, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: (
                generation,
                offset,
                audit.list(user, flt, limit=PAGE_SIZE, offset=offset),
            ),
            label="audit list",
            owner=self,
            on_success=self._on_events_loaded,
            on_failure=self._on_fetch_failed,
        )

    @Slot(object)
    def _on_events_loaded(self, outcome: tuple[int, int, list[AuditEvent]]) -> None:
        generation, offset, events = outcome
        if generation != self._generation:
            return
        if self._model.take_page(events, offset, PAGE_SIZE):
            self.events_loaded.emit()

    @Slot(object)
    def _on_fetch_failed(self, error: BaseException) -> None:
        self._model.fetch_failed()
        show_error(self._view, error)

    @Slot()
    def _on_view_verify_requested(self) -> None:
        audit, user = self._context.services.audit, self._context.user

        def work(ctx: TaskContext) -> ChainVerification:
            return audit.verify(user, ctx.progress, ctx.cancel)

        self._view.verify_button.setEnabled(False)
        self._view.show_verify_result("Verifying…", None)
        handle = self._context.runner.run(
            Lane.DATABASE,
            work,
            label="verify audit chain",
            owner=self,
            on_success=self._on_verify_succeeded,
            on_failure=self._on_verify_failed,
        )
        handle.cancelled.connect(self._on_verify_cancelled)
        self.progress_dialog = TaskProgressDialog(handle, "Verifying the audit chain", self._view)

    @Slot(object)
    def _on_verify_succeeded(self, result: ChainVerification) -> None:
        self._view.verify_button.setEnabled(True)
        if result.ok:
            text = f"The audit chain is intact: {result.checked:,} events checked."
        else:
            text = (
                f"The audit chain is BROKEN at event {result.first_broken_seq}: {result.reason}. "
                "Keep this workstation as it is and tell the clinic's data protection officer."
            )
        self._view.show_verify_result(text, result.ok)
        self.verify_finished.emit(result)
        self.load()

    @Slot()
    def _on_verify_cancelled(self) -> None:
        self._view.verify_button.setEnabled(True)
        self._view.show_verify_result("Verification cancelled.", None)

    @Slot(object)
    def _on_verify_failed(self, error: BaseException) -> None:
        self._view.verify_button.setEnabled(True)
        self._view.show_verify_result("", None)
        show_error(self._view, error)
