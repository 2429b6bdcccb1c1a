"""Opening, creating, editing, deleting and restoring one patient (every call on the db lane).

A new patient is first checked for look-alikes (`possible_duplicates`, which validates too, so
field messages come back before anything is written); if there are any the person decides.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.errors import ConflictError, ValidationError
from clinic_app.patients.models import (
    CreatedPatient,
    PatientDetail,
    PatientInput,
    PatientSummary,
)
from clinic_app.security.permissions import Action
from clinic_app.security.users import UserSummary
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.patients.duplicate_warning_dialog import DuplicateWarningDialog
from clinic_app.ui.patients.patient_form_view import PatientFormDraft
from clinic_app.ui.patients.patient_panel_view import PatientPanelView
from clinic_app.ui.tasks.task_runner import Lane
from clinic_app.ui.widgets.confirm_dialog import ConfirmDialog

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


class PatientEditorController(QObject):
    patient_changed = Signal(object)
    status_reported = Signal(str)

    def __init__(
        self, panel: PatientPanelView, context: PageContext, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._panel = panel
        self._context = context
        self._detail: PatientDetail | None = None
        self._doctor_names: dict[str, str] = {}
        self.duplicate_dialog: DuplicateWarningDialog | None = None
        panel.detail.edit_requested.connect(self._on_detail_edit_requested)
        panel.detail.delete_requested.connect(self._on_detail_delete_requested)
        panel.detail.restore_requested.connect(self._on_detail_restore_requested)
        panel.form.save_requested.connect(self._on_form_save_requested)
        panel.form.cancel_requested.connect(self._on_form_cancel_requested)

    @property
    def detail(self) -> PatientDetail | None:
        return self._detail

    def _run(
        self, work: Callable[[object], object], label: str, on_success: Callable[..., object]
    ) -> None:
        self._context.runner.run(
            Lane.DATABASE,
            work,
            label=label,
            on_success=on_success,
            on_failure=self._on_task_failed,
            owner=self,
        )

    # --- doctors -------------------------------------------------------------------------

    def load_doctors(self) -> None:
        accounts, user = self._context.services.accounts, self._context.user
        self._run(lambda _ctx: accounts.list_doctors(user), "list doctors", self._on_doctors_loaded)

    @Slot(object)
    def _on_doctors_loaded(self, doctors: list[UserSummary]) -> None:
        self._doctor_names = {doctor.id: doctor.display_name for doctor in doctors}
        self._panel.form.set_doctors([(doctor.id, doctor.display_name) for doctor in doctors])

    # --- opening -------------------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        return self._panel.showing_form and self._panel.form.is_dirty()

    def _after_discard_check(self, proceed: Callable[[], None]) -> None:
        if not self.has_unsaved_changes():
            proceed()
            return
        dialog = ConfirmDialog(
            self._panel,
            "Discard changes?",
            "The open form has changes that are not saved.",
            "Discard changes",
            destructive=True,
        )
        dialog.confirmed.connect(proceed)
        dialog.open()

    def open_patient(self, patient_id: str) -> None:
        self._after_discard_check(lambda: self._load(patient_id))

    def _load(self, patient_id: str) -> None:
        patients, user = self._context.services.patients, self._context.user
        self._run(lambda _ctx: patients.get(user, patient_id), "open patient", self._show_detail)

    @Slot(object)
    def _show_detail(self, detail: PatientDetail) -> None:
        self._detail = detail
        doctor_id = detail.summary.primary_doctor_id
        doctor = self._doctor_names.get(doctor_id or "", "A doctor who is no longer active")
        self._panel.detail.show_patient(detail, doctor if doctor_id else "", date.today())
        self._panel.show_detail()

    def start_new(self) -> bool:
        if not self._context.user.can(Action.PATIENT_CREATE):
            return False
        if self._panel.showing_form and self._panel.form.patient_id is None:
            self._panel.form.setFocus()
            return True
        self._after_discard_check(self._show_new_form)
        return True

    def _show_new_form(self) -> None:
        self._panel.form.start_new()
        self._panel.show_form()

    @Slot()
    def _on_detail_edit_requested(self) -> None:
        if self._detail is not None:
            self._panel.form.start_edit(self._detail)
            self._panel.show_form()

    @Slot()
    def _on_form_cancel_requested(self) -> None:
        def leave() -> None:
            if self._detail is not None and self._panel.form.patient_id == self._detail.id:
                self._panel.show_detail()
            else:
                self._panel.show_placeholder()

        self._after_discard_check(leave)

    # --- saving --------------------------------------------------------------------------

    @Slot(PatientInput)
    def _on_form_save_requested(self, data: PatientInput) -> None:
        form = self._panel.form
        form.set_busy(True)
        patients, user = self._context.services.patients, self._context.user
        patient_id, version = form.patient_id, form.version
        if patient_id is None:
            self._run(
                lambda _ctx: patients.possible_duplicates(user, data),
                "check duplicates",
                lambda found: self._on_duplicates_checked(data, found),
            )
        else:
            assert version is not None
            self._run(
                lambda _ctx: patients.update(user, patient_id, data, version),
                "update patient",
                self._on_patient_saved,
            )

    def _on_duplicates_checked(self, data: PatientInput, found: list[PatientSummary]) -> None:
        if not found:
            self._create(data)
            return
        self._panel.form.set_busy(False)
        dialog = DuplicateWarningDialog(found, self._panel)
        dialog.create_confirmed.connect(lambda: self._create(data))
        dialog.existing_chosen.connect(self.open_patient)
        self.duplicate_dialog = dialog
        dialog.open()

    def _create(self, data: PatientInput) -> None:
        self._panel.form.set_busy(True)
        patients, user = self._context.services.patients, self._context.user
        self._run(
            lambda _ctx: patients.create(user, data), "create patient", self._on_patient_created
        )

    @Slot(object)
    def _on_patient_created(self, created: CreatedPatient) -> None:
        self._on_patient_saved(created.patient)

    @Slot(object)
    def _on_patient_saved(self, detail: PatientDetail) -> None:
        self._panel.form.set_busy(False)
        self._panel.form.start_edit(detail)  # the form is clean again
        self._show_detail(detail)
        self.status_reported.emit("Patient saved.")
        self.patient_changed.emit(detail.summary)

    # --- delete and restore --------------------------------------------------------------

    @Slot()
    def _on_detail_delete_requested(self) -> None:
        if self._detail is None:
            return
        dialog = ConfirmDialog(
            self._panel,
            "Delete this patient?",
            f"Delete the record of {self._detail.summary.display_name}?",
            "Delete",
            detail="The record is kept and a doctor can restore it.",
            destructive=True,
        )
        dialog.confirmed.connect(self._delete)
        dialog.open()

    def _delete(self) -> None:
        assert self._detail is not None
        patients, user, patient_id = (
            self._context.services.patients,
            self._context.user,
            self._detail.id,
        )
        self._run(
            lambda _ctx: patients.delete(user, patient_id),
            "delete patient",
            self._on_patient_deleted,
        )

    @Slot()
    def _on_detail_restore_requested(self) -> None:
        if self._detail is None:
            return
        patients, user, patient_id = (
            self._context.services.patients,
            self._context.user,
            self._detail.id,
        )
        self._run(
            lambda _ctx: patients.restore(user, patient_id),
            "restore patient",
            self._on_patient_restored,
        )

    @Slot(object)
    def _on_patient_deleted(self, summary: PatientSummary) -> None:
        self.status_reported.emit("Patient deleted.")
        self.patient_changed.emit(summary)
        self._load(summary.id)

    @Slot(object)
    def _on_patient_restored(self, summary: PatientSummary) -> None:
        self.status_reported.emit("Patient restored.")
        self.patient_changed.emit(summary)
        self._load(summary.id)

    # --- drafts and errors ---------------------------------------------------------------

    def draft_state(self) -> tuple[PatientFormDraft, dict[str, str]] | None:
        if not self.has_unsaved_changes():
            return None
        return self._panel.form.draft(), self._panel.form.baseline()

    def restore_draft_state(self, state: object) -> None:
        if isinstance(state, tuple) and len(state) == 2 and isinstance(state[0], PatientFormDraft):
            self._panel.form.restore_draft(state[0], state[1])
            self._panel.show_form()

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        form = self._panel.form
        form.set_busy(False)
        if isinstance(error, ValidationError) and self._panel.showing_form:
            form.show_errors(error.field_errors, str(error))
        elif isinstance(error, ConflictError) and self._panel.showing_form:
            form.show_errors({}, str(error))
            show_error(self._panel, error)
        else:
            show_error(self._panel, error)
