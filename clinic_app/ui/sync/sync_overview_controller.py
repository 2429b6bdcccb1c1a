"""Feeds the Sync page's first tab: status and log (database lane), "Sync now" through the
window's one `SyncRun` (network lane), the settings dialog (`configure`), record look-ups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.errors import ValidationError
from clinic_app.security.permissions import Action
from clinic_app.sync.models import RecordSyncState, SyncLogEntry, SyncReport, SyncStatus
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.sync.sync_log_table_model import SyncLogTableModel
from clinic_app.ui.sync.sync_overview_view import SyncOverviewView
from clinic_app.ui.sync.sync_run import SyncRun
from clinic_app.ui.sync.sync_settings_dialog import SyncSettingsDialog, SyncSettingsInput
from clinic_app.ui.sync.sync_texts import STATE_LABELS, error_text
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

LOG_LIMIT = 200


def report_text(report: SyncReport) -> str:
    parts = [f"{report.pushed} sent", f"{report.applied} received"]
    if report.merged:
        parts.append(f"{report.merged} merged")
    if report.conflicts:
        parts.append(f"{report.conflicts} conflict(s) to resolve")
    if report.quarantined:
        parts.append(f"{report.quarantined} held")
    if report.uploaded or report.downloaded:
        parts.append(f"{report.uploaded} file(s) up, {report.downloaded} down")
    return "Sync finished: " + ", ".join(parts) + "."


class SyncOverviewController(QObject):
    # Something changed what the status bar shows (a run ended, settings saved).
    state_changed = Signal()
    status_reported = Signal(str)
    status_loaded = Signal(object)  # SyncStatus

    def __init__(
        self,
        view: SyncOverviewView,
        model: SyncLogTableModel,
        context: PageContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._context = context
        self.status: SyncStatus | None = None
        self.dialog: SyncSettingsDialog | None = None
        self.run: SyncRun | None = None
        self._loading: TaskHandle | None = None
        self._reload_after = False
        view.sync_requested.connect(self.sync_now)
        view.cancel_requested.connect(self._on_view_cancel_requested)
        view.refresh_requested.connect(self.load)
        view.settings_requested.connect(self.open_settings)
        view.lookup_requested.connect(self._on_view_lookup_requested)

    def attach_run(self, run: SyncRun) -> None:
        """The window's run (shared with the status bar); the page's own until then."""
        if self.run is run:
            return
        # A replaced run is never started again, so its connections can stay.
        self.run = run
        run.started.connect(self._on_run_started)
        run.succeeded.connect(self._on_run_succeeded)
        run.failed.connect(self._on_run_failed)
        run.cancelled.connect(self._on_run_cancelled)
        run.finished.connect(self._on_run_finished)
        if run.running and run.handle is not None:
            self._on_run_started(run.handle, run.background)

    # --- status and log ----------------------------------------------------------------

    @Slot()
    def load(self) -> None:
        if self._loading is not None and self._loading.running:
            self._reload_after = True  # what changed meanwhile is read right after
            return
        sync, user = self._context.services.sync, self._context.user

        def read(_ctx: object) -> tuple[SyncStatus, list[SyncLogEntry]]:
            return sync.status(user), sync.log(user, LOG_LIMIT)

        self._loading = self._context.runner.run(
            Lane.DATABASE,
            read,
            label="sync status and log",
            owner=self,
            on_success=self._on_loaded,
            on_failure=self._on_load_failed,
        )
        self._loading.finished.connect(self._on_loading_finished)

    @Slot(object)
    def _on_loaded(self, outcome: tuple[SyncStatus, list[SyncLogEntry]]) -> None:
        self.status, entries = outcome
        self._view.show_status(self.status)
        self._model.replace_entries(entries)
        self._view.show_log_count(len(entries))
        self.status_loaded.emit(self.status)

    @Slot(object)
    def _on_load_failed(self, error: BaseException) -> None:
        self._view.show_error(error_text(error))

    @Slot()
    def _on_loading_finished(self) -> None:
        if self._reload_after:
            self._reload_after = False
            self.load()

    # --- running -----------------------------------------------------------------------

    @Slot()
    def sync_now(self) -> None:
        if self.run is None:
            return
        if self.run.running:
            self.status_reported.emit("A sync is already running.")
            return
        self.run.start()

    @Slot(object, bool)
    def _on_run_started(self, handle: TaskHandle, _background: bool) -> None:
        self._view.set_running(True)
        handle.progressed.connect(self._view.show_progress)

    @Slot()
    def _on_view_cancel_requested(self) -> None:
        if self.run is not None and self.run.running:
            self._view.show_cancelling()
            self.run.cancel()

    @Slot(object)
    def _on_run_succeeded(self, report: SyncReport) -> None:
        self._view.show_result(report_text(report))
        self.status_reported.emit("Sync finished")

    @Slot(object)
    def _on_run_failed(self, error: BaseException) -> None:
        pending = self.status.pending_changes if self.status is not None else None
        self._view.show_error(error_text(error, pending))

    @Slot()
    def _on_run_cancelled(self) -> None:
        self._view.show_result(
            "Sync cancelled. What was already exchanged is kept; the rest goes out next time."
        )

    @Slot()
    def _on_run_finished(self) -> None:
        self._view.set_running(False)
        self.load()
        self.state_changed.emit()

    # --- settings ----------------------------------------------------------------------

    @Slot()
    def open_settings(self) -> None:
        if not self._context.user.can(Action.SYNC_CONFIGURE):
            return
        if self.dialog is not None:
            self.dialog.raise_()
            return
        settings = self._context.services.settings
        # sync.json is a few hundred bytes in the data folder: read here, not worth a task.
        dialog = SyncSettingsDialog(settings.sync, settings.locked, self._view)
        dialog.submitted.connect(self._on_dialog_submitted)
        dialog.destroyed.connect(self._on_dialog_destroyed)
        self.dialog = dialog
        dialog.open()

    @Slot()
    def _on_dialog_destroyed(self) -> None:
        self.dialog = None

    @Slot(object)
    def _on_dialog_submitted(self, values: SyncSettingsInput) -> None:
        sync, user = self._context.services.sync, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: sync.configure(
                user,
                url=values.url,
                token=values.token,
                enabled=values.enabled,
                interval_seconds=values.interval_seconds,
                ca_bundle=values.ca_bundle,
            ),
            label="sync configure",
            owner=self,
            on_success=self._on_configured,
            on_failure=self._on_configure_failed,
        )

    @Slot(object)
    def _on_configured(self, _settings: object) -> None:
        if self.dialog is not None:
            self.dialog.accept()
        self.status_reported.emit("Sync settings saved")
        self.load()
        self.state_changed.emit()

    @Slot(object)
    def _on_configure_failed(self, error: BaseException) -> None:
        dialog = self.dialog
        if dialog is None:
            show_error(self._view, error)
            return
        dialog.set_busy(False)
        if isinstance(error, ValidationError):
            dialog.show_errors(error.field_errors or _field_of(str(error)), str(error))
        else:
            dialog.show_errors({}, error_text(error))

    # --- look-up -----------------------------------------------------------------------

    @Slot(str, str)
    def _on_view_lookup_requested(self, table: str, record_id: str) -> None:
        sync, user = self._context.services.sync, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: sync.record_state(user, table, record_id),
            label="record sync state",
            owner=self,
            on_success=self._on_state_found,
            on_failure=lambda error: self._view.lookup_result.setText(error_text(error)),
        )

    @Slot(object)
    def _on_state_found(self, state: RecordSyncState) -> None:
        self._view.lookup_result.setText(STATE_LABELS.get(state, state.value))


def _field_of(message: str) -> dict[str, str]:
    """The service's messages name what they are about; put them under that field."""
    lowered = message.lower()
    for word, field in (("address", "url"), ("token", "token"), ("interval", "interval")):
        if word in lowered:
            return {field: message}
    return {}
