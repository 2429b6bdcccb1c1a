"""Loads the held records and retries one (with its corrections) on the database lane."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.errors import ValidationError
from clinic_app.sync.models import QuarantinedItem
from clinic_app.ui.sync.quarantine_table_model import QuarantineTableModel
from clinic_app.ui.sync.quarantine_view import QuarantineView
from clinic_app.ui.sync.sync_texts import describe_sync_error
from clinic_app.ui.tasks.task_runner import Lane

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


class QuarantineController(QObject):
    loaded = Signal(int)
    # A held record was released or applied (True) or is still held (False).
    retried = Signal(bool)
    status_reported = Signal(str)
    state_changed = Signal()

    def __init__(
        self,
        view: QuarantineView,
        model: QuarantineTableModel,
        context: PageContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._context = context
        view.refresh_requested.connect(self.load)
        view.editor.retry_requested.connect(self._on_editor_retry_requested)

    @Slot()
    def load(self) -> None:
        sync, user = self._context.services.sync, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: sync.quarantined(user),
            label="held records",
            owner=self,
            on_success=self._on_loaded,
            on_failure=self._on_load_failed,
        )

    @Slot(object)
    def _on_loaded(self, items: list[QuarantinedItem]) -> None:
        self._model.replace_items(items)
        self.loaded.emit(len(items))

    @Slot(object)
    def _on_load_failed(self, error: BaseException) -> None:
        description = describe_sync_error(error)
        self._model.replace_items([])
        self._view.empty_state.set_message(description.title, description.message)

    @Slot(str, dict)
    def _on_editor_retry_requested(self, item_id: str, payload: dict[str, Any]) -> None:
        sync, user = self._context.services.sync, self._context.user
        fields, resource = payload.get("fields"), payload.get("resource")
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: sync.retry_quarantined(user, item_id, resource=resource, fields=fields),
            label="retry held record",
            owner=self,
            on_success=self._on_retried,
            on_failure=self._on_retry_failed,
        )

    @Slot(object)
    def _on_retried(self, released: bool) -> None:
        editor = self._view.editor
        editor.set_busy(False)
        if released:
            self.status_reported.emit("Released: it goes out with the next sync")
        else:
            editor.show_error(
                "Still held: it can't be stored here yet. Check the reason, correct it and "
                "try again."
            )
        self.retried.emit(released)
        self.state_changed.emit()
        if released:
            self.load()

    @Slot(object)
    def _on_retry_failed(self, error: BaseException) -> None:
        editor = self._view.editor
        editor.set_busy(False)
        description = describe_sync_error(error)
        text = f"{description.title}: {description.message}"
        if description.advice:
            text += f" {description.advice}"
        fields = error.field_errors if isinstance(error, ValidationError) else None
        editor.show_error(text, fields)
