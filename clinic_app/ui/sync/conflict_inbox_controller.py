"""Loads the open conflicts the user may resolve and resolves one (database lane). Who may
resolve what is the service's decision: a refusal is shown in words, never as a crash."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.errors import PermissionDeniedError
from clinic_app.security.permissions import Action
from clinic_app.sync.models import Conflict, Resolution
from clinic_app.ui.patients.merge_flow import PatientMergeFlow
from clinic_app.ui.sync.conflict_inbox_view import ConflictInboxView
from clinic_app.ui.sync.conflict_table_model import ConflictTableModel
from clinic_app.ui.sync.sync_texts import RESOLUTION_LABELS, describe_sync_error
from clinic_app.ui.tasks.task_runner import Lane

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


def _sentence(error: BaseException) -> str:
    description = describe_sync_error(error)
    text = f"{description.title}: {description.message}"
    return f"{text} {description.advice}" if description.advice else text


class ConflictInboxController(QObject):
    loaded = Signal(int)
    resolved = Signal(str)  # the conflict's id
    status_reported = Signal(str)
    state_changed = Signal()

    def __init__(
        self,
        view: ConflictInboxView,
        model: ConflictTableModel,
        context: PageContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._context = context
        view.refresh_requested.connect(self.load)
        view.resolve_requested.connect(self._on_view_resolve_requested)
        view.merge_requested.connect(self._on_view_merge_requested)
        self.merge_flow = PatientMergeFlow(context, view)
        self.merge_flow.cancelled.connect(lambda: view.set_busy(False))
        self.merge_flow.failed.connect(lambda _error: view.set_busy(False))
        self._merging: Conflict | None = None
        self.merge_flow.merged.connect(self._on_merge_flow_merged)

    @Slot()
    def load(self) -> None:
        sync, accounts, user = (
            self._context.services.sync,
            self._context.services.accounts,
            self._context.user,
        )

        def read(_ctx: object) -> tuple[list[Conflict], dict[str, str]]:
            conflicts = sync.conflicts(user)
            people: dict[str, str] = {}
            if conflicts and user.can(Action.USER_LIST):
                # Clinicians and doctors on a record read as names, not ids.
                people = {u.id: u.display_name for u in accounts.list_users(user)}
            return conflicts, people

        self._context.runner.run(
            Lane.DATABASE,
            read,
            label="sync conflicts",
            owner=self,
            on_success=self._on_loaded,
            on_failure=self._on_load_failed,
        )

    @Slot(object)
    def _on_loaded(self, outcome: tuple[list[Conflict], dict[str, str]]) -> None:
        conflicts, people = outcome
        self._view.fields.set_people(people)
        self._model.replace_conflicts(conflicts)
        self.loaded.emit(len(conflicts))

    @Slot(object)
    def _on_load_failed(self, error: BaseException) -> None:
        description = describe_sync_error(error)
        self._model.replace_conflicts([])
        if isinstance(error, PermissionDeniedError):
            self._view.empty_state.set_message(
                "Not allowed",
                f"{error} Conflicts are resolved by the people who keep those records.",
            )
        else:
            self._view.empty_state.set_message(description.title, description.message)

    @Slot(object, str, dict)
    def _on_view_resolve_requested(
        self, conflict: Conflict, resolution: str, choices: dict[str, str]
    ) -> None:
        sync, user = self._context.services.sync, self._context.user
        wanted = dict(choices)
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: sync.resolve(user, conflict.id, resolution, wanted or None),
            label="resolve conflict",
            owner=self,
            on_success=lambda _none: self._on_resolved(conflict.id, resolution),
            on_failure=self._on_resolve_failed,
        )

    @Slot(object)
    def _on_view_merge_requested(self, conflict: Conflict) -> None:
        """Same person: the server's chart is kept by default (the other workstations hold it
        already); the dialog can swap."""
        if not conflict.other_id:
            self._view.show_error("This conflict does not name the other chart.")
            return
        self._merging = conflict
        self.merge_flow.start(conflict.entity_id, conflict.other_id)

    @Slot(object)
    def _on_merge_flow_merged(self, _result: object) -> None:
        conflict, self._merging = self._merging, None
        if conflict is not None:
            self._on_view_resolve_requested(conflict, Resolution.MERGED.value, {})

    def _on_resolved(self, conflict_id: str, resolution: str) -> None:
        label = RESOLUTION_LABELS.get(Resolution(resolution), resolution)
        self.status_reported.emit(f"Conflict resolved: {label.lower()}")
        self.resolved.emit(conflict_id)
        self.state_changed.emit()
        self.load()

    @Slot(object)
    def _on_resolve_failed(self, error: BaseException) -> None:
        self._view.show_error(_sentence(error))
