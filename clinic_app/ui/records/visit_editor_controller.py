"""Opening, saving, signing and correcting one visit (every service call on the database lane).

Saving checks the vitals first (the core's `validate_vitals`, no write), then opens or updates
the visit, then records the vitals: a typing slip in a reading never half-saves the visit.
Signing asks for confirmation; a signed visit is read-only and takes addenda.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from clinic_app.errors import ConflictError, ValidationError
from clinic_app.records.chart_models import PatientHeader
from clinic_app.records.models import TargetType, Visit, VisitStatus, VitalsInput
from clinic_app.records.visit_service import VisitService
from clinic_app.records.vitals import validate_vitals
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.types import utcnow
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.records.addendum_dialog import VISIT_TARGETS, AddendumDialog
from clinic_app.ui.records.dialog_lifetime import open_dialog
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.records.user_directory import UserDirectory
from clinic_app.ui.records.visit_editor_view import VisitEditorView
from clinic_app.ui.records.visit_form_view import VisitFormDraft
from clinic_app.ui.records.visit_summary_document import (
    clinic_name,
    summary_document,
    visit_summary_html,
    write_pdf,
)
from clinic_app.ui.tasks.task_runner import Lane
from clinic_app.ui.widgets.confirm_dialog import ConfirmDialog

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

PdfPathChooser = Callable[[QWidget, str], str]


@dataclass(frozen=True)
class VisitDraft:
    patient_id: str
    visit_id: str | None
    version: int | None
    form: VisitFormDraft


def ask_pdf_path(parent: QWidget, suggested: str) -> str:
    path, _filter = QFileDialog.getSaveFileName(
        parent, "Save the visit summary", suggested, "PDF (*.pdf)"
    )
    return path


def _prefixed(error: ValidationError) -> ValidationError:
    """Vitals messages keyed `vitals.pulse`, as the form names its fields."""
    fields = {f"vitals.{key}": message for key, message in error.field_errors.items()}
    return ValidationError(str(error), fields)


class VisitEditorController(QObject):
    visit_shown = Signal(object)  # Visit
    visit_saved = Signal(object)  # Visit
    status_reported = Signal(str)

    def __init__(
        self, view: VisitEditorView, context: PageContext, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._context = context
        self.people = UserDirectory()
        self.header: PatientHeader | None = None
        self.visit: Visit | None = None
        self.patient_id: str | None = None
        self.choose_pdf_path: PdfPathChooser = ask_pdf_path
        self.addendum_dialog: AddendumDialog | None = None
        self.confirm_dialog: ConfirmDialog | None = None
        self._pending_draft: VisitFormDraft | None = None
        view.save_requested.connect(self._on_view_save_requested)
        view.sign_requested.connect(self._on_view_sign_requested)
        view.addendum_requested.connect(self._on_view_addendum_requested)
        view.print_requested.connect(self._on_view_print_requested)
        view.pdf_requested.connect(self._on_view_pdf_requested)

    # --- opening -------------------------------------------------------------------------

    def open_new(self, header: PatientHeader, draft: VisitFormDraft | None = None) -> None:
        self.header, self.visit, self.patient_id = header, None, header.id
        form = self._view.form
        user = self._context.user
        clinicians = [(u.id, u.display_name) for u in self.people.clinicians()]
        default = user.id if any(uid == user.id for uid, _ in clinicians) else ""
        form.set_clinicians(clinicians, default or (clinicians[0][0] if clinicians else ""))
        form.load_new(utcnow())
        self._view.header.show_header(header)
        self._view.show_state("New visit", None, "Not saved yet")
        self._view.show_message("")
        if draft is not None:
            form.restore_draft(draft)
        form.editor("reason").setFocus()
        self.visit_shown.emit(None)

    def open_visit(
        self, visit_id: str, header: PatientHeader, draft: VisitFormDraft | None = None
    ) -> None:
        self.header, self.patient_id = header, header.id
        self._pending_draft = draft
        visits, user = self._context.services.records.visits, self._context.user
        self._run(lambda _ctx: visits.get_visit(user, visit_id), "open visit", self._show)

    def reload(self) -> None:
        if self.visit is not None and self.header is not None:
            self.open_visit(self.visit.id, self.header)

    @Slot(object)
    def _show(self, visit: Visit) -> None:
        self.visit = visit
        form = self._view.form
        clinicians = [(u.id, u.display_name) for u in self.people.clinicians()]
        form.set_clinicians(clinicians, visit.summary.clinician_id)
        form.load_visit(visit, self.people)
        if self.header is not None:
            self._view.header.show_header(self.header)
        clinician = self.people.name(visit.summary.clinician_id)
        title = f"Visit {local_time(visit.summary.started_at)} · {clinician}"
        if visit.status is VisitStatus.SIGNED:
            status = (
                f"Signed by {self.people.name(visit.signed_by_id)} {local_time(visit.signed_at)}"
            )
        else:
            status = "Open"
        self._view.show_state(title, visit.status, status)
        self._view.show_message("")
        if self._pending_draft is not None and visit.status is VisitStatus.OPEN:
            form.restore_draft(self._pending_draft)
        self._pending_draft = None
        self.visit_shown.emit(visit)

    # --- saving --------------------------------------------------------------------------

    @Slot()
    def _on_view_save_requested(self) -> None:
        if self.patient_id is None or self._view.form.signed:
            return
        form = self._view.form
        data = form.collect_input()
        vitals = form.vitals.collect() if self._context.user.can(Action.VITALS_WRITE) else None
        visits, user, patient_id = (
            self._context.services.records.visits,
            self._context.user,
            self.patient_id,
        )
        visit_id = self.visit.id if self.visit else None
        version = self.visit.version if self.visit else None
        started_at, clinician_id = form.started_at(), form.clinician_id() or None

        def save(_ctx: object) -> tuple[Visit, ValidationError | None]:
            if vitals is not None:
                try:
                    validate_vitals(vitals)
                except ValidationError as exc:
                    raise _prefixed(exc) from exc
            if visit_id is None:
                visit = visits.open_visit(
                    user, patient_id, clinician_id=clinician_id, started_at=started_at, data=data
                )
            else:
                assert version is not None
                visit = visits.update_visit(user, visit_id, data, version)
            return _with_vitals(visits, user, visit, vitals)

        self._view.set_busy(True)
        form.show_errors({})
        self._run(save, "save visit", self._on_visit_saved)

    def _on_visit_saved(self, outcome: tuple[Visit, ValidationError | None]) -> None:
        visit, vitals_error = outcome
        self._show(visit)
        self.visit_saved.emit(visit)
        if vitals_error is not None:
            self._view.form.show_errors(_prefixed(vitals_error).field_errors)
            self._view.show_message("The visit was saved; the vitals were not. Check them.")
        else:
            self.status_reported.emit("Visit saved.")

    # --- signing -------------------------------------------------------------------------

    @Slot()
    def _on_view_sign_requested(self) -> None:
        if self.visit is None:
            return
        if self._view.form.is_dirty():
            self._view.show_message("Save your changes before signing.")
            return
        dialog = ConfirmDialog(
            self._view,
            "Sign this visit?",
            "Sign the visit as it is now?",
            "Sign",
            detail="A signed visit can't be changed. Corrections are added as addenda.",
        )
        dialog.confirmed.connect(self._sign)
        self.confirm_dialog = dialog
        dialog.open()

    def _sign(self) -> None:
        assert self.visit is not None
        visits, user = self._context.services.records.visits, self._context.user
        visit_id, version = self.visit.id, self.visit.version
        self._view.set_busy(True, "Signing…")
        self._run(
            lambda _ctx: visits.sign_visit(user, visit_id, version), "sign visit", self._on_signed
        )

    @Slot(object)
    def _on_signed(self, visit: Visit) -> None:
        self._show(visit)
        self.visit_saved.emit(visit)
        self.status_reported.emit("Visit signed.")

    # --- addenda -------------------------------------------------------------------------

    @Slot()
    def _on_view_addendum_requested(self) -> None:
        if self.visit is None:
            return
        dialog = AddendumDialog(VISIT_TARGETS, parent=self._view.window())
        dialog.submitted.connect(self._add_addendum)
        self.addendum_dialog = dialog
        dialog.open()

    def _add_addendum(self, field: str | None, text: str) -> None:
        assert self.visit is not None
        addenda, user, visit_id = (
            self._context.services.records.addenda,
            self._context.user,
            self.visit.id,
        )
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: addenda.add_addendum(user, TargetType.VISIT, visit_id, text, field=field),
            label="add addendum",
            owner=self,
            on_success=self._on_addendum_added,
            on_failure=self._on_addendum_failed,
        )

    def _on_addendum_added(self, _addendum: object) -> None:
        if open_dialog(self.addendum_dialog):
            assert self.addendum_dialog is not None
            self.addendum_dialog.accept()
        self.status_reported.emit("Addendum added.")
        self.reload()

    def _on_addendum_failed(self, error: BaseException) -> None:
        dialog = self.addendum_dialog
        if isinstance(error, ValidationError) and open_dialog(dialog):
            assert dialog is not None
            dialog.show_errors(error.field_errors, str(error))
        else:
            show_error(self._view, error)

    # --- printing ------------------------------------------------------------------------

    def summary_html(self) -> str:
        assert self.visit is not None
        assert self.header is not None
        clinic = clinic_name(self._context.services.settings)
        return visit_summary_html(clinic, self.header, self.visit, self.people)

    @Slot()
    def _on_view_pdf_requested(self) -> None:
        if self.visit is None or self.header is None:
            return
        suggested = f"visit-{self.visit.summary.started_at:%Y-%m-%d}.pdf"
        chosen = self.choose_pdf_path(self._view, suggested)
        if not chosen:
            return
        path = Path(chosen)
        try:
            write_pdf(self.summary_html(), path)
        except OSError as exc:
            show_error(self._view, exc)
            return
        self._view.show_message("")
        self.status_reported.emit(f"Visit summary saved as {path.name}.")

    @Slot()
    def _on_view_print_requested(self) -> None:
        if self.visit is None or self.header is None:
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self._view)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        html = self.summary_html()
        dialog.finished.connect(
            lambda result: (
                summary_document(html).print_(printer)
                if result == QDialog.DialogCode.Accepted
                else None
            )
        )
        # QPrintDialog.open() in PySide6 is only the (receiver, slot) overload: show it
        # window-modal instead, which is what QDialog.open() does.
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()

    # --- errors and drafts ---------------------------------------------------------------

    def _run(self, work: Callable[[object], object], label: str, done: Callable[..., None]) -> None:
        self._context.runner.run(
            Lane.DATABASE,
            work,
            label=label,
            owner=self,
            on_success=done,
            on_failure=self._on_task_failed,
        )

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        self._view.set_busy(False)
        if isinstance(error, ValidationError) and error.field_errors:
            leftover = self._view.form.show_errors(error.field_errors)
            self._view.show_message(
                "Please correct the fields marked in red."
                if not leftover
                else f"{error} Please correct the fields marked in red."
            )
        elif isinstance(error, ValidationError | ConflictError):
            self._view.show_message(str(error))
            if isinstance(error, ConflictError):
                show_error(self._view, error)
        else:
            show_error(self._view, error)

    def draft(self) -> VisitDraft | None:
        if self.patient_id is None or not self._view.form.is_dirty():
            return None
        return VisitDraft(
            self.patient_id,
            self.visit.id if self.visit else None,
            self.visit.version if self.visit else None,
            self._view.form.draft(),
        )


def _with_vitals(
    visits: VisitService, user: AuthenticatedUser, visit: Visit, vitals: VitalsInput | None
) -> tuple[Visit, ValidationError | None]:
    """Records the readings on the saved visit; the visit as it is now, and any refusal."""
    if vitals is None:
        return visit, None
    try:
        visits.record_vitals(user, visit.id, vitals)
    except ValidationError as exc:
        return visit, exc
    return visits.get_visit(user, visit.id), None
