"""Gets the code set ready for the clinician, from sign-in on (the chart page's companion).

- After sign-in: if an ICD-10-CM set is active, warm the suggestion index on the compute lane
  (loading it from the store takes ~0.1 s; a set that has none stored yet, one imported by an
  older version or received by sync, has it derived once, 2–3 s, and stored).
- When the chart page is first opened and no ICD-10-CM set is active yet (first run): import
  the release shipped with the application on the database lane, with a progress dialog whose
  Cancel leaves nothing behind; then warm the index.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QMainWindow

from clinic_app.codes.models import CodeSetInfo, CodeSystem
from clinic_app.security.permissions import Action
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.shell.shell_page import PageCompanion, ShellPage
from clinic_app.ui.tasks.task_progress_dialog import TaskProgressDialog
from clinic_app.ui.tasks.task_runner import Lane, TaskContext, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

log = logging.getLogger(__name__)

WARM_UP_TEXT = "hypertension and type 2 diabetes"


class CodeSetCompanion(PageCompanion):
    checked = Signal(object)  # CodeSetInfo | None: the active ICD-10-CM set
    warmed = Signal()

    def __init__(self, window: QMainWindow, context: PageContext) -> None:
        super().__init__(window)
        self._window = window
        self._context = context
        self.active: CodeSetInfo | None = None
        self.known = False
        self._import_wanted = False
        self._handles: list[TaskHandle] = []
        self.progress_dialog: TaskProgressDialog | None = None
        if context.user.can(Action.CODES_READ):
            QTimer.singleShot(0, self._check)

    def _run(self, lane: Lane, work: object, label: str, done: object) -> None:
        handle = self._context.runner.run(
            lane,
            work,  # type: ignore[arg-type]
            label=label,
            owner=self,
            on_success=done,  # type: ignore[arg-type]
            on_failure=self._on_failed,
        )
        self._handles.append(handle)

    @Slot()
    def _check(self) -> None:
        codes, user = self._context.services.codes, self._context.user
        self._run(
            Lane.DATABASE,
            lambda _ctx: codes.active_set(user, CodeSystem.ICD10CM),
            "active code set",
            self._on_checked,
        )

    def _on_checked(self, info: CodeSetInfo | None) -> None:
        self.active, self.known = info, True
        self.checked.emit(info)
        if info is not None:
            self._warm()
        elif self._import_wanted:
            self.import_release()

    def page_built(self, page: ShellPage) -> None:
        if not self._context.user.can(Action.CODES_READ):
            return
        if self.known and self.active is None:
            self.import_release()
        elif not self.known:
            self._import_wanted = True

    def import_release(self) -> None:
        """First run: import the ICD-10-CM release shipped with the application."""
        self._import_wanted = False
        codes = self._context.services.codes

        def ensure(ctx: TaskContext) -> CodeSetInfo:
            return codes.ensure_icd10cm(progress=ctx.progress, cancel=ctx.cancel)

        handle = self._context.runner.run(
            Lane.DATABASE,
            ensure,
            label="import ICD-10-CM",
            owner=self,
            on_success=self._on_imported,
            on_failure=self._on_import_failed,
        )
        self._handles.append(handle)
        self.progress_dialog = TaskProgressDialog(
            handle, "Preparing the ICD-10-CM code set (first run only)…", self._window
        )

    def _on_imported(self, info: CodeSetInfo) -> None:
        self.active = info
        log.info("ICD-10-CM code set ready: id=%s", info.id)
        self.checked.emit(info)
        self._warm()

    def _on_import_failed(self, error: BaseException) -> None:
        show_error(self._window, error)

    def _warm(self) -> None:
        codes, user = self._context.services.codes, self._context.user
        # The compute lane: deriving a missing index takes seconds and must not hold up the
        # database lane; it writes one small audit event (and, once per set, its index).
        self._run(
            Lane.COMPUTE,
            lambda _ctx: codes.suggest(user, WARM_UP_TEXT, limit=1),
            "warm code suggestions",
            lambda _result: self.warmed.emit(),
        )

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        log.info("code set preparation skipped: %s", type(error).__name__)

    def shutdown(self) -> None:
        for handle in self._handles:
            handle.cancel()
