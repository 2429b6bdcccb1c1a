"""Runs the import wizard's work off the GUI thread: reading the files (compute lane),
creating a new patient the user confirmed (database lane), importing (compute lane), each
with progress and cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from clinic_app.errors import ValidationError
from clinic_app.imaging.summaries import ImportReport, ImportScan
from clinic_app.patients.models import PatientInput, PatientSummary
from clinic_app.ui.error_presenter import describe_error
from clinic_app.ui.imaging.import_wizard import ImportWizard
from clinic_app.ui.tasks.task_runner import Lane, TaskContext, TaskFunction, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


def _caption(field: str) -> str:
    return field.replace("_", " ").capitalize()


class ImportController(QObject):
    imported = Signal(str)  # patient id whose images were imported
    step_finished = Signal()  # a scan, creation or import came back (tests wait here)

    def __init__(
        self, context: PageContext, parent_widget: QWidget, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._parent_widget = parent_widget
        self.wizard: ImportWizard | None = None
        self._handle: TaskHandle | None = None

    def open_wizard(self, current_patient: PatientSummary | None = None) -> ImportWizard:
        if self.wizard is not None:
            self.wizard.raise_()
            return self.wizard
        wizard = ImportWizard(current_patient, self._parent_widget)
        wizard.source_page.scan_requested.connect(self._on_scan_requested)
        wizard.source_page.scan_cancel_requested.connect(self.cancel)
        wizard.match_page.create_requested.connect(self._on_create_requested)
        wizard.progress_page.import_requested.connect(self._on_import_requested)
        wizard.progress_page.import_cancel_requested.connect(self.cancel)
        wizard.finished.connect(self._on_wizard_finished)
        self.wizard = wizard
        wizard.open()
        return wizard

    @Slot()
    def cancel(self) -> None:
        if self._handle is not None and self._handle.running:
            self._handle.cancel()

    def _run(
        self,
        lane: Lane,
        work: TaskFunction,
        label: str,
        *,
        done: Callable[[Any], object],
        failed: Callable[[BaseException], object],
        stopped: Callable[[], object],
        progress: Callable[[int, int, str], object] | None = None,
    ) -> None:
        """Runs `work`; its outcome reaches the wizard only if that wizard is still open."""
        wizard = self.wizard

        def deliver(callback: Callable[[], object]) -> None:
            self._handle = None
            if wizard is not None and self.wizard is wizard:
                callback()
            self.step_finished.emit()

        handle = self._context.runner.run(
            lane,
            work,
            label=label,
            owner=self,
            on_success=lambda value: deliver(lambda: done(value)),
            on_failure=lambda error: deliver(lambda: failed(error)),
        )
        handle.cancelled.connect(lambda: deliver(stopped))
        if progress is not None:
            handle.progressed.connect(progress)
        self._handle = handle

    # --- reading ---------------------------------------------------------------------------

    @Slot(list)
    def _on_scan_requested(self, paths: list[str]) -> None:
        assert self.wizard is not None
        page = self.wizard.source_page
        importer, user = self._context.services.imaging_import, self._context.user

        def work(ctx: TaskContext) -> ImportScan:
            return importer.scan(user, [Path(p) for p in paths], ctx.progress, ctx.cancel)

        self._run(
            Lane.COMPUTE,
            work,
            "imaging scan",
            done=page.scan_finished,
            failed=page.scan_stopped,
            stopped=lambda: page.scan_stopped(None),
            progress=page.show_progress,
        )

    # --- a new patient ------------------------------------------------------------------------

    @Slot(object)
    def _on_create_requested(self, data: PatientInput) -> None:
        assert self.wizard is not None
        page = self.wizard.match_page
        patients, user = self._context.services.patients, self._context.user

        def failed(error: BaseException) -> None:
            message = describe_error(error).message
            if isinstance(error, ValidationError) and error.field_errors:
                message = "Check the new patient's details. " + " ".join(
                    f"{_caption(field)}: {text[:1].lower()}{text[1:]}"
                    for field, text in error.field_errors.items()
                )
            page.creation_failed(message)

        self._run(
            Lane.DATABASE,
            lambda _ctx: patients.create(user, data).patient.summary,
            "patient from imaging import",
            done=page.patient_created,
            failed=failed,
            stopped=lambda: page.creation_failed("Stopped."),
        )

    # --- importing ---------------------------------------------------------------------------

    @Slot()
    def _on_import_requested(self) -> None:
        assert self.wizard is not None
        state = self.wizard.state
        page = self.wizard.progress_page
        importer, user = self._context.services.imaging_import, self._context.user
        scan, patient = state.scan, state.patient
        if scan is None or patient is None:
            page.import_finished(None)
            return
        group_key, photos = state.group_key, state.include_photos

        def work(ctx: TaskContext) -> ImportReport:
            return importer.import_files(
                user,
                scan,
                patient.id,
                group_key=group_key,
                include_photos=photos,
                progress=ctx.progress,
                cancel=ctx.cancel,
            )

        def failed(error: BaseException) -> None:
            page.import_finished(None)
            from clinic_app.ui.error_presenter import show_error

            show_error(self.wizard, error)

        self._run(
            Lane.COMPUTE,
            work,
            "imaging import",
            done=page.import_finished,
            failed=failed,
            stopped=lambda: page.import_finished(None, stopped=True),
            progress=page.show_progress,
        )

    @Slot(int)
    def _on_wizard_finished(self, _result: int) -> None:
        wizard, self.wizard = self.wizard, None
        self.cancel()
        if wizard is None:
            return
        state = wizard.state
        if state.patient is not None and (state.report is not None or state.stopped):
            self.imported.emit(state.patient.id)
        wizard.deleteLater()

    def shutdown(self) -> None:
        self.cancel()
        if self.wizard is not None:
            self.wizard.reject()
